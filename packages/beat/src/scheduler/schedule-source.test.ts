import { afterEach, describe, expect, it } from 'vitest';
import type { BeatEntrySetting } from '@q/core';
import { fakeClock, memoryStore, recordingApp } from '../../test/beat-fixtures.js';
import { createBeat, type Beat } from './beat.js';

const started: Beat[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((b) => b.stop()));
});

const times = (sent: { at: string; task: string }[]) => sent.map((s) => `${s.at.slice(11, 19)} ${s.task}`);

describe('createBeat: a schedule source read at run time', () => {
  it('applies added, changed and removed entries every reloadInterval without a restart, keeping the others', async () => {
    const clock = fakeClock('2026-03-02T12:00:00Z');
    const { app, sent } = recordingApp(clock);
    let table: Record<string, BeatEntrySetting> = { a: { task: 'tasks.a', schedule: 20 } };
    let reads = 0;
    const beat = createBeat(app, {
      clock,
      store: memoryStore(),
      reloadInterval: 30,
      schedule: { fixed: { task: 'tasks.fixed', schedule: 60 } },
      source: async () => {
        reads += 1;
        return table;
      },
    });
    started.push(beat);
    await beat.start();
    expect(reads).toBe(1);
    expect(beat.entries().map((e) => e.name).sort()).toEqual(['a', 'fixed']);

    await clock.advance(45_000); // a at 12:00:20 and 12:00:40; source read again at 12:00:30
    expect(reads).toBe(2);
    table = { a: { task: 'tasks.a', schedule: 15 }, b: { task: 'tasks.b', schedule: 10 } };
    await clock.advance(30_000); // read at 12:01:00: a now every 15 s from its last run (12:00:40), b new
    expect(reads).toBe(3);
    table = { b: { task: 'tasks.b', schedule: 10 } };
    await clock.advance(30_000); // read at 12:01:30: a removed; fixed stays
    expect(beat.entries().map((e) => e.name).sort()).toEqual(['b', 'fixed']);
    const aRuns = times(sent.filter((s) => s.task === 'tasks.a'));
    expect(aRuns).toEqual(['12:00:20 tasks.a', '12:00:40 tasks.a', '12:01:00 tasks.a', '12:01:15 tasks.a']);
    expect(times(sent.filter((s) => s.task === 'tasks.fixed'))).toEqual(['12:01:00 tasks.fixed']);
    expect(times(sent.filter((s) => s.task === 'tasks.b'))).toEqual(['12:01:10 tasks.b', '12:01:20 tasks.b', '12:01:30 tasks.b', '12:01:40 tasks.b']);
  });

  it('keeps the entries when a later read fails, logs it, and reads again after reloadInterval', async () => {
    const clock = fakeClock('2026-03-02T12:00:00Z');
    const { app, sent, log } = recordingApp(clock);
    let fail = false;
    let reads = 0;
    const beat = createBeat(app, {
      clock,
      store: memoryStore(),
      reloadInterval: 10,
      source: () => {
        reads += 1;
        if (fail) throw new Error('database down');
        return { a: { task: 'tasks.a', schedule: 5 } };
      },
    });
    started.push(beat);
    await beat.start();
    fail = true;
    await clock.advance(31_000);
    expect(reads).toBe(4); // 12:00:00, then 12:00:10, :20, :30: once per interval, not at every tick
    expect(sent).toHaveLength(6);
    expect(log.messages('error').some((m) => /schedule source failed/.test(m))).toBe(true);
  });

  it('fails start() when the first read fails, and refuses a reloadInterval that is not positive', async () => {
    const clock = fakeClock('2026-03-02T12:00:00Z');
    const { app } = recordingApp(clock);
    const beat = createBeat(app, { clock, store: memoryStore(), source: () => Promise.reject(new Error('no table')) });
    started.push(beat);
    await expect(beat.start()).rejects.toThrow('no table');
    expect(() => createBeat(app, { reloadInterval: 0 })).toThrow(/reloadInterval/);
  });
});
