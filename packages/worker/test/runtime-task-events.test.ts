/**
 * `worker.taskEvents` and `worker.setTaskEvents` (remote control `enable_events`/`disable_events`).
 */
import { describe, expect, it } from 'vitest';
import { createWorker } from '../src/index.js';
import { silentLogger } from '@q/core';
import { makeApp, namespace, startWorker } from './helpers.js';

describe('worker.setTaskEvents', () => {
  it('starts from worker.sendTaskEvents, the sendTaskEvents option winning', () => {
    expect(createWorker(makeApp(namespace()), { logger: silentLogger }).taskEvents).toBe(false);
    expect(createWorker(makeApp(namespace(), { worker: { sendTaskEvents: true } }), { logger: silentLogger }).taskEvents).toBe(true);
    expect(createWorker(makeApp(namespace(), { worker: { sendTaskEvents: true } }), { logger: silentLogger, sendTaskEvents: false }).taskEvents).toBe(false);
    expect(createWorker(makeApp(namespace()), { logger: silentLogger, sendTaskEvents: true }).options.sendTaskEvents).toBe(true);
  });

  it('turns them on and off, saying whether it changed, and keeps the switch across a restart', async () => {
    const app = makeApp(namespace());
    const worker = await startWorker(app, { closeApp: false });
    expect(worker.setTaskEvents(false)).toBe(false);
    expect(worker.setTaskEvents(true)).toBe(true);
    expect(worker.taskEvents).toBe(true);
    expect(worker.setTaskEvents(true)).toBe(false);
    await worker.stop();
    await worker.start();
    expect(worker.taskEvents).toBe(true);
    expect(worker.setTaskEvents(false)).toBe(true);
    expect(worker.taskEvents).toBe(false);
    expect(worker.setTaskEvents(false)).toBe(false);
  });
});
