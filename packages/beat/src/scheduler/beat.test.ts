import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chain, type App, type BeatStore, type ResultBackend } from '@q/core';
import { crontab } from '../schedules/crontab/crontab.js';
import { every } from '../schedules/every.js';
import { fakeClock, memoryStore, recordingApp, sharedLease } from '../../test/beat-fixtures.js';
import { createBeat, type Beat } from './beat.js';
import type { BeatOptions } from './beat-options.js';

const started: Beat[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((b) => b.stop()));
});

async function run(app: App, options: BeatOptions): Promise<Beat> {
  const beat = createBeat(app, options);
  started.push(beat);
  await beat.start();
  return beat;
}

const times = (sent: { at: string }[]) => sent.map((s) => s.at.slice(11, 19));

describe('createBeat: firing', () => {
  it('sends each entry at its instants, as an ordinary task message with its args, kwargs and options', async () => {
    const clock = fakeClock('2026-03-02T12:00:00Z');
    const { app, sent } = recordingApp(clock);
    const options = { queue: 'q1', expires: 10 };
    await run(app, { clock, store: memoryStore(), schedule: { add: { task: 'tasks.add', schedule: 30, args: [16, 16], kwargs: { z: 1 }, options } } });
    await clock.advance(95_000);
    expect(times(sent)).toEqual(['12:00:30', '12:01:00', '12:01:30']);
    expect(sent[0]).toMatchObject({ task: 'tasks.add', args: [16, 16], kwargs: { z: 1 }, options });
  });

  it("reads crontab entries from the app's beat.schedule in its time zone, merged with the options' entries", async () => {
    const clock = fakeClock('2026-03-02T12:07:00Z');
    const { app, sent } = recordingApp(clock, {
      timezone: 'Europe/Paris',
      beat: { schedule: { quarter: { task: 'tasks.q', schedule: { kind: 'crontab', minute: '*/15', hour: '13' } } } },
    });
    const beat = await run(app, { clock, store: memoryStore(), schedule: { other: { task: 'tasks.o', schedule: every(3600) } } });
    expect(beat.entries().map((e) => e.name)).toEqual(['quarter', 'other']);
    await clock.advance(40 * 60_000);
    // 13:xx in Paris is 12:xx UTC in March
    expect(sent.map((s) => [s.at.slice(11, 16), s.task])).toEqual([['12:15', 'tasks.q'], ['12:30', 'tasks.q'], ['12:45', 'tasks.q']]);
  });

  it('sleeps until the earliest entry, never longer than maxLoopInterval, with one timer', async () => {
    const clock = fakeClock('2026-03-02T12:00:00Z');
    const { app } = recordingApp(clock);
    const beat = createBeat(app, { clock, store: memoryStore(), maxLoopInterval: 60, schedule: { a: { task: 't', schedule: 45 }, b: { task: 't', schedule: 3600 } } });
    expect(await beat.tick()).toBe(45_000);
    beat.remove('a');
    expect(await beat.tick()).toBe(60_000);
    await beat.start();
    started.push(beat);
    expect(clock.pending).toBe(1);
  });

  it('sends a signature as a whole (its task, args and options)', async () => {
    const clock = fakeClock('2026-03-02T12:00:00Z');
    const { app, sent } = recordingApp(clock);
    const beat = createBeat(app, { clock, store: memoryStore() });
    beat.add('sig', 10, app.signature('tasks.mul', [2, 3]), { options: { priority: 5 } });
    await beat.tick();
    clock.set('2026-03-02T12:00:10Z');
    await beat.tick();
    beat.add('chain', 10, chain(app.signature('tasks.a'), app.signature('tasks.b')), { options: { queue: 'chains' } });
    await beat.tick();
    clock.set('2026-03-02T12:00:20Z');
    await beat.tick();
    // a signature or canvas is applied as a whole (`app.signature(wire).applyAsync`), not through sendTask
    expect(beat.entries().map((e) => [e.task, e.totalRunCount])).toEqual([['tasks.mul', 2], ['celery.chain', 1]]);
    expect(sent).toEqual([]);
    const transport = await app.getTransport();
    expect([await transport.queueSize?.('celery'), await transport.queueSize?.('chains')]).toEqual([2, 1]);
    await beat.stop();
  });
});

describe('createBeat: state', () => {
  it('runs an entry missed while no beat ran once, then on its schedule (catch-up)', async () => {
    const clock = fakeClock('2026-03-02T12:00:00Z');
    const { app, sent } = recordingApp(clock);
    const store = memoryStore({ timezone: 'UTC', entries: { m: { lastRunAt: '2026-03-02T10:00:00.000Z', totalRunCount: 7 } } });
    const beat = await run(app, { clock, store, schedule: { m: { task: 't', schedule: 60 } } });
    await clock.advance(61_000);
    expect(times(sent)).toEqual(['12:00:00', '12:01:00']);
    expect(beat.entries()[0]?.totalRunCount).toBe(9);
  });

  it('resets the last-run times when the time zone changed, as Celery', async () => {
    const clock = fakeClock('2026-03-02T12:00:00Z');
    const { app, sent, log } = recordingApp(clock);
    const store = memoryStore({ timezone: 'Europe/Paris', entries: { m: { lastRunAt: '2026-03-02T10:00:00.000Z', totalRunCount: 7 } } });
    const beat = await run(app, { clock, store, schedule: { m: { task: 't', schedule: 60 } } });
    expect(log.lines.some((l) => l.level === 'warn' && /time zone changed/.test(l.msg))).toBe(true);
    await clock.advance(61_000);
    expect(times(sent)).toEqual(['12:01:00']);
    await beat.stop();
    // Celery drops the stored entries: the run count starts over too
    expect(store.state).toEqual({ timezone: 'UTC', entries: { m: { lastRunAt: '2026-03-02T12:01:00.000Z', totalRunCount: 1 } } });
  });

  it('saves every syncEvery seconds and on stop', async () => {
    const clock = fakeClock('2026-03-02T12:00:00Z');
    const { app } = recordingApp(clock);
    const store = memoryStore();
    const beat = await run(app, { clock, store, syncEvery: 60, schedule: { m: { task: 't', schedule: 10 } } });
    await clock.advance(55_000);
    expect(store.saves).toBe(0);
    await clock.advance(10_000);
    expect(store.saves).toBe(1);
    expect(store.state?.entries.m?.totalRunCount).toBe(6);
    await beat.stop();
    expect(store.saves).toBe(2);
  });

  it('stop() lets a tick under way finish its sends, then saves them', async () => {
    const clock = fakeClock('2026-03-02T12:00:00Z');
    const { app } = recordingApp(clock);
    let release = (): void => undefined;
    vi.mocked(app.sendTask).mockImplementationOnce(() => new Promise((resolve) => (release = () => resolve(null as never))));
    const store = memoryStore();
    const beat = createBeat(app, { clock, store, schedule: { m: { task: 't', schedule: 10 } } });
    await beat.start();
    await clock.advance(10_000);
    let stopped = false;
    const stopping = beat.stop().then(() => (stopped = true));
    await clock.advance(0);
    expect([stopped, store.saves]).toEqual([false, 0]);
    release();
    await stopping;
    expect(store.state?.entries.m).toEqual({ lastRunAt: '2026-03-02T12:00:10.000Z', totalRunCount: 1 });
    expect(clock.pending).toBe(0);
  });

  it('starts afresh when the store cannot be read, and keeps sending when it cannot be written', async () => {
    const clock = fakeClock('2026-03-02T12:00:00Z');
    const { app, sent, log } = recordingApp(clock);
    const broken: BeatStore = { load: () => Promise.reject(new Error('gone')), save: () => Promise.reject(new Error('gone')), close: () => Promise.resolve(), describe: () => 'broken' };
    await run(app, { clock, store: broken, syncEvery: 0, schedule: { m: { task: 't', schedule: 10 } } });
    await clock.advance(21_000);
    expect(times(sent)).toEqual(['12:00:10', '12:00:20']);
    expect(log.lines.filter((l) => l.level === 'error').map((l) => l.msg)).toContain('beat: could not save the state, retried at the next tick');
  });
});

describe('createBeat: at run time', () => {
  it('add() and remove() change the schedule without a restart', async () => {
    const clock = fakeClock('2026-03-02T12:00:00Z');
    const { app, sent } = recordingApp(clock);
    const beat = await run(app, { clock, store: memoryStore(), maxLoopInterval: 300 });
    await clock.advance(10_000);
    beat.add('five', 5, 'tasks.five');
    beat.add('cron', crontab({ minute: '1' }), { name: 'tasks.cron' });
    await clock.advance(11_000);
    expect(times(sent)).toEqual(['12:00:15', '12:00:20']);
    expect(beat.remove('five')).toBe(true);
    await clock.advance(60_000);
    expect(sent.map((s) => s.task)).toEqual(['tasks.five', 'tasks.five', 'tasks.cron']);
    expect(() => beat.add('bad', -1, 't')).toThrow(/beat entry "bad": expected a positive number of seconds/);
    expect(() => beat.add('bad', { kind: 'nope' }, 't')).toThrow(/unknown kind "nope"/);
  });

  it('logs a failed send and retries the entry at the next tick (not lost, no crash)', async () => {
    const clock = fakeClock('2026-03-02T12:00:00Z');
    const { app, sent, log, fail } = recordingApp(clock);
    const beat = await run(app, { clock, store: memoryStore(), schedule: { m: { task: 't', schedule: 10 } } });
    fail(true);
    await clock.advance(10_000);
    expect(log.lines.some((l) => l.level === 'error' && /sending m failed/.test(l.msg))).toBe(true);
    expect(beat.entries()[0]).toMatchObject({ lastRunAt: null, totalRunCount: 0 });
    fail(false);
    await clock.advance(1_000);
    expect(times(sent)).toEqual(['12:00:11']);
    expect(beat.entries()[0]?.totalRunCount).toBe(1);
  });
});

describe('createBeat: several beats, one lock', () => {
  it('only the holder sends; another takes over when it stops, without re-sending its runs', async () => {
    const clock = fakeClock('2026-03-02T12:00:00Z');
    const lease = sharedLease(clock);
    const store = memoryStore();
    const a = recordingApp(clock);
    const b = recordingApp(clock);
    const schedule = { m: { task: 't', schedule: 60 } };
    const beatA = await run(a.app, { clock, store, lock: lease.lock('a'), lockTtl: 9, schedule });
    const beatB = await run(b.app, { clock, store, lock: lease.lock('b'), lockTtl: 9, schedule });
    expect([beatA.isLeader, beatB.isLeader]).toEqual([true, false]);
    await clock.advance(70_000);
    await beatA.stop();
    await clock.advance(55_000);
    expect(beatB.isLeader).toBe(true);
    expect(times(a.sent)).toEqual(['12:01:00']);
    expect(times(b.sent)).toEqual(['12:02:00']);
    expect(store.state?.entries.m?.totalRunCount).toBe(2);
  });

  it('stops sending at once when the lease is lost, and the new holder re-reads the shared state', async () => {
    const clock = fakeClock('2026-03-02T12:00:00Z');
    const lease = sharedLease(clock);
    const store = memoryStore();
    const a = recordingApp(clock);
    const schedule = { m: { task: 't', schedule: 60 } };
    const beatA = await run(a.app, { clock, store, lock: lease.lock('a'), lockTtl: 9, schedule });
    await clock.advance(61_000);
    lease.expire();
    const thief = lease.lock('thief');
    expect(await thief.acquire(600_000)).toBe(true);
    await clock.advance(120_000);
    expect(beatA.isLeader).toBe(false);
    expect(times(a.sent)).toEqual(['12:01:00']);
    const b = recordingApp(clock);
    await thief.release();
    const beatB = await run(b.app, { clock, store, lock: lease.lock('b'), lockTtl: 9, schedule });
    expect(beatB.isLeader).toBe(true);
    // B read A's run (count 1) and caught up the one missed while the thief held the lease, once
    expect(times(b.sent)).toEqual(['12:03:01']);
    expect(beatB.entries()[0]?.totalRunCount).toBe(2);
  });

  it('a beat that cannot reach its lock does not send', async () => {
    const clock = fakeClock('2026-03-02T12:00:00Z');
    const { app, sent } = recordingApp(clock);
    const lock = { acquire: () => Promise.reject(new Error('down')), release: () => Promise.resolve(), close: () => Promise.resolve(), describe: () => 'down' };
    const beat = createBeat(app, { clock, store: memoryStore(), lock, lockTtl: 9, schedule: { m: { task: 't', schedule: 1 } } });
    expect(await beat.tick()).toBe(3000);
    clock.set('2026-03-02T12:00:05Z');
    await beat.tick();
    expect([beat.isLeader, sent.length]).toEqual([false, 0]);
    await beat.stop();
  });
});

describe('createBeat: celery.backend_cleanup', () => {
  const cleaning = (cleanup: boolean): ResultBackend =>
    ({ connect: () => Promise.resolve(), close: () => Promise.resolve(), storeResult: () => Promise.resolve(), getTaskMeta: () => Promise.resolve(null), ...(cleanup ? { cleanup: () => Promise.resolve({ deleted: 0 }) } : {}) }) as unknown as ResultBackend;

  it('is scheduled daily at 04:00, expiring in 12 hours, when results expire and the backend needs cleaning', async () => {
    const clock = fakeClock('2026-03-02T12:00:00Z');
    const { app } = recordingApp(clock, { backend: cleaning(true) });
    const beat = await run(app, { clock, store: memoryStore() });
    const entry = beat.entries().find((e) => e.name === 'celery.backend_cleanup');
    expect(entry).toMatchObject({ task: 'celery.backend_cleanup', options: { expires: 43200 } });
    expect(entry?.nextCheckAt.toISOString()).toBe('2026-03-03T04:00:00.000Z');
  });

  it('is absent when results never expire, or the backend expires them itself', async () => {
    const clock = fakeClock('2026-03-02T12:00:00Z');
    for (const options of [{ backend: cleaning(true), result: { expires: null } }, { backend: cleaning(false) }, { backend: null }]) {
      const { app } = recordingApp(clock, options);
      const beat = await run(app, { clock, store: memoryStore() });
      expect(beat.entries()).toEqual([]);
    }
  });
});

describe('createBeat: store and lock settings', () => {
  it('reports an unknown store or lock scheme with the known ones', async () => {
    const clock = fakeClock('2026-03-02T12:00:00Z');
    const { app } = recordingApp(clock);
    await expect(createBeat(app, { clock, store: 'nope://x' }).start()).rejects.toMatchObject({ code: 'Q_ERR_URL_SCHEME_UNKNOWN', message: expect.stringContaining('unknown beat store URL scheme "nope://"') as unknown });
    await expect(createBeat(app, { clock, store: memoryStore(), lock: 'nope://x' }).start()).rejects.toMatchObject({ code: 'Q_ERR_URL_SCHEME_UNKNOWN' });
    expect(() => createBeat(app, { lockTtl: 0 })).toThrow(/lockTtl/);
  });

  it('keeps its state in a file by default; a corrupt file is logged and replaced, not a crash', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'q-beat-'));
    const file = join(dir, 'state.json');
    writeFileSync(file, 'not json');
    const clock = fakeClock('2026-03-02T12:00:00Z');
    const { app, sent, log } = recordingApp(clock, { beat: { scheduleFilename: file } });
    const beat = await run(app, { clock, schedule: { m: { task: 't', schedule: 10 } } });
    await clock.advance(10_000);
    await beat.stop();
    expect(times(sent)).toEqual(['12:00:10']);
    expect(log.lines.some((l) => l.level === 'warn' && l.msg.includes('is not a beat state'))).toBe(true);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ timezone: 'UTC', entries: { m: { lastRunAt: '2026-03-02T12:00:10.000Z', totalRunCount: 1 } } });
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes a store a plugin registers for a scheme', async () => {
    const clock = fakeClock('2026-03-02T12:00:00Z');
    const store = memoryStore();
    const names: string[] = [];
    const { app } = recordingApp(clock, {
      plugins: [{ name: 'kv', setup: (api) => api.beatStore('kv', (ctx) => (names.push(`${ctx.name} ${ctx.parsed.host}`), store)) }],
    });
    const beat = await run(app, { clock, store: 'kv://h1', name: 'nightly', schedule: { m: { task: 't', schedule: 1 } } });
    await beat.stop();
    expect(names).toEqual(['nightly h1']);
    expect(store.saves).toBe(1);
  });
});

