/** Snapshot cameras of `q events --camera`: which export is the camera, `--maxrate`, and the shutter's schedule. */
import { EventEmitter } from 'node:events';
import type { ClusterSnapshot } from '@q/events';
import { silentLogger } from '@q/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseMaxrate, pickCamera, startShutter } from '../src/commands/event-camera.js';
import { stopSignal } from '../src/stop-signal.js';

const SNAPSHOT = { takenAt: 1, workers: [], tasks: [] } as unknown as ClusterSnapshot;

afterEach(() => vi.useRealTimers());

describe('pickCamera', () => {
  it('takes the named export, else `camera`, else the default export; a function or an object with shutter', () => {
    const calls: string[] = [];
    const fn = (s: ClusterSnapshot) => calls.push(`fn ${s.takenAt}`);
    const obj = { shutter: (s: ClusterSnapshot) => calls.push(`obj ${s.takenAt}`), close: () => calls.push('closed') };
    pickCamera({ snap: fn }, 'm.ts', 'snap').shutter(SNAPSHOT);
    pickCamera({ camera: obj, default: fn }, 'm.ts', undefined).shutter(SNAPSHOT);
    pickCamera({ default: fn }, 'm.ts', undefined).shutter(SNAPSHOT);
    pickCamera({ default: { camera: obj } }, 'm.ts', undefined).close();
    expect(calls).toEqual(['fn 1', 'obj 1', 'fn 1', 'closed']);
  });

  it('names what the module exports when no camera is there', () => {
    expect(() => pickCamera({ app: {}, other: 1 }, 'm.ts', undefined)).toThrow(/exports no camera as "camera" or "default" \(it exports: app, other\)/);
    expect(() => pickCamera({ camera: { notShutter: 1 } }, 'm.ts', 'camera')).toThrow(/exports no camera as "camera"/);
  });
});

describe('parseMaxrate', () => {
  it('reads Celery rates as shutters per second', () => {
    expect(parseMaxrate('10')).toBe(10);
    expect(parseMaxrate('10/s')).toBe(10);
    expect(parseMaxrate('120/m')).toBe(2);
    expect(parseMaxrate('3600/h')).toBe(1);
    expect(() => parseMaxrate('fast')).toThrow(/-r\/--maxrate: expected a rate/);
    expect(() => parseMaxrate('0/s')).toThrow(/-r\/--maxrate/);
  });
});

describe('startShutter', () => {
  it('shoots every frequency seconds, once more on stop, then closes the camera', async () => {
    vi.useFakeTimers();
    const shots: number[] = [];
    let taken = 0;
    const events: string[] = [];
    const handle = startShutter(
      { shutter: (s) => void shots.push(s.takenAt), close: () => void events.push('close') },
      { snapshot: () => ({ ...SNAPSHOT, takenAt: ++taken }), frequency: 1, logger: silentLogger, now: () => Date.now() },
    );
    await vi.advanceTimersByTimeAsync(3000);
    expect(shots).toEqual([1, 2, 3]);
    await handle.stop();
    expect(shots).toEqual([1, 2, 3, 4]);
    expect(events).toEqual(['close']);
    await vi.advanceTimersByTimeAsync(3000);
    expect(shots).toHaveLength(4);
  });

  it('skips shutters beyond maxrate, and keeps shooting after a camera throws', async () => {
    vi.useFakeTimers();
    let count = 0;
    const handle = startShutter(
      {
        shutter: () => {
          count += 1;
          throw new Error('camera broke');
        },
        close: () => undefined,
      },
      { snapshot: () => SNAPSHOT, frequency: 1, maxrate: 0.5, logger: silentLogger, now: () => Date.now() },
    );
    await vi.advanceTimersByTimeAsync(6000);
    expect(count).toBe(3);
    await handle.stop();
  });
});

describe('stopSignal', () => {
  it('resolves with the first of SIGINT and SIGTERM and removes its listeners', async () => {
    const source = new EventEmitter();
    const stopped = stopSignal(source);
    expect(source.listenerCount('SIGTERM')).toBe(1);
    source.emit('SIGTERM');
    expect(await stopped).toBe('SIGTERM');
    expect(source.listenerCount('SIGTERM') + source.listenerCount('SIGINT')).toBe(0);
  });

  it('resolves with null when aborted', async () => {
    const source = new EventEmitter();
    const controller = new AbortController();
    const stopped = stopSignal(source, controller.signal);
    controller.abort();
    expect(await stopped).toBeNull();
    expect(source.listenerCount('SIGINT')).toBe(0);
  });
});
