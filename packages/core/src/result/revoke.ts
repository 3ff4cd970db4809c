/**
 * Revoking from a result handle (Celery's `AsyncResult.revoke` / `ResultSet.revoke`): one `revoke` broadcast through
 * the app's remote control for every id, replies awaited only with `wait`.
 */
import { ConfigError } from '../errors/q-error.js';
import type { ResultHost, ResultRevokeOptions } from './result-base.js';

/**
 * Broadcasts `revoke` for `ids` through `host.control`.
 * @throws ConfigError `Q_ERR_CONFIG_INVALID` when the host has no remote control (a handle made without an app).
 */
export async function revokeResults(host: ResultHost, ids: string | readonly string[], options: ResultRevokeOptions): Promise<void> {
  if (!host.control) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', 'this result handle has no remote control to revoke through: create it from an app (app.asyncResult(id))');
  }
  const { terminate = false, signal = 'SIGTERM', wait = false, timeout = 1 } = options;
  await host.control.revoke(ids, { terminate, signal, reply: wait, timeout });
}
