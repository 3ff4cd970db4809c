/**
 * `@q/transport-amqp`: the AMQP 0-9-1 (RabbitMQ) broker for q, wire-compatible with Celery's py-amqp transport.
 */
export { AMQP_CAPABILITIES, AmqpTransport, amqpTransport } from './amqp-transport.js';
export { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_HEARTBEAT_MS, DEFAULT_URL, resolveAmqpOptions } from './options.js';
export type { AmqpLoginMethod, AmqpTransportOptions, ResolvedAmqpOptions } from './options.js';
export { maskAmqpUrl, parseAmqpUrl } from './url.js';
export type { AmqpEndpoint } from './url.js';
export { decodeFieldTable, decodeFields, encodeFieldTable, encodeTable } from './codec/field-table.js';
export { AMQP_SCHEMES, qPlugin } from './plugin.js';
