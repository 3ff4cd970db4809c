/**
 * The `@q/serializer-yaml` plugin: registers the `yaml` serializer, so `task.serializer: 'yaml'` and
 * `accept: ['json', 'yaml']` work.
 */
import type { Plugin } from '@q/core';
import { yamlSerializer } from './yaml-serializer.js';

/** The plugin (`createApp({ plugins: [yamlPlugin] })`). */
export const yamlPlugin: Plugin = {
  name: '@q/serializer-yaml',
  setup(api) {
    api.serializer(yamlSerializer);
  },
};

/** The same plugin under the name core's loaders look for. */
export const qPlugin: Plugin = yamlPlugin;
