/** What each pool behaviour group receives. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ChildAppSource, Pool, PoolCapabilities, PoolOptions } from '@q/core/adapter';
import { onTestFinished } from 'vitest';

/** Options of `poolSuite`. */
export interface PoolSuiteOptions {
  /**
   * Modules a child imports before the suite's app module (their `register()` is called): a TypeScript loader such
   * as `tsx/esm/api` when the suite runs from source.
   */
  preload?: readonly string[];
  /** Slack on timings, ms (default 400; more on a loaded machine). */
  slackMs?: number;
}

/** Creates the pool under test: `options.childApp` loads the suite's tasks in a child. */
export type PoolSuiteFactory = (options: PoolOptions & { childApp: ChildAppSource }) => Pool;

/** Shared state of one suite run. */
export interface PoolContext {
  /** A started pool, stopped (cold) after the test. */
  open(concurrency: number): Promise<Pool>;
  readonly slackMs: number;
}

const IN_PROCESS: PoolCapabilities = { isolation: 'none', hardTimeout: false, terminate: false };

/** The declared capabilities of `pool` (none declared: an in-process pool). */
export function capabilitiesOf(pool: Pool): PoolCapabilities {
  return pool.capabilities ?? IN_PROCESS;
}

/** The suite app module: the source beside this file, else the built one. */
function suiteAppModule(): string {
  for (const candidate of ['./suite-app.ts', './suite-app.js', './pool/suite-app.js']) {
    const url = new URL(candidate, import.meta.url);
    if (existsSync(fileURLToPath(url))) return url.href;
  }
  throw new Error('@q/conformance: cannot find the pool suite app module');
}

export function poolContext(factory: PoolSuiteFactory, options: PoolSuiteOptions): PoolContext {
  const childApp: ChildAppSource = { module: suiteAppModule(), exportName: 'suiteApp', preload: options.preload ?? [] };
  return {
    async open(concurrency) {
      const pool = factory({ concurrency, childApp });
      onTestFinished(() => pool.stop({ graceful: false }));
      await pool.start();
      return pool;
    },
    slackMs: options.slackMs ?? 400,
  };
}
