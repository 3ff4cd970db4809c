import { defineConfig } from 'vitest/config';
import { integrationConfig } from '../../../vitest.shared.ts';

/** The shared settings without the `module` export condition (see vitest.config.ts). */
const conditions = ['@q/source', 'node', 'import', 'default'];

export default defineConfig({ ...integrationConfig, resolve: { conditions }, ssr: { resolve: { conditions } } });
