/**
 * `@q/serializer-msgpack`: kombu's `msgpack` serializer (`application/x-msgpack`) for q.
 *
 * ```ts
 * import { msgpackPlugin } from '@q/serializer-msgpack';
 * const app = createApp({ broker, plugins: [msgpackPlugin], task: { serializer: 'msgpack' }, accept: ['json', 'msgpack'] });
 * ```
 */
export { msgpackSerializer } from './msgpack-serializer.js';
export { msgpackPlugin, qPlugin } from './plugin.js';
