/**
 * Celery's database URLs → a `pg` connection string: `db+postgresql://`, `db+postgresql+psycopg2://`,
 * `postgresql://` and `postgres://` all name the same server; the SQLAlchemy prefix and driver suffix go.
 */
import { ConfigError } from '@q/core';
import { maskUrl } from '@q/core/adapter';

const SCHEME = /^(?:db\+)?(postgres|postgresql)(?:\+[a-z0-9_]+)?:\/\//i;

/** The `pg` connection string for `url`. @throws ConfigError `Q_ERR_URL_INVALID` for another scheme or no host part. */
export function pgConnectionString(url: string): string {
  if (!SCHEME.test(url)) {
    throw new ConfigError(
      'Q_ERR_URL_INVALID',
      `PostgreSQL result backend URL "${maskUrl(url)}" must start with postgresql://, postgres://, db+postgresql:// or db+postgresql+psycopg2://`,
    );
  }
  const plain = url.replace(SCHEME, 'postgresql://');
  try {
    new URL(plain);
  } catch (err) {
    throw new ConfigError('Q_ERR_URL_INVALID', `PostgreSQL result backend URL "${maskUrl(url)}" is not a valid URL`, { cause: err });
  }
  return plain;
}
