/**
 * Connecting an ioredis client so that a failure says why. ioredis rejects a failed `connect()` with "Connection is
 * closed."; the socket's own error (a server certificate that fails TLS verification, say) only reaches the
 * client's 'error' event. A TLS verification failure is final, so it is what the connect rejects with, and
 * {@link tlsVerifyFailure} turns it into the q error both the transport and `@q/backend-redis` report.
 */
import type { Redis } from 'ioredis';
import { ConnectionError, tlsVerifyCode } from '@q/core';

/**
 * Connects `client` unless it is connecting or connected; rejects with the TLS verification error when there was one.
 * That failure also stops the client (no reconnects in the background: its status is `end`, so a later
 * `connectClient` tries again).
 */
export async function connectClient(client: Redis): Promise<void> {
  if (client.status !== 'wait' && client.status !== 'end') return;
  let tlsError: unknown = null;
  const remember = (err: unknown): void => {
    if (tlsVerifyCode(err) === null) return;
    tlsError = err;
    // Before the socket's 'close': ioredis then ends the client instead of scheduling a reconnect (a disconnect()
    // once the reconnect is scheduled would leave it 'reconnecting' for good).
    client.disconnect();
  };
  client.on('error', remember);
  try {
    await client.connect();
  } catch (error) {
    throw tlsError ?? error;
  } finally {
    client.off('error', remember);
  }
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
