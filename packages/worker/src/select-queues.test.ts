import { describe, expect, it } from 'vitest';
import { resolveConfig } from '@q/core/internal';
import { selectQueues } from './select-queues.js';
import { resolveWorkerOptions } from './worker-options.js';

const declared = resolveConfig({ task: { queues: [{ name: 'high' }, { name: 'low' }] } });

describe('selectQueues', () => {
  it('consumes the default queue when no queue is declared', () => {
    expect(selectQueues(resolveConfig())).toEqual(['celery']);
  });

  it('consumes every queue of task.queues without -Q, as Celery does', () => {
    expect(selectQueues(declared)).toEqual(['high', 'low']);
    expect(resolveWorkerOptions(declared).queues).toEqual(['high', 'low']);
  });

  it('takes -Q, then worker.queues, over the declared queues', () => {
    expect(selectQueues(declared, { queues: ['other'] })).toEqual(['other']);
    expect(selectQueues(resolveConfig({ worker: { queues: ['w'] }, task: { queues: [{ name: 'high' }] } }))).toEqual(['w']);
  });

  it('removes the excluded queues (-X) from whichever set was chosen', () => {
    expect(selectQueues(declared, { excludeQueues: ['low'] })).toEqual(['high']);
    expect(selectQueues(declared, { queues: ['a', 'b'], excludeQueues: ['a'] })).toEqual(['b']);
  });

  it('refuses a worker left with no queue, naming the excluded ones', () => {
    expect(() => resolveWorkerOptions(declared, { excludeQueues: ['high', 'low'] })).toThrow(
      /worker\.queues: no queue left to consume after excluding high, low/,
    );
  });
});
