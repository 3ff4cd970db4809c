/**
 * Connecting ioredis clients for real, once per call, so that an app's start-up retry (Celery's
 * `broker_connection_retry_on_startup`, `connectionMaxRetries`) retries something. While connecting, a client does
 * not reconnect on its own: a failed attempt leaves it stopped (`end`: no socket, no timer), and the next call
 * makes a fresh attempt. (Left reconnecting in the background, a client made a second connect return at once while
 * still offline, and a `disconnect()` once a reconnect was scheduled left it `reconnecting` for good, so commands
 * queued on it waited forever.) Once connected, the client's own `retryStrategy` is back: it reconnects forever.
 *
 * ioredis rejects a failed `connect()` with "Connection is closed."; the socket's own error, or the server's refusal
 * of the credentials (`WRONGPASS`, `NOAUTH`: never the password itself), only reaches the client's 'error' event, so
 * the rejection names it. A server certificate that fails TLS verification is final:
 * it is what the connect rejects with, and {@link tlsVerifyFailure} turns it into the q error both the transport
 * and `@q/backend-redis` report.
 */
import type { Redis, RedisOptions } from 'ioredis';
import { ConnectionError } from '@q/core';
import { tlsVerifyCode } from '@q/core/adapter';
import { stopClient } from './close-client.js';

/** The clients whose reconnects are off (their own strategy, and how many connects hold it off). */
const held = new WeakMap<Redis, { strategy: RedisOptions['retryStrategy']; holders: number }>();

/** Turns `client`'s reconnects off until the returned function is called (nested calls are counted). */
function reconnectsOff(client: Redis): () => void {
  let entry = held.get(client);
  if (!entry) {
    entry = { strategy: client.options.retryStrategy, holders: 0 };
    held.set(client, entry);
    client.options.retryStrategy = () => null;
  }
  entry.holders++;
  const own = entry;
  return () => {
    if (--own.holders > 0) return;
    held.delete(client);
    client.options.retryStrategy = own.strategy;
  };
}

/** Settles with the attempt under way (`connecting`, `connect`) or scheduled (`reconnecting`): ready, or ended. */
function outcome(client: Redis): Promise<void> {
  return new Promise((resolve, reject) => {
    const ready = (): void => {
      off();
      resolve();
    };
    const ended = (): void => {
      off();
      reject(new Error('Connection is closed.'));
    };
    const off = (): void => {
      client.off('ready', ready);
      client.off('end', ended);
    };
    client.on('ready', ready);
    client.on('end', ended);
  });
}

/** The server's replies that refuse the credentials (Redis 6+: WRONGPASS; older: invalid password; none set: NOAUTH). */
const AUTH_REFUSED = /^(WRONGPASS|NOAUTH|ERR invalid password|ERR AUTH)/;

/** One attempt on `client` (reconnects are off): resolves once ready; rejects, with the client `end`, otherwise. */
async function attempt(client: Redis): Promise<void> {
  if (client.status === 'ready') return;
  const seen: { tls: unknown; socket: Error | null } = { tls: null, socket: null };
  const remember = (err: unknown): void => {
    if (tlsVerifyCode(err) !== null) seen.tls ??= err;
    else if (err instanceof Error && (err.name !== 'ReplyError' || AUTH_REFUSED.test(err.message))) seen.socket ??= err;
  };
  client.on('error', remember);
  try {
    if (client.status === 'wait' || client.status === 'end') await client.connect();
    else await outcome(client);
  } catch (error) {
    if (seen.tls !== null) throw seen.tls;
    // Keep ioredis' message (callers match "Connection is closed"), and say why: "(connect ECONNREFUSED …)", "(WRONGPASS …)".
    const { socket } = seen;
    if (socket && error instanceof Error) throw new Error(`${error.message} (${socket.message})`, { cause: socket });
    throw error;
  } finally {
    client.off('error', remember);
  }
}

/**
 * Connects `clients` (at once), then runs `check` on them (the transport reads INFO): one real attempt each, with
 * their reconnects off. Resolves when all are ready and `check` passed; otherwise every client is stopped (`end`)
 * and it rejects with the first failure (a TLS verification error as such, see {@link tlsVerifyFailure}). Nothing
 * happens when every client is already ready. A client that is `connecting` or `reconnecting` counts with the
 * outcome of that attempt.
 */
export async function connectClients(clients: readonly Redis[], check?: () => Promise<void>): Promise<void> {
  if (clients.every((client) => client.status === 'ready')) return;
  const restore = clients.map(reconnectsOff);
  try {
    const outcomes = await Promise.allSettled(clients.map(attempt));
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    if (failed) throw failed.reason;
    await check?.();
  } catch (error) {
    await Promise.all(clients.map(stopClient));
    throw error;
  } finally {
    for (const back of restore) back();
  }
}

/** {@link connectClients} for one client. */
export function connectClient(client: Redis): Promise<void> {
  return connectClients([client]);
}

/**
 * When `error` (from {@link connectClient} against `where`, a masked URL) is a server certificate that failed TLS
 * verification: a final (`retryable: false`) `ConnectionError` `Q_ERR_CONNECTION_FAILED` naming the cause, else `null`.
 */
export function tlsVerifyFailure(error: unknown, where: string): ConnectionError | null {
  const code = tlsVerifyCode(error);
  if (code === null) return null;
  const reason = error instanceof Error ? error.message : String(error);
  return new ConnectionError(
    'Q_ERR_CONNECTION_FAILED',
    `cannot connect to ${where}: the server's TLS certificate failed verification (check ssl_ca_certs and ssl_check_hostname): ${reason} (${code})`,
    { cause: error, retryable: false },
  );
}
