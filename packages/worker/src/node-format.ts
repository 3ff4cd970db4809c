/**
 * Celery's node-format (`celery.utils.nodenames.node_format`): the `%` sequences expanded in `--pidfile`,
 * `--logfile` and `--statedb`, from the worker's node name (`name@host`).
 */

/** Options of {@link expandNodeFormat}. */
export interface NodeFormatOptions {
  /**
   * Index of the pool process the path is for: 0 (the default) in the main process, 1..n in a pool's child
   * process or thread (Celery's `current_process_index`).
   */
  processIndex?: number;
}

/**
 * Expand a path pattern for the worker `nodename` (`george@foo.example.com`):
 *
 * | sequence | expands to | example |
 * |---|---|---|
 * | `%p` | the full node name | `george@foo.example.com` |
 * | `%h` | the host, with its domain | `foo.example.com` |
 * | `%n` | the name part of the node name (`celery` when it has no `@`) | `george` |
 * | `%d` | the host's domain (empty without a dot) | `example.com` |
 * | `%i` | the pool process index, `0` in the main process | `0`, `1`, … |
 * | `%I` | the index with a separator, empty in the main process | ``, `-1`, … |
 * | `%%` | a literal `%` | |
 *
 * Other sequences are left as they are. As in Celery, `%n` here is the node's name (`george`), not the host's
 * name part as in `--hostname` ({@link expandHostname}).
 *
 * @example expandNodeFormat('/var/run/q/%n%I.pid', 'w1@box') // '/var/run/q/w1.pid'
 */
export function expandNodeFormat(pattern: string, nodename: string, options: NodeFormatOptions = {}): string {
  const at = nodename.indexOf('@');
  const name = at === -1 ? 'celery' : nodename.slice(0, at) || 'celery';
  const host = at === -1 ? nodename : nodename.slice(at + 1);
  const dot = host.indexOf('.');
  const domain = dot === -1 ? '' : host.slice(dot + 1);
  const index = options.processIndex ?? 0;
  return pattern.replace(/%([phndiI%])/g, (_match, key: string) => {
    switch (key) {
      case 'p':
        return nodename;
      case 'h':
        return host;
      case 'n':
        return name;
      case 'd':
        return domain;
      case 'i':
        return String(index);
      case 'I':
        return index === 0 ? '' : `-${index}`;
      default:
        return '%';
    }
  });
}
