import { describe, expect, it } from 'vitest';
import { TimeLimitExceededError } from '@q/core';
import type { QError } from '@q/core';
import type { PoolJob, PoolOutcome } from '@q/core/adapter';
import { asyncPool } from './async-pool.js';
import { soloPool } from './solo-pool.js';
import type { LazySignalJob } from './run-with-limits.js';

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function job(body: (signal: AbortSignal) => Promise<unknown>, id = 't1'): PoolJob {
  return { taskId: id, taskName: 'tasks.x', run: body };
}

/** A job that resolves when told to, counting how many run at once. */
function gate() {
  let now = 0;
  let max = 0;
  const releases: (() => void)[] = [];
  const make = (value: unknown): PoolJob =>
    job(async () => {
      now += 1;
      max = Math.max(max, now);
      await new Promise<void>((r) => releases.push(r));
      now -= 1;
      return value;
    });
  return { make, releaseAll: () => releases.splice(0).forEach((r) => r()), get max() { return max; }, get waiting() { return releases.length; } };
}

describe('asyncPool', () => {
  it('runs at most `concurrency` jobs at once and reports each outcome', async () => {
    const pool = asyncPool({ concurrency: 2 });
    await pool.start();
    const g = gate();
    const outcomes = [1, 2, 3, 4, 5].map((n) => pool.run(g.make(n), {}));
    await sleep(5);
    expect(pool.active).toBe(2);
    expect(g.waiting).toBe(2);
    while (g.waiting > 0) {
      g.releaseAll();
      await sleep(2);
    }
    const results = await Promise.all(outcomes);
    expect(results.map((o) => (o.kind === 'success' ? o.value : o.kind))).toEqual([1, 2, 3, 4, 5]);
    expect(g.max).toBe(2);
    expect(pool.active).toBe(0);
  });

  it('reports a thrown error as a failure outcome, never throwing', async () => {
    const pool = asyncPool({ concurrency: 1 });
    const err = new Error('bad');
    const outcome = await pool.run(job(async () => Promise.reject(err)), {});
    expect(outcome).toMatchObject({ kind: 'failure', error: err });
    const syncThrow = await pool.run({ taskId: 'x', taskName: 'y', run: () => { throw err; } }, {});
    expect(syncThrow).toMatchObject({ kind: 'failure', error: err });
  });

  it('aborts the job signal with a soft TimeLimitExceededError at the soft limit', async () => {
    const pool = asyncPool({ concurrency: 1 });
    const outcome = await pool.run(
      job(
        (signal) =>
          new Promise((_resolve, reject) => {
            signal.addEventListener('abort', () => reject(signal.reason as Error));
          }),
      ),
      { softTimeoutMs: 20, hardTimeoutMs: 1000 },
    );
    expect(outcome.kind).toBe('failure');
    const error = (outcome as Extract<PoolOutcome, { kind: 'failure' }>).error;
    expect(error).toBeInstanceOf(TimeLimitExceededError);
    expect((error as QError).code).toBe('Q_ERR_SOFT_TIME_LIMIT');
  });

  it('lets a job catch the soft limit and still succeed', async () => {
    const pool = asyncPool({ concurrency: 1 });
    const outcome = await pool.run(
      job((signal) => new Promise((resolve) => signal.addEventListener('abort', () => resolve('cleaned up')))),
      { softTimeoutMs: 10 },
    );
    expect(outcome).toMatchObject({ kind: 'success', value: 'cleaned up' });
  });

  it('returns timeout at the hard limit and discards the late result; the abandoned body keeps its slot until it settles', async () => {
    const pool = asyncPool({ concurrency: 1 });
    let hardSignal: AbortSignal | undefined;
    const started = Date.now();
    const outcome = await pool.run(
      job(async (signal) => {
        hardSignal = signal;
        await sleep(200);
        return 'too late';
      }),
      { hardTimeoutMs: 20 },
    );
    expect(outcome.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(150);
    expect(hardSignal?.aborted).toBe(true);
    expect((hardSignal?.reason as QError).code).toBe('Q_ERR_HARD_TIME_LIMIT');
    expect(pool.active).toBe(1);
    const next = await pool.run(job(async () => 'next'), {});
    expect(next).toMatchObject({ kind: 'success', value: 'next' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(195);
    expect(pool.active).toBe(0);
  });

  it('frees the slot at once when the body settles before the hard limit fires', async () => {
    const pool = asyncPool({ concurrency: 1 });
    const outcome = await pool.run(job(async () => 'quick'), { hardTimeoutMs: 1000 });
    expect(outcome).toMatchObject({ kind: 'success', value: 'quick' });
    expect(pool.active).toBe(0);
  });

  it('reports terminated when the outer signal aborts', async () => {
    const pool = asyncPool({ concurrency: 1 });
    const ac = new AbortController();
    const p = pool.run(job(() => new Promise(() => {})), { signal: ac.signal });
    await sleep(2);
    ac.abort('revoked');
    expect(await p).toMatchObject({ kind: 'terminated', reason: 'revoked' });
  });

  it('graceful stop waits for running jobs and does not start waiting ones', async () => {
    const pool = asyncPool({ concurrency: 1 });
    let ran = 0;
    const first = pool.run(job(async () => { ran += 1; await sleep(30); return 'first'; }), {});
    const second = pool.run(job(async () => { ran += 1; return 'second'; }), {});
    await sleep(2);
    const stopped = pool.stop({ graceful: true });
    expect(await first).toMatchObject({ kind: 'success', value: 'first' });
    expect((await second).kind).toBe('terminated');
    await stopped;
    expect(ran).toBe(1);
    expect((await pool.run(job(async () => 1), {})).kind).toBe('terminated');
  });

  it('hands a lazy-signal job a signal factory: one signal per job, aborted by a cold stop even if read later', async () => {
    const pool = asyncPool({ concurrency: 2 });
    let getSignal: (() => AbortSignal) | undefined;
    const lazy: LazySignalJob = {
      taskId: 'lazy',
      taskName: 'tasks.lazy',
      run: () => Promise.reject(new Error('run() must not be called for a lazy-signal job')),
      runLazy: (signal) => {
        getSignal = signal;
        return new Promise(() => {});
      },
    };
    const running = pool.run(lazy, {});
    const plain = await pool.run(job(async () => 'plain'), {});
    expect(plain).toMatchObject({ kind: 'success', value: 'plain' });
    await pool.stop({ graceful: false });
    expect(await running).toMatchObject({ kind: 'terminated' });
    const signal = getSignal?.();
    expect(signal?.aborted).toBe(true);
    expect((signal?.reason as QError).code).toBe('Q_ERR_WORKER_STATE');
    expect(getSignal?.()).toBe(signal);
  });

  it('aborts a lazily read signal at the soft limit', async () => {
    const pool = asyncPool({ concurrency: 1 });
    const lazy: LazySignalJob = {
      taskId: 'lazy',
      taskName: 'tasks.lazy',
      run: () => Promise.reject(new Error('unused')),
      runLazy: async (signal) => {
        await sleep(40);
        return (signal().reason as QError).code;
      },
    };
    const outcome = await pool.run(lazy, { softTimeoutMs: 10 });
    expect(outcome).toMatchObject({ kind: 'success', value: 'Q_ERR_SOFT_TIME_LIMIT' });
  });

  it('cold stop aborts running jobs at once', async () => {
    const pool = asyncPool({ concurrency: 2 });
    let signal: AbortSignal | undefined;
    const running = pool.run(job((s) => { signal = s; return new Promise(() => {}); }), {});
    await sleep(2);
    await pool.stop({ graceful: false });
    expect((await running).kind).toBe('terminated');
    expect(signal?.aborted).toBe(true);
  });
});

describe('soloPool', () => {
  it('runs one job at a time', async () => {
    const pool = soloPool();
    expect(pool.name).toBe('solo');
    expect(pool.concurrency).toBe(1);
    const order: string[] = [];
    const a = pool.run(job(async () => { order.push('a start'); await sleep(10); order.push('a end'); }), {});
    const b = pool.run(job(async () => { order.push('b start'); }), {});
    await Promise.all([a, b]);
    expect(order).toEqual(['a start', 'a end', 'b start']);
  });
});
