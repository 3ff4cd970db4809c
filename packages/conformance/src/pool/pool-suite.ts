/**
 * `poolSuite`: the behaviour every execution pool must have. The factory returns a fresh pool per test; a pool with
 * children loads the suite's tasks from `options.childApp`. Groups that depend on a capability run only when the
 * pool declares it.
 */
import { describe } from 'vitest';
import { capabilitiesOf, poolContext, type PoolSuiteFactory, type PoolSuiteOptions } from './context.js';
import { concurrencyTests } from './concurrency.js';
import { isolationTests } from './isolation.js';
import { outcomeTests } from './outcomes.js';
import { stopTerminateTests } from './stop-terminate.js';
import { timeLimitTests } from './time-limits.js';

export type { PoolSuiteFactory, PoolSuiteOptions } from './context.js';

/** Register the pool conformance tests under `describe(name)`. */
export function poolSuite(name: string, factory: PoolSuiteFactory, options: PoolSuiteOptions = {}): void {
  describe(`${name}: pool conformance`, () => {
    const probe = factory({ concurrency: 1, childApp: { module: 'unused' } });
    const ctx = poolContext(factory, options);
    outcomeTests(ctx);
    concurrencyTests(ctx);
    timeLimitTests(ctx, capabilitiesOf(probe).hardTimeout);
    stopTerminateTests(ctx);
    isolationTests(ctx);
  });
}
