import { describe, expect, it } from 'vitest';
import { ConfigError, QError } from '@q/core';
import type { Bootstep } from '@q/core';
import { Blueprint } from './blueprint.js';

type Log = string[];

function step(name: string, log: Log, extra: Partial<Bootstep<Log>> = {}): Bootstep<Log> {
  return {
    name,
    async start(l) {
      l.push(`start ${name}`);
    },
    async stop(l, { graceful }) {
      l.push(`stop ${name}${graceful ? '' : ' cold'}`);
    },
    ...extra,
  };
}

describe('Blueprint', () => {
  it('starts steps after the steps they require and stops them in reverse', async () => {
    const log: Log = [];
    const bp = new Blueprint([
      step('consumer', log, { requires: ['pool', 'connection'] }),
      step('pool', log),
      step('connection', log),
      step('timer', log, { requires: ['consumer'] }),
    ]);
    expect(bp.steps.map((s) => s.name)).toEqual(['pool', 'connection', 'consumer', 'timer']);
    await bp.start(log);
    expect(bp.running).toEqual(['pool', 'connection', 'consumer', 'timer']);
    await bp.stop(log, { graceful: true });
    expect(log).toEqual([
      'start pool',
      'start connection',
      'start consumer',
      'start timer',
      'stop timer',
      'stop consumer',
      'stop connection',
      'stop pool',
    ]);
    expect(bp.running).toEqual([]);
  });

  it('skips disabled steps', async () => {
    const log: Log = [];
    const bp = new Blueprint([step('a', log), step('b', log, { enabled: () => false })]);
    await bp.start(log);
    await bp.stop(log, { graceful: true });
    expect(log).toEqual(['start a', 'stop a']);
  });

  it('stops only the started steps, in reverse, when a start fails halfway, then rethrows wrapped', async () => {
    const log: Log = [];
    const boom = new Error('no broker');
    const bp = new Blueprint([
      step('a', log),
      step('b', log, { requires: ['a'] }),
      step('c', log, {
        requires: ['b'],
        start: async () => {
          throw boom;
        },
      }),
      step('d', log, { requires: ['c'] }),
    ]);
    const err = await bp.start(log).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QError);
    expect((err as QError).code).toBe('Q_ERR_BOOTSTEP_FAILED');
    expect((err as QError).message).toContain('"c"');
    expect((err as QError).cause).toBe(boom);
    expect(log).toEqual(['start a', 'start b', 'stop b cold', 'stop a cold']);
  });

  it('keeps stopping the other steps when one stop fails', async () => {
    const log: Log = [];
    const bp = new Blueprint([
      step('a', log),
      step('b', log, {
        stop: async () => {
          throw new Error('x');
        },
      }),
      step('c', log),
    ]);
    await bp.start(log);
    await bp.stop(log, { graceful: true });
    expect(log.filter((l) => l.startsWith('stop'))).toEqual(['stop c', 'stop a']);
  });

  it('starts a step that names another in `before` ahead of it (and stops it after); absent names are ignored', () => {
    const log: Log = [];
    const bp = new Blueprint([
      step('connection', log),
      step('consumer', log, { requires: ['connection'] }),
      step('events', log, { requires: ['connection'], before: ['consumer', 'not-installed'] }),
    ]);
    expect(bp.steps.map((s) => s.name)).toEqual(['connection', 'events', 'consumer']);
    // A `before` that closes a loop is a cycle like any other.
    expect(() => new Blueprint([step('a', log, { requires: ['b'] }), step('b', log, { before: ['a'] }), step('c', log, { requires: ['a'], before: ['b'] })])).toThrow(
      /cycle/,
    );
  });

  it('rejects a cycle with Q_ERR_BOOTSTEP_CYCLE', () => {
    const log: Log = [];
    const make = () =>
      new Blueprint([step('a', log, { requires: ['c'] }), step('b', log, { requires: ['a'] }), step('c', log, { requires: ['b'] })]);
    expect(make).toThrow(ConfigError);
    try {
      make();
    } catch (err) {
      expect((err as QError).code).toBe('Q_ERR_BOOTSTEP_CYCLE');
      expect((err as QError).message).toContain('a → c → b → a');
    }
  });

  it('rejects duplicate names and unknown requirements', () => {
    const log: Log = [];
    expect(() => new Blueprint([step('a', log), step('a', log)])).toThrow(/twice/);
    expect(() => new Blueprint([step('a', log, { requires: ['zzz'] })])).toThrow(/unknown step "zzz"/);
  });
});
