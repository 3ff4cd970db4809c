/** JSON schemas of the API's inputs (fastify validates them; a mismatch answers 400 naming the field). */

const text = (maxLength: number) => ({ type: 'string', minLength: 1, maxLength }) as const;

/** Task states: `SUCCESS`, or several separated by commas (`FAILURE,RETRY`); custom states are upper-case too. */
export const STATE_PATTERN = '^[A-Z][A-Z_]{0,31}(,[A-Z][A-Z_]{0,31}){0,15}$';

/** `GET /api/tasks` query. */
export const taskListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    state: { type: 'string', pattern: STATE_PATTERN },
    name: text(256),
    worker: text(256),
    search: { type: 'string', maxLength: 256 },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 50 },
    offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
  },
} as const;

/** `GET /api/rates` query. */
export const ratesQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { seconds: { type: 'integer', minimum: 10, maximum: 3600, default: 300 } },
} as const;

/** `:id` of a task. */
export const taskParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 256, pattern: '^[^\\s]+$' } },
} as const;

/** `:hostname` of a worker. */
export const workerParams = {
  type: 'object',
  required: ['hostname'],
  properties: { hostname: { type: 'string', minLength: 1, maxLength: 256, pattern: '^[^\\s]+$' } },
} as const;

/** `POST /api/tasks/:id/revoke` body. */
export const revokeBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    terminate: { type: 'boolean', default: false },
    signal: { type: 'string', pattern: '^SIG[A-Z0-9]{2,8}$', default: 'SIGTERM' },
  },
} as const;

/** `POST /api/rate-limit` body. */
export const rateLimitBody = {
  type: 'object',
  additionalProperties: false,
  required: ['taskName', 'rate'],
  properties: {
    taskName: text(256),
    /** Tasks per second, or per `s`, `m`, `h`; `0` removes the limit. */
    rate: { type: 'string', pattern: '^\\d{1,9}(\\.\\d{1,6})?(/[smh])?$' },
    destination: text(256),
  },
} as const;

/** `POST /api/workers/:hostname/pool/{grow,shrink}` body. */
export const poolBody = {
  type: 'object',
  additionalProperties: false,
  properties: { n: { type: 'integer', minimum: 1, maximum: 100, default: 1 } },
} as const;

/** An empty body (`POST /api/workers/:hostname/shutdown`). */
export const emptyBody = { type: 'object', additionalProperties: false, properties: {} } as const;
