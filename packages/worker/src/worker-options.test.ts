import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '@q/core/internal';
import type { PoolDefinition } from '@q/core/adapter';
import { asyncPool } from './pools/async-pool.js';
import { resolveWorkerOptions } from './worker-options.js';

const conf = resolveConfig();
const threads: PoolDefinition = { create: ({ concurrency }) => asyncPool({ concurrency }), defaultConcurrency: 6 };

describe('resolveWorkerOptions: concurrency from the pool declaration', () => {
  it('forces solo to 1 even when a concurrency is given (option or config)', () => {
    expect(resolveWorkerOptions(conf, { pool: 'solo', concurrency: 8 }).concurrency).toBe(1);
    expect(resolveWorkerOptions(resolveConfig({ worker: { pool: 'solo', concurrency: 8 } })).concurrency).toBe(1);
    expect(resolveWorkerOptions(conf, { pool: 'solo', prefetchMultiplier: 4 }).prefetch).toBe(4);
  });

  it('defaults async to 100, and takes a given concurrency over it', () => {
    expect(resolveWorkerOptions(conf, { pool: 'async' }).concurrency).toBe(100);
    expect(resolveWorkerOptions(conf).concurrency).toBe(100);
    expect(resolveWorkerOptions(conf, { pool: 'async', concurrency: 3 }).concurrency).toBe(3);
    expect(resolveWorkerOptions(resolveConfig({ worker: { concurrency: 5 } })).concurrency).toBe(5);
  });

  it('gives a plugin pool the default it declares, unless a concurrency is given', () => {
    expect(resolveWorkerOptions(conf, { pool: 'threads' }, { threads }).concurrency).toBe(6);
    expect(resolveWorkerOptions(conf, { pool: 'threads' }, new Map([['threads', threads]])).concurrency).toBe(6);
    expect(resolveWorkerOptions(conf, { pool: 'threads', concurrency: 2 }, { threads }).concurrency).toBe(2);
  });

  it('gives a plugin pool registered as a bare factory the number of CPUs', () => {
    const bare = ({ concurrency }: { concurrency: number }) => asyncPool({ concurrency });
    expect(resolveWorkerOptions(conf, { pool: 'threads' }, { threads: bare }).concurrency).toBe(availableParallelism());
  });

  it('lets a plugin pool replace a built-in name with its own declaration', () => {
    const fixed: PoolDefinition = { create: () => asyncPool({ concurrency: 2 }), fixedConcurrency: 2 };
    expect(resolveWorkerOptions(conf, { pool: 'async', concurrency: 50 }, { async: fixed }).concurrency).toBe(2);
  });

  it('takes a pool instance with its own concurrency', () => {
    const options = resolveWorkerOptions(conf, { pool: asyncPool({ concurrency: 9 }), concurrency: 2 });
    expect(options).toMatchObject({ poolName: 'async', concurrency: 9, prefetch: 36 });
  });

  it('rejects a declared default that is not a positive integer, naming the option', () => {
    const broken: PoolDefinition = { create: () => asyncPool(), defaultConcurrency: 0 };
    expect(() => resolveWorkerOptions(conf, { pool: 'broken' }, { broken })).toThrow(/worker\.concurrency: expected a positive integer, got 0/);
  });
});

describe('resolveWorkerOptions: child recycling and the state db from the app config', () => {
  it("reads worker.maxTasksPerChild, maxMemoryPerChild and stateDb (Celery's worker_* settings); options win", () => {
    const fromConf = resolveConfig({ worker: { maxTasksPerChild: 10, maxMemoryPerChild: 200_000, stateDb: '/tmp/%n.state', hostname: 'w1@box' } });
    const resolved = resolveWorkerOptions(fromConf);
    expect(resolved.poolOptions).toMatchObject({ maxTasksPerChild: 10, maxMemoryPerChild: 200_000 });
    expect(resolved.statedb).toBe('/tmp/w1.state');
    const given = resolveWorkerOptions(fromConf, { maxTasksPerChild: 3, maxMemoryPerChild: 1000, statedb: null });
    expect(given.poolOptions).toMatchObject({ maxTasksPerChild: 3, maxMemoryPerChild: 1000 });
    expect(given.statedb).toBeNull();
  });

  it('leaves them unset by default, and refuses a non-positive count', () => {
    const resolved = resolveWorkerOptions(conf);
    expect(resolved.poolOptions).not.toHaveProperty('maxTasksPerChild');
    expect(resolved.poolOptions).not.toHaveProperty('maxMemoryPerChild');
    expect(resolved.statedb).toBeNull();
    expect(() => resolveConfig({ worker: { maxTasksPerChild: 0 } })).toThrow(/maxTasksPerChild/);
  });
});
