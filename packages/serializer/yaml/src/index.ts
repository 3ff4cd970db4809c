/**
 * `@q/serializer-yaml`: kombu's `yaml` serializer (`application/x-yaml`) for q, loading safely.
 *
 * ```ts
 * import { yamlPlugin } from '@q/serializer-yaml';
 * const app = createApp({ broker, plugins: [yamlPlugin], task: { serializer: 'yaml' }, accept: ['json', 'yaml'] });
 * ```
 */
export { yamlSerializer } from './yaml-serializer.js';
export { yamlPlugin, qPlugin } from './plugin.js';
