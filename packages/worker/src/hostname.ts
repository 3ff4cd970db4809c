/**
 * Node name expansion (Celery's `%h`, `%n`, `%d` in `--hostname`).
 */
import { hostname as osHostname } from 'node:os';

/**
 * Expand a node-name pattern.
 *
 * - `%h` the full host name (`worker1.example.com`)
 * - `%n` its name part (`worker1`)
 * - `%d` its domain part (`example.com`, empty when the host has no dot)
 * - `%%` a literal `%`
 *
 * A pattern without `@` is a host part and gets `celery@` in front, as in Celery (`-n w1.example` →
 * `celery@w1.example`).
 *
 * @param pattern e.g. `celery@%h`, `w1@%n`, `%n.%%`.
 * @param host the host name to expand with (default: `os.hostname()`).
 */
export function expandHostname(pattern: string, host: string = osHostname()): string {
  const dot = host.indexOf('.');
  const name = dot === -1 ? host : host.slice(0, dot);
  const domain = dot === -1 ? '' : host.slice(dot + 1);
  const full = pattern.includes('@') ? pattern : `celery@${pattern}`;
  return full.replace(/%([hnd%])/g, (_match, key: string) => {
    switch (key) {
      case 'h':
        return host;
      case 'n':
        return name;
      case 'd':
        return domain;
      default:
        return '%';
    }
  });
}
