/**
 * Closing an ioredis client whatever it is doing, without leaving a timer behind.
 *
 * A `ready` client QUITs (the replies it waits for arrive first). Any other is stopped at once: `disconnect()`,
 * and the socket it is opening is destroyed, so that no handshake runs on a socket that is already closing.
 *
 * ioredis 5 starts a timer (`disconnectTimeout`, 2 s, which keeps the process alive) each time `disconnect()`
 * reaches a socket, cleared when that socket closes; a socket that has closed already never clears it. A client
 * stopped during its handshake (CLIENT SETNAME, SELECT, the INFO ready check) fails that handshake once the socket
 * is gone and calls `disconnect(true)` by itself: a stopped client therefore ignores `disconnect()` once it is
 * `end` (there is nothing left to disconnect; ioredis would only start that timer and mark its next connection as
 * closed by hand).
 */
import type { Redis } from 'ioredis';

const GUARDED = Symbol('q.disconnectOnceEnded');

/** Make `client.disconnect()` do nothing while the client is `end` (see the module comment). */
function ignoreDisconnectWhenEnded(client: Redis & { [GUARDED]?: true }): void {
  if (client[GUARDED]) return;
  client[GUARDED] = true;
  const disconnect = client.disconnect.bind(client);
  client.disconnect = (reconnect?: boolean): void => {
    if (client.status !== 'end') disconnect(reconnect);
  };
}

/** `disconnect()` now, and destroy the socket being opened (`connecting`) or greeted (`connect`). */
function stop(client: Redis): void {
  ignoreDisconnectWhenEnded(client);
  client.disconnect();
  // A socket from an earlier connection, if that is what `stream` still holds, is closed already: nothing happens.
  (client.stream as Redis['stream'] | undefined)?.destroy();
}

/** Resolves once `client` is `end`; at once for a client waiting to reconnect (see {@link closeClient}). */
function ended(client: Redis): Promise<void> {
  if (client.status === 'reconnecting') return Promise.resolve();
  return new Promise<void>((resolve) => client.once('end', () => resolve()));
}

/**
 * Stop `client` at once, whatever it is doing: no QUIT, so replies still awaited are not waited for (their
 * commands reject with "Connection is closed."). Resolves once it is `end`, with the exception {@link closeClient}
 * describes for a client waiting to reconnect.
 */
export async function stopClient(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  const end = ended(client);
  stop(client);
  await end;
}

/**
 * Close `client`: QUIT when it is ready (falling back to stopping it), otherwise stop it at once
 * ({@link stopClient}). Resolves once it is `end` (a QUIT's reply comes before that: a `connect()` in between would
 * find the client still ready) — except for a client waiting to reconnect, which ioredis leaves `reconnecting`: its
 * scheduled reconnect is cancelled, but commands queued on it meanwhile stay pending (their callers must be
 * answered by the owner), and ioredis' 2 s timer starts on the socket that already closed (public API cannot
 * avoid it).
 */
export async function closeClient(client: Redis): Promise<void> {
  if (client.status !== 'ready') return stopClient(client);
  const end = ended(client);
  try {
    await client.quit();
  } catch {
    stop(client);
  }
  await end;
}
