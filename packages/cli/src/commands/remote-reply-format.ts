/**
 * Replies printed the way `celery inspect` / `celery control` print them (Celery's `CLIContext.pretty` and
 * `say_chat`): a `->  <node>: OK` (or `ERROR`) line, then the value indented: a list as `* item` lines, an
 * `{ok}`/`{error}` reply as its text, another object as sorted, indented JSON, an empty list or object as
 * `- empty -`. Without colours.
 */

/** `OK` or `ERROR`, and the text to print under the node's line. */
export function prettyReply(value: unknown): { status: 'OK' | 'ERROR'; text: string } {
  if (Array.isArray(value)) {
    return { status: 'OK', text: value.length === 0 ? '- empty -' : value.map((item) => `* ${typeof item === 'string' ? item : stringify(item)}`).join('\n') };
  }
  if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    if ('ok' in record) return { status: 'OK', text: indent(prettyReply(record['ok']).text, 4) };
    if ('error' in record) return { status: 'ERROR', text: indent(prettyReply(record['error']).text, 4) };
    if (Object.keys(record).length === 0) return { status: 'OK', text: '- empty -' };
    return { status: 'OK', text: JSON.stringify(sortKeys(record), null, 4) };
  }
  if (typeof value === 'string') return { status: 'OK', text: value };
  return { status: 'OK', text: stringify(value) };
}

/** The lines of one reply `{node: value}`: `->  node: OK`, then (with `showBody`) the value indented by 4. */
export function replyLines(reply: Record<string, unknown>, showBody: boolean): string[] {
  const lines: string[] = [];
  for (const [node, value] of Object.entries(reply)) {
    const { status, text } = prettyReply(value);
    lines.push(`->  ${node}: ${status}`);
    if (showBody && text !== '') lines.push(indent(text, 4));
  }
  return lines;
}

/** `1 node online.`, `3 nodes online.` */
export function nodesOnline(count: number): string {
  return `${count} ${count === 1 ? 'node' : 'nodes'} online.`;
}

function indent(text: string, n: number): string {
  const pad = ' '.repeat(n);
  return text
    .split('\n')
    .map((line) => pad + line)
    .join('\n');
}

function stringify(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
  );
}
