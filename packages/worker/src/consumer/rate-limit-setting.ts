/**
 * A rate limit given at run time (remote control `rate_limit`): a Celery rate string (`"10/m"`), a number of tasks
 * per second, or nothing.
 */
import { ConfigError } from '@q/core';
import { isRateLimit, parseRateLimit } from '@q/core/internal';

/**
 * Tasks per second for `rate`: `null` (no limit) for `null`, `""`, `0` or `"0"`, as in Celery.
 *
 * @throws ConfigError `Q_ERR_CONFIG_INVALID` for a malformed string or a negative or non-finite number.
 */
export function parseRateSetting(rate: string | number | null): number | null {
  if (rate === null || rate === '') return null;
  if (typeof rate === 'number') {
    if (!Number.isFinite(rate) || rate < 0) throw new ConfigError('Q_ERR_CONFIG_INVALID', `Invalid rate limit: ${rate} (tasks per second, 0 or more)`);
    return rate > 0 ? rate : null;
  }
  const text = rate.trim();
  if (!isRateLimit(text)) throw new ConfigError('Q_ERR_CONFIG_INVALID', `Invalid rate limit string: ${JSON.stringify(rate)} (expected N, N/s, N/m or N/h)`);
  return parseRateLimit(text);
}
