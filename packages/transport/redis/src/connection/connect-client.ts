/**
 * Connecting an ioredis client so that a failure says why. ioredis rejects a failed `connect()` with "Connection is
 * closed."; the socket's own error (a server certificate that fails TLS verification, say) only reaches the
 * client's 'error' event. A TLS verification failure is final, so it is what the connect rejects with.
 */
import type { Redis } from 'ioredis';
import { tlsVerifyCode } from '@q/core';

/** Connects `client` unless it is connecting or connected; rejects with the TLS verification error when there was one. */
export async function connectClient(client: Redis): Promise<void> {
  if (client.status !== 'wait' && client.status !== 'end') return;
  let tlsError: unknown = null;
  const remember = (err: unknown): void => {
    if (tlsVerifyCode(err) !== null) tlsError = err;
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
