import { defineConfig } from 'vitest/config';
import { integrationConfig } from '../vitest.shared.ts';

/**
 * The shared settings without the `module` export condition: it resolves the AWS SDK (of `@q/transport-sqs`) to its
 * `dist-es` build, whose extensionless imports Node cannot load.
 */
const conditions = ['@q/source', 'node', 'import', 'default'];

export default defineConfig({ ...integrationConfig, resolve: { conditions }, ssr: { resolve: { conditions } } });
