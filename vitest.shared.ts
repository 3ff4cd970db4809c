import { defineConfig } from 'vitest/config';

/**
 * Run on `src/` through the `@q/source` export condition. No `module` condition: it resolves the AWS SDK (of
 * `@q/transport-sqs`) to its `dist-es` build, whose extensionless imports Node cannot load.
 */
const conditions = ['@q/source', 'node', 'import', 'default'];

/** Vitest settings shared by every package: run on `src/` through the `source` export condition. */
export const sharedConfig = defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['test/**/*.integration.test.ts', 'node_modules/**', 'dist/**'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    passWithNoTests: true,
  },
});

/** Settings for `test:integration`: live services, one file at a time. */
export const integrationConfig = defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['test/**/*.integration.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    passWithNoTests: true,
  },
});
