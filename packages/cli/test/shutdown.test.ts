import { EventEmitter } from 'node:events';
import { silentLogger } from '@q/core';
import { describe, expect, it } from 'vitest';
import { WORKER_SIGNALS, watchShutdownSignals } from '../src/shutdown.js';

function setup(options: { canRestart?: boolean; onDump?: () => void } = {}) {
  const source = new EventEmitter();
  const calls: boolean[] = [];
  let finish: () => void = () => {};
  const worker = {
    stop: ({ graceful }: { graceful: boolean }) => {
      calls.push(graceful);
      return new Promise<void>((resolve) => (finish = resolve));
    },
  };
  const watch = watchShutdownSignals(worker, { logger: silentLogger, source, ...options });
  return { source, calls, watch, finish: () => finish() };
}

describe('watchShutdownSignals', () => {
  it('stops warm on SIGTERM and ignores a second SIGTERM', async () => {
    const t = setup();
    t.source.emit('SIGTERM');
    t.source.emit('SIGTERM');
    expect(t.calls).toEqual([true]);
    t.finish();
    await expect(t.watch.done).resolves.toBe('warm');
  });

  it('stops warm on the first SIGINT and cold on the second', async () => {
    const t = setup();
    t.source.emit('SIGINT');
    t.source.emit('SIGINT');
    expect(t.calls).toEqual([true, false]);
    t.finish();
    await expect(t.watch.done).resolves.toBe('cold');
  });

  it('stops cold on SIGQUIT', async () => {
    const t = setup();
    t.source.emit('SIGQUIT');
    expect(t.calls).toEqual([false]);
    t.finish();
    await expect(t.watch.done).resolves.toBe('cold');
  });

  it('gives up waiting on a signal after a cold shutdown was asked', async () => {
    const t = setup();
    t.source.emit('SIGQUIT');
    t.source.emit('SIGINT');
    await expect(t.watch.done).resolves.toBe('cold');
  });

  it('stops warm for a restart on SIGHUP when the worker can restart, else warm', async () => {
    const t = setup({ canRestart: true });
    t.source.emit('SIGHUP');
    t.source.emit('SIGHUP');
    expect(t.calls).toEqual([true]);
    t.finish();
    await expect(t.watch.done).resolves.toBe('restart');
    const u = setup();
    u.source.emit('SIGHUP');
    u.finish();
    await expect(u.watch.done).resolves.toBe('warm');
  });

  it('turns a restart cold on SIGINT', async () => {
    const t = setup({ canRestart: true });
    t.source.emit('SIGHUP');
    t.source.emit('SIGINT');
    expect(t.calls).toEqual([true, false]);
    t.finish();
    await expect(t.watch.done).resolves.toBe('cold');
  });

  it('dumps on SIGUSR1 without stopping', () => {
    let dumps = 0;
    const t = setup({ onDump: () => void dumps++ });
    t.source.emit('SIGUSR1');
    t.source.emit('SIGUSR1');
    expect(dumps).toBe(2);
    expect(t.calls).toEqual([]);
  });

  it('removes its handlers on dispose', () => {
    const t = setup();
    t.watch.dispose();
    expect(WORKER_SIGNALS.map((s) => t.source.listenerCount(s)).reduce((a, b) => a + b, 0)).toBe(0);
  });
});
