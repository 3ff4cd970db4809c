import { defineConfig } from 'vitest/config';
import { sharedConfig } from '../../../vitest.shared.ts';

/**
 * The shared settings without the `module` export condition: it resolves the AWS SDK to its `dist-es` build, whose
 * extensionless imports Node cannot load.
 */
const conditions = ['@q/source', 'node', 'import', 'default'];

export default defineConfig({ ...sharedConfig, resolve: { conditions }, ssr: { resolve: { conditions } } });
