import type { QueueInfo, StatsReply } from '@q/core';
import { recordingLogger } from '@q/test-services';
import { describe, expect, it } from 'vitest';
import type { ClusterControl } from './cluster-control.js';
import { WorkerStatsCache } from './worker-stats-cache.js';

function control(overrides: Partial<ClusterControl>): ClusterControl {
  const none = async () => [];
  return {
    stats: async () => ({}),
    activeQueues: async () => ({}),
    queueSize: async () => 0,
    revoke: none,
    rateLimit: none,
    poolGrow: none,
    poolShrink: none,
    shutdown: async () => undefined,
    ...overrides,
  };
}

describe('WorkerStatsCache', () => {
  it('lists the configured queues and every consumed queue with its consumers and length', async () => {
    const cache = new WorkerStatsCache(
      control({
        activeQueues: async () => ({ 'a@h': [{ name: 'images' } as QueueInfo, { name: 'celery' } as QueueInfo], 'b@h': [{ name: 'images' } as QueueInfo] }),
        queueSize: async (q) => (q === 'images' ? 3 : 0),
      }),
      { queues: ['celery', 'spare'], now: () => 42 },
    );
    expect(cache.updatedAt).toBeNull();
    await cache.refresh();
    expect(cache.queueLengths).toEqual([
      { name: 'celery', messages: 0, consumers: ['a@h'] },
      { name: 'images', messages: 3, consumers: ['a@h', 'b@h'] },
      { name: 'spare', messages: 0, consumers: [] },
    ]);
    expect(cache.updatedAt).toBe(42);
  });

  it('keeps the previous answers when asking fails, and logs it', async () => {
    let fail = false;
    const logger = recordingLogger();
    const cache = new WorkerStatsCache(
      control({
        stats: async () => {
          if (fail) throw new Error('broker gone');
          return { 'a@h': { pid: 7 } as StatsReply };
        },
        queueSize: async () => {
          if (fail) throw new Error('broker gone');
          return 1;
        },
      }),
      { queues: ['celery'], logger },
    );
    await cache.refresh();
    fail = true;
    await cache.refresh();
    expect(cache.stats['a@h']?.pid).toBe(7);
    expect(cache.queueLengths).toEqual([{ name: 'celery', messages: null, consumers: [] }]);
    expect(logger.lines.map((l) => l.msg)).toEqual([
      'dashboard: asking stats failed; keeping the previous answer',
      'dashboard: asking queue size of celery failed; keeping the previous answer',
    ]);
  });

  it('a refresh asked during another runs once more after it, shared by every caller meanwhile', async () => {
    let asked = 0;
    let release = (): void => undefined;
    const cache = new WorkerStatsCache(
      control({
        stats: () => {
          asked += 1;
          return asked === 1 ? new Promise((resolve) => (release = () => resolve({}))) : Promise.resolve({ [`n${asked}@h`]: {} as StatsReply });
        },
      }),
    );
    const first = cache.refresh();
    const later = [cache.refresh(), cache.refresh()];
    expect(later[0]).toBe(later[1]);
    release();
    await Promise.all([first, ...later]);
    expect(asked).toBe(2);
    expect(Object.keys(cache.stats)).toEqual(['n2@h']);
  });
});
