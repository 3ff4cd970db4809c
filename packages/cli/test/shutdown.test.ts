import { EventEmitter } from 'node:events';
import { silentLogger } from '@q/core';
import { describe, expect, it } from 'vitest';
import { watchShutdownSignals } from '../src/shutdown.js';

function setup() {
  const source = new EventEmitter();
  const calls: boolean[] = [];
  let finish: () => void = () => {};
  const worker = {
    stop: ({ graceful }: { graceful: boolean }) => {
      calls.push(graceful);
      return new Promise<void>((resolve) => (finish = resolve));
    },
  };
  const watch = watchShutdownSignals(worker, { logger: silentLogger, source });
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

  it('removes its handlers on dispose', () => {
    const t = setup();
    t.watch.dispose();
    expect(t.source.listenerCount('SIGTERM') + t.source.listenerCount('SIGINT') + t.source.listenerCount('SIGQUIT')).toBe(0);
  });
});
