/**
 * The `@q/serializer-msgpack` plugin: registers the `msgpack` serializer, so `task.serializer: 'msgpack'` (or
 * `serializer: 'msgpack'` per call, per route, for events) and `accept: ['json', 'msgpack']` work.
 */
import type { Plugin } from '@q/core';
import { msgpackSerializer } from './msgpack-serializer.js';

/** The plugin (`createApp({ plugins: [msgpackPlugin] })`). */
export const msgpackPlugin: Plugin = {
  name: '@q/serializer-msgpack',
  setup(api) {
    api.serializer(msgpackSerializer);
  },
};

/** The same plugin under the name core's loaders look for. */
export const qPlugin: Plugin = msgpackPlugin;
