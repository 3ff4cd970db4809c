import { describe, expect, it } from 'vitest';
import { HEARTBEAT_MAX, WorkerInfo } from './worker-info.js';

function workerAt(nowMs: { value: number }): WorkerInfo {
  return new WorkerInfo('w1@host', { now: () => nowMs.value });
}

describe('WorkerInfo', () => {
  it('is not alive before any heartbeat', () => {
    const worker = workerAt({ value: 1_000_000 });
    expect(worker.alive).toBe(false);
    expect(worker.status).toBe('OFFLINE');
    expect(worker.heartbeatExpires).toBeUndefined();
  });

  it('is alive until freq × 200 % after the last heartbeat, by the injected clock', () => {
    const now = { value: 1000_000 };
    const worker = workerAt(now);
    worker.applyFields({ freq: 2 });
    worker.heartbeat(1000);
    expect(worker.heartbeatExpires).toBe(1004);
    now.value = 1003_999;
    expect(worker.alive).toBe(true);
    expect(worker.status).toBe('ONLINE');
    now.value = 1004_000;
    expect(worker.alive).toBe(false);
  });

  it('honours a custom expire window', () => {
    const worker = new WorkerInfo('w', { now: () => 1005_000, expireWindow: 300 });
    worker.applyFields({ freq: 2 });
    worker.heartbeat(1000);
    expect(worker.alive).toBe(true);
  });

  it('keeps the latest 4 heartbeats in ascending order, also when they arrive out of order', () => {
    const worker = workerAt({ value: 0 });
    for (const t of [10, 30, 20, 50, 40, 5]) worker.heartbeat(t);
    expect(worker.heartbeats).toHaveLength(HEARTBEAT_MAX);
    expect(worker.heartbeats).toEqual([20, 30, 40, 50]);
    expect(worker.lastHeartbeat).toBe(50);
  });

  it('offline clears the heartbeats, so it is no longer alive', () => {
    const worker = workerAt({ value: 1000_000 });
    worker.heartbeat(1000);
    expect(worker.alive).toBe(true);
    worker.offline();
    expect(worker.alive).toBe(false);
    expect(worker.heartbeats).toEqual([]);
    expect(worker.lastHeartbeat).toBeUndefined();
  });

  it('takes the wire fields under TypeScript names and drops mistyped ones', () => {
    const worker = workerAt({ value: 0 });
    const invalid = worker.applyFields({
      pid: 42,
      freq: 'fast',
      active: 1,
      processed: 7,
      loadavg: [0.1, 0.2, 0.3],
      sw_ident: 'py-celery',
      sw_ver: 5,
      sw_sys: 'Linux',
      clock: 9,
    });
    expect(invalid).toBe(2);
    expect(worker).toMatchObject({ pid: 42, freq: 60, active: 1, processed: 7, swIdent: 'py-celery', swSys: 'Linux', clock: 9 });
    expect(worker.swVer).toBeUndefined();
    expect(worker.loadavg).toEqual([0.1, 0.2, 0.3]);
  });

  it('never moves its clock backwards', () => {
    const worker = workerAt({ value: 0 });
    worker.applyFields({ clock: 9 });
    worker.applyFields({ clock: 3 });
    expect(worker.clock).toBe(9);
  });

  it('snapshots to a JSON-safe object', () => {
    const worker = workerAt({ value: 1001_000 });
    worker.applyFields({ freq: 2, pid: 1, loadavg: [1, 2, 3] });
    worker.heartbeat(1000);
    const snap = worker.toSnapshot();
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
    expect(snap).toMatchObject({ hostname: 'w1@host', alive: true, status: 'ONLINE', heartbeats: [1000], heartbeatExpires: 1004 });
  });
});
