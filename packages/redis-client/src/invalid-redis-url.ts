import { ConfigError } from '@q/core';
import { maskRedisUrl } from './mask-redis-url.js';

/** `ConfigError` `Q_ERR_URL_INVALID` for a Redis URL (shown with its passwords masked), saying `why`. */
export function invalidRedisUrl(url: string, why: string, cause?: unknown): ConfigError {
  return new ConfigError('Q_ERR_URL_INVALID', `Redis URL "${maskRedisUrl(url)}" is invalid: ${why}`, cause === undefined ? {} : { cause });
}
