import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { chain, TaskRevokedError } from '@q/core';
import type { HookPayloads, TaskContext } from '@q/core';
import { makeApp, metaOf, namespace, recordSettlements, recordingLogger, sleep, startWorker, until } from './helpers.js';

const REVOKED = { exc_type: 'TaskRevokedError', exc_message: ['revoked'], exc_module: 'celery.exceptions' };
const TERMINATED = { exc_type: 'TaskRevokedError', exc_message: ['terminated'], exc_module: 'celery.exceptions' };

describe('worker.revoke', () => {
  it('a revoked id is stored REVOKED when its message arrives, acked, and never runs', async () => {
    const app = makeApp(namespace());
    const ran: string[] = [];
    app.task({ name: 'tasks.mark', params: ['x'] }, (x: string) => void ran.push(x));
    const revoked: HookPayloads['taskRevoked'][] = [];
    await app.use({ name: 'spy', setup: (api) => api.hook('taskRevoked', (p) => void revoked.push(p)) });
    const logger = recordingLogger();
    const settled: string[] = [];
    recordSettlements(app, settled);
    const worker = await startWorker(app, { logger });
    const id = 'a1b2c3d4-0000-4000-8000-000000000001';
    expect(worker.revoke([id])).toEqual({ revoked: [id], terminated: [], signal: null });
    const r = await app.sendTask('tasks.mark', ['revoked'], {}, { taskId: id });
    const other = await app.sendTask('tasks.mark', ['other']);
    expect(await metaOf(app, r.id)).toMatchObject({ status: 'REVOKED', result: REVOKED });
    await other.get({ timeout: 3 });
    expect(ran).toEqual(['other']);
    expect(revoked).toMatchObject([{ taskId: id, expired: false, terminated: false }]);
    expect(logger.lines.map((l) => l.msg)).toContain(`Discarding revoked task: tasks.mark[${id}]`);
    await until(() => settled.length, (n) => n === 2);
    expect(settled).toEqual(['ack', 'ack']);
  });

  it('a task revoked while it waits for a pool slot is skipped when it gets one', async () => {
    const app = makeApp(namespace());
    const ran: string[] = [];
    app.task({ name: 'tasks.block', params: ['x'] }, async (x: string) => {
      ran.push(x);
      await sleep(100);
    });
    const worker = await startWorker(app, { pool: 'solo' });
    const first = await app.sendTask('tasks.block', ['first']);
    const second = await app.sendTask('tasks.block', ['second']);
    await until(() => ran.length, (n) => n === 1);
    worker.revoke(second.id);
    expect(await metaOf(app, second.id)).toMatchObject({ status: 'REVOKED', result: REVOKED });
    expect((await metaOf(app, first.id)).status).toBe('SUCCESS');
    expect(ran).toEqual(['first']);
  });

  it('a task revoked while it is held for its ETA is skipped when the ETA comes', async () => {
    const app = makeApp(namespace());
    let ran = false;
    app.task({ name: 'tasks.later' }, () => {
      ran = true;
    });
    const worker = await startWorker(app);
    const r = await app.sendTask('tasks.later', [], {}, { countdown: 0.2 });
    await until(() => worker.stats().scheduled, (n) => n === 1);
    worker.revoke(r.id);
    expect(await metaOf(app, r.id)).toMatchObject({ status: 'REVOKED', result: REVOKED });
    expect(ran).toBe(false);
  });

  it('a revoked chain step is not run and the rest of the chain is stored REVOKED', async () => {
    const app = makeApp(namespace());
    const ran: string[] = [];
    const mark = app.task({ name: 'tasks.mark', params: ['x'] }, (x: string) => {
      ran.push(x);
      return x;
    });
    const worker = await startWorker(app);
    const c = chain(mark.s('one'), mark.si('two'), mark.si('three'));
    const last = c.freeze();
    const firstId = (last.parent?.parent?.id ?? '') as string;
    expect(firstId).not.toBe('');
    worker.revoke(firstId);
    await c.applyAsync();
    expect(await metaOf(app, last.id)).toMatchObject({ status: 'REVOKED', result: REVOKED });
    expect((await metaOf(app, firstId)).status).toBe('REVOKED');
    expect(ran).toEqual([]);
  });

  it('terminate aborts the running task: its signal fires with the reason, REVOKED terminated is stored', async () => {
    const app = makeApp(namespace());
    let reason: unknown;
    app.task({ name: 'tasks.wait', bind: true }, (ctx: TaskContext) =>
      new Promise((_resolve, reject) => {
        ctx.signal.addEventListener('abort', () => {
          reason = ctx.signal.reason;
          reject(ctx.signal.reason as Error);
        });
      }),
    );
    const revoked: HookPayloads['taskRevoked'][] = [];
    await app.use({ name: 'spy', setup: (api) => api.hook('taskRevoked', (p) => void revoked.push(p)) });
    const worker = await startWorker(app);
    const r = await app.sendTask('tasks.wait');
    await until(() => worker.stats().active, (n) => n === 1);
    const result = worker.revoke([r.id], { terminate: true, signal: 'KILL' });
    expect(result).toEqual({ revoked: [r.id], terminated: [r.id], signal: 'SIGKILL' });
    expect(await metaOf(app, r.id)).toMatchObject({ status: 'REVOKED', result: TERMINATED });
    expect(reason).toBeInstanceOf(TaskRevokedError);
    expect((reason as { signal?: string }).signal).toBe('SIGKILL');
    expect(revoked).toMatchObject([{ taskId: r.id, terminated: true }]);
    await until(() => worker.stats().active, (n) => n === 0);
    // Its id stays revoked: a redelivered copy would be skipped.
    expect(worker.nodeState.isRevoked(r.id)).toBe(true);
  });

  it('terminate without a running task only flags the ids; an unknown signal is refused', async () => {
    const app = makeApp(namespace());
    const worker = await startWorker(app);
    expect(worker.revoke('nobody', { terminate: true })).toEqual({ revoked: ['nobody'], terminated: [], signal: 'SIGTERM' });
    expect(() => worker.revoke('x', { terminate: true, signal: 'NOPE' })).toThrow(/invalid signal/);
    expect(worker.nodeState.isRevoked('x')).toBe(false);
  });
});

describe('statedb', () => {
  it('revokes and the clock survive a restart; %n is the node name', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'q-revoke-'));
    try {
      const app = makeApp(namespace());
      let ran = false;
      app.task({ name: 'tasks.once' }, () => {
        ran = true;
      });
      const first = await startWorker(app, { hostname: 'w7@test', statedb: path.join(dir, '%n.state'), closeApp: false });
      first.revoke('gone-1');
      first.clock.adjust(100);
      await first.stop();
      const saved = JSON.parse(await readFile(path.join(dir, 'w7.state'), 'utf8')) as { clock: number; revoked: [string, number][] };
      expect(saved.revoked.map(([id]) => id)).toEqual(['gone-1']);
      expect(saved.clock).toBeGreaterThan(100);

      const second = await startWorker(app, { hostname: 'w7@test', statedb: path.join(dir, '%n.state') });
      expect(second.nodeState.isRevoked('gone-1')).toBe(true);
      expect(second.clock.value).toBeGreaterThan(saved.clock);
      const r = await app.sendTask('tasks.once', [], {}, { taskId: 'gone-1' });
      expect(await metaOf(app, r.id)).toMatchObject({ status: 'REVOKED', result: REVOKED });
      expect(ran).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a file that is not a q state db fails the start, naming it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'q-revoke-'));
    try {
      const file = path.join(dir, 'celery.db');
      await writeFile(file, 'not json');
      const app = makeApp(namespace());
      const err = await startWorker(app, { statedb: file }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'Q_ERR_BOOTSTEP_FAILED' });
      expect(String((err as Error).message) + String((err as Error).cause)).toMatch(/statedb .*celery\.db: not a q state db/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a running worker saves a revoke within the sync interval (a killed worker loses at most that much)', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'q-revoke-'));
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const file = path.join(dir, 'w.state');
      const worker = await startWorker(makeApp(namespace()), { statedb: file });
      const ids = async (): Promise<string[]> => (JSON.parse(await readFile(file, 'utf8')) as { revoked: [string, number][] }).revoked.map(([id]) => id);
      expect(await ids()).toEqual([]); // written at start
      worker.revoke('later-1');
      vi.advanceTimersByTime(10_000);
      await until(ids, (list) => list.includes('later-1'));
    } finally {
      vi.useRealTimers();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
