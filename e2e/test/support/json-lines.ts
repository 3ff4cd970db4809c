/**
 * The JSON documents a Python helper prints, one per line, from its stdout chunks (lines not starting with `{`, such
 * as Celery's own output, are skipped).
 */
import type { Readable } from 'node:stream';

/** Calls `onDocument` with each JSON line `stream` writes, in order. */
export function onJsonLines(stream: Readable | null | undefined, onDocument: (doc: unknown) => void): void {
  let buffer = '';
  stream?.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.startsWith('{')) onDocument(JSON.parse(line));
    }
  });
}
