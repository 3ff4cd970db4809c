/**
 * One socket write per turn of the event loop. ioredis writes every command to its socket as it is issued, one
 * system call each; on a loopback connection each write also wakes Redis. Corking the socket at the first write of
 * a turn and uncorking it when the turn's synchronous work and promise callbacks are done (`process.nextTick`)
 * sends what the turn issued (a blocking wait and the pop queued behind it, a batch of acks and a result) as one
 * `writev`. Commands keep their order; nothing waits longer than the turn that issued it.
 *
 * It wraps the `write` of the socket ioredis connected (again on every reconnect, which makes a new socket): if a
 * future ioredis stops exposing `stream`, the client is left as it is and works as before, only with more writes.
 */
import type { Redis } from 'ioredis';

interface Corkable {
  write: (...args: unknown[]) => boolean;
  cork: () => void;
  uncork: () => void;
  writableCorked?: number;
}

const PATCHED = Symbol('q.coalescedWrites');

function patch(stream: Corkable & { [PATCHED]?: true }): void {
  if (stream[PATCHED]) return;
  stream[PATCHED] = true;
  const write = stream.write;
  let corked = false;
  const flush = (): void => {
    corked = false;
    stream.uncork();
  };
  stream.write = function coalescedWrite(this: Corkable, ...args: unknown[]): boolean {
    if (!corked) {
      corked = true;
      stream.cork();
      process.nextTick(flush);
    }
    return write.apply(this, args);
  };
}

/** Makes `client` send the commands issued in one turn of the event loop with one socket write. Returns `client`. */
export function coalesceWrites<T extends Redis>(client: T): T {
  const attach = (): void => {
    const stream = (client as unknown as { stream?: Partial<Corkable> }).stream;
    if (stream && typeof stream.write === 'function' && typeof stream.cork === 'function' && typeof stream.uncork === 'function') patch(stream as Corkable);
  };
  client.on('connect', attach);
  return client;
}
