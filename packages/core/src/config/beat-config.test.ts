import { describe, expect, it } from 'vitest';
import type { AppOptions } from './options.js';
import { resolveConfig } from './resolve-config.js';

describe('beat options', () => {
  it("default as Celery's beat settings", () => {
    expect(resolveConfig().beat).toEqual({
      schedule: {},
      maxLoopInterval: 300,
      syncEvery: 180,
      scheduleFilename: 'celerybeat-schedule.json',
      store: null,
      lock: null,
    });
  });

  it('keep the entries of beat.schedule: seconds, a Schedule, or a stored form', () => {
    const schedule = { kind: 'x', isDue: () => ({ due: false, nextInMs: 1 }) };
    const conf = resolveConfig({
      beat: {
        schedule: {
          a: { task: 'tasks.add', schedule: 30, args: [1, 2], kwargs: { z: 1 }, options: { queue: 'q1', expires: 10 } },
          b: { task: 'tasks.b', schedule: schedule as never },
          c: { task: 'tasks.c', schedule: { kind: 'crontab', minute: '0' }, relative: false },
        },
        store: 'redis://h/0',
      },
    });
    expect(conf.beat.schedule.a).toEqual({ task: 'tasks.add', schedule: 30, args: [1, 2], kwargs: { z: 1 }, options: { queue: 'q1', expires: 10 } });
    expect(conf.beat.schedule.b?.schedule).toBe(schedule);
    expect(conf.beat.schedule.c?.schedule).toEqual({ kind: 'crontab', minute: '0' });
    expect(conf.beat.store).toBe('redis://h/0');
  });

  it('name the entry path of an invalid entry', () => {
    const bad = (entry: unknown) => () => resolveConfig({ beat: { schedule: { e: entry } } } as AppOptions);
    expect(bad({ schedule: 1 })).toThrow('beat.schedule.e.task: is required');
    expect(bad({ task: 't', schedule: -1 })).toThrow(/beat\.schedule\.e\.schedule: expected a positive number of seconds, a Schedule or \{ kind: … \}/);
    expect(bad({ task: 't', schedule: 5, args: 'x' })).toThrow(/beat\.schedule\.e\.args/);
    expect(bad({ task: 't', schedule: 5, option: {} })).toThrow(/beat\.schedule\.e\.option is not an option \(did you mean beat\.schedule\.e\.options\?\)/);
    expect(() => resolveConfig({ beat: { maxLoopInterval: 0 } })).toThrow(/beat\.maxLoopInterval/);
  });

  it("point Celery's beat setting names at them", () => {
    expect(() => resolveConfig({ beat_schedule: {} } as AppOptions)).toThrow(/q's option is beat\.schedule/);
    expect(() => resolveConfig({ beat_max_loop_interval: 5 } as AppOptions)).toThrow(/q's option is beat\.maxLoopInterval/);
  });
});
