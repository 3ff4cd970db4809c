/**
 * Which installable package provides a URL scheme that no plugin registered yet (kombu's transport aliases).
 * `-b redis://…` then works without the app importing the adapter: the package is imported from
 * `resolveFrom` and its `qPlugin` export is set up.
 */

/** Scheme → package, for brokers and for result backends. */
export const SCHEME_PACKAGES = Object.freeze({
  transport: Object.freeze({
    redis: '@q/transport-redis',
    rediss: '@q/transport-redis',
    'redis+socket': '@q/transport-redis',
    sentinel: '@q/transport-redis',
    amqp: '@q/transport-amqp',
    amqps: '@q/transport-amqp',
    pyamqp: '@q/transport-amqp',
    sqs: '@q/transport-sqs',
  } as Record<string, string>),
  backend: Object.freeze({
    redis: '@q/backend-redis',
    rediss: '@q/backend-redis',
    'redis+socket': '@q/backend-redis',
    sentinel: '@q/backend-redis',
    rpc: '@q/backend-rpc',
    postgres: '@q/backend-pg',
    postgresql: '@q/backend-pg',
    'db+postgresql': '@q/backend-pg',
    'db+postgresql+psycopg2': '@q/backend-pg',
  } as Record<string, string>),
});

/** Scheme tables by adapter kind. */
export type SchemePackages = { readonly transport: Readonly<Record<string, string>>; readonly backend: Readonly<Record<string, string>> };
