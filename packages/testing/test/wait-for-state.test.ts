import { TimeoutError } from '@q/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, startTestWorker, waitFor, waitForResult, waitForState } from '../src/index.js';
import type { App } from '@q/core';
import type { Worker } from '@q/worker';

const apps: App[] = [];
const workers: Worker[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) await w.stop({ graceful: false });
  for (const a of apps.splice(0)) await a.close();
});

function testApp(): App {
  const app = createTestApp();
  apps.push(app);
  return app;
}

describe('waitForState', () => {
  it('resolves with the state document once the task reaches one of the states', async () => {
    const app = testApp();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = app.task({ name: 'tests.slow', trackStarted: true }, async () => {
      await gate;
      return 'done';
    });
    workers.push(await startTestWorker(app));
    const result = await slow.delay();
    expect(await waitForState(result, 'STARTED')).toMatchObject({ status: 'STARTED', taskId: result.id });
    release();
    expect(await waitForState(app, result.id, ['SUCCESS', 'FAILURE'])).toMatchObject({ status: 'SUCCESS', result: 'done' });
  });

  it('times out with a TimeoutError naming the task id, the state seen and the states awaited', async () => {
    const app = testApp();
    const result = app.asyncResult('never-sent-id');
    const error = await waitForState(result, ['SUCCESS', 'FAILURE'], { timeoutMs: 30 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({
      code: 'Q_ERR_TIMEOUT',
      message: 'task never-sent-id did not reach SUCCESS or FAILURE within 30 ms: its state is PENDING',
    });
  });

  it('stops waiting when its signal aborts', async () => {
    const app = testApp();
    const controller = new AbortController();
    controller.abort(new Error('test over'));
    await expect(waitForState(app, 'x', 'SUCCESS', { signal: controller.signal })).rejects.toThrow('test over');
  });
});

describe('waitForResult', () => {
  it('resolves with a failure instead of throwing it', async () => {
    const app = testApp();
    const boom = app.task('tests.boom', () => {
      throw new RangeError('boom');
    });
    workers.push(await startTestWorker(app));
    const result = await boom.delay();
    const meta = await waitForResult(app, result.id);
    expect(meta.status).toBe('FAILURE');
    expect(meta.result).toMatchObject({ exc_type: 'ValueError', exc_message: ['boom'] });
  });
});

describe('waitFor', () => {
  it('resolves with the first value that satisfies the condition', async () => {
    let n = 0;
    expect(await waitFor(() => (n += 1), (v) => v === 3)).toBe(3);
  });

  it('times out naming what it waited for and the last value', async () => {
    await expect(waitFor(() => ({ seen: 1 }), () => false, { timeoutMs: 20, what: 'two events' })).rejects.toThrow(
      'timed out after 20 ms waiting for two events; last value: {"seen":1}',
    );
  });
});
