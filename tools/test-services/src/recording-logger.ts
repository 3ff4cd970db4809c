/**
 * The recording logger lives in `@q/testing` (published, for app authors' tests); re-exported here for the tests of
 * packages that cannot depend on `@q/testing` (`@q/core`'s: `@q/testing` depends on `@q/core`). The file imports
 * nothing from q, so no package cycle comes of it.
 */
export * from '../../../packages/testing/src/recording-logger.js';
