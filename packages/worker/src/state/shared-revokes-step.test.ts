import { afterEach, describe, expect, it, vi } from 'vitest';
import { keyValueBackend, memoryKeyValueDriver, silentLogger } from '@q/core';
import type { Logger, ResultBackend, SaveRevokedOptions } from '@q/core';
import type { WorkerHost } from '../blueprint/worker-host.js';
import { NodeState } from './node-state.js';
import { revokeTasks } from './revoke-tasks.js';
import { SHARED_REVOKES_LOAD_TIMEOUT_MS, sharedRevokesStep } from './shared-revokes-step.js';

const ns = (): string => `shared-revokes-${Math.random().toString(36).slice(2)}`;

function host(backend: ResultBackend | null, options: { shareRevokes?: boolean; logger?: Logger } = {}): WorkerHost & { nodeState: NodeState } {
  return {
    options: { shareRevokes: options.shareRevokes ?? true },
    parts: { backend },
    nodeState: new NodeState(),
    logger: options.logger ?? silentLogger,
  } as unknown as WorkerHost & { nodeState: NodeState };
}

/** A memory backend whose saves are recorded. */
function recordingBackend(namespace = ns()) {
  const backend = keyValueBackend(memoryKeyValueDriver({ namespace }));
  const saves: { ids: string[]; options: SaveRevokedOptions }[] = [];
  const save = backend.saveRevoked?.bind(backend);
  if (!save) throw new Error('memory backend without saveRevoked');
  backend.saveRevoked = async (ids, options) => {
    saves.push({ ids: [...ids], options });
    await save(ids, options);
  };
  return { backend, saves };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('sharedRevokesStep', () => {
  it('runs right after connection, before the pool, pidbox, mingle and consumer', () => {
    expect(sharedRevokesStep.name).toBe('shared-revokes');
    expect(sharedRevokesStep.requires).toEqual(['connection']);
  });

  it('is enabled with shareRevokes on a backend that keeps revoked ids, and only then', () => {
    const { backend } = recordingBackend();
    expect(sharedRevokesStep.enabled?.(host(backend))).toBe(true);
    expect(sharedRevokesStep.enabled?.(host(backend, { shareRevokes: false }))).toBe(false);
    expect(sharedRevokesStep.enabled?.(host(null))).toBe(false);
    const { saveRevoked: _s, loadRevoked: _l, ...withoutStore } = backend;
    expect(sharedRevokesStep.enabled?.(host(withoutStore as ResultBackend))).toBe(false);
  });

  it('merges the ids the backend kept before its start resolves, with their times, and bumps the revision', async () => {
    const { backend } = recordingBackend();
    const now = Date.now();
    await backend.saveRevoked?.(['x', 'y'], { at: now - 60_000, ttlMs: 3_600_000 });
    const h = host(backend);
    await sharedRevokesStep.start(h);
    expect(h.nodeState.isRevoked('x') && h.nodeState.isRevoked('y')).toBe(true);
    expect(h.nodeState.revoked.asDict()).toEqual([
      ['x', (now - 60_000) / 1000],
      ['y', (now - 60_000) / 1000],
    ]);
    expect(h.nodeState.revision).toBe(1);
    await sharedRevokesStep.stop(h, { graceful: true });
  });

  it('asks for the revoked set’s limits: ids within REVOKE_EXPIRES, at most REVOKES_MAX', async () => {
    const { backend } = recordingBackend();
    const load = vi.spyOn(backend, 'loadRevoked');
    const h = host(backend);
    const before = Date.now();
    await sharedRevokesStep.start(h);
    const options = load.mock.calls[0]?.[0];
    expect(options?.limit).toBe(50_000);
    expect(options?.since).toBeGreaterThanOrEqual(before - 10_800_000);
    expect(options?.since).toBeLessThanOrEqual(Date.now() - 10_800_000);
    await sharedRevokesStep.stop(h, { graceful: true });
  });

  it('saves each revoke once, with its time and REVOKE_EXPIRES; ids merged from the backend or mingle are not saved again', async () => {
    const namespace = ns();
    const first = recordingBackend(namespace);
    await first.backend.saveRevoked?.(['from-backend'], { at: Date.now(), ttlMs: 3_600_000 });
    first.saves.length = 0;
    const h = host(first.backend);
    await sharedRevokesStep.start(h);
    h.nodeState.revoked.merge([['from-mingle', Date.now() / 1000]]);
    const before = Date.now();
    revokeTasks(h.nodeState, ['r1', 'r2'], {}, silentLogger);
    await vi.waitFor(() => expect(first.saves).toHaveLength(1));
    expect(first.saves[0]?.ids).toEqual(['r1', 'r2']);
    expect(first.saves[0]?.options.ttlMs).toBe(10_800_000);
    expect(first.saves[0]?.options.at).toBeGreaterThanOrEqual(before);
    await sharedRevokesStep.stop(h, { graceful: true });
    expect(first.saves).toHaveLength(1);
    // Another worker sees every id, each once.
    const other = host(recordingBackend(namespace).backend);
    await sharedRevokesStep.start(other);
    expect([...other.nodeState.revoked].sort()).toEqual(['from-backend', 'r1', 'r2']);
    await sharedRevokesStep.stop(other, { graceful: true });
  });

  it('revokes made while a save is in flight go out together in the next one; stop saves what is left', async () => {
    const { backend, saves } = recordingBackend();
    const h = host(backend);
    await sharedRevokesStep.start(h);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const save = backend.saveRevoked?.bind(backend);
    backend.saveRevoked = async (ids, options) => {
      await gate;
      await save?.(ids, options);
    };
    revokeTasks(h.nodeState, 'a', {}, silentLogger);
    await Promise.resolve();
    revokeTasks(h.nodeState, 'b', {}, silentLogger);
    revokeTasks(h.nodeState, ['c'], {}, silentLogger);
    const stopped = sharedRevokesStep.stop(h, { graceful: true });
    release();
    await stopped;
    expect(saves.map((s) => s.ids)).toEqual([['a'], ['b', 'c']]);
    // Stopped: revokes are no longer shared.
    revokeTasks(h.nodeState, 'd', {}, silentLogger);
    await new Promise((r) => setTimeout(r, 5));
    expect(saves).toHaveLength(2);
  });

  it('a backend that fails to load or save is logged as a warning; the worker goes on', async () => {
    const { backend } = recordingBackend();
    backend.loadRevoked = () => Promise.reject(new Error('store down'));
    backend.saveRevoked = () => Promise.reject(new Error('store down'));
    const warn = vi.fn();
    const h = host(backend, { logger: { ...silentLogger, warn } });
    await sharedRevokesStep.start(h);
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ err: expect.any(Error) }), expect.stringMatching(/could not load/));
    revokeTasks(h.nodeState, 'a', {}, silentLogger);
    await sharedRevokesStep.stop(h, { graceful: true });
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ revoked: 1 }), expect.stringMatching(/could not save 1 revoked ids/));
    expect(h.nodeState.isRevoked('a')).toBe(true);
  });

  it(`starts without the backend's ids when it does not answer within ${SHARED_REVOKES_LOAD_TIMEOUT_MS} ms, and merges them when they come`, async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { backend } = recordingBackend();
    let answer!: (ids: { id: string; at: number }[]) => void;
    backend.loadRevoked = () =>
      new Promise((resolve) => {
        answer = resolve;
      });
    const warn = vi.fn();
    const h = host(backend, { logger: { ...silentLogger, warn } });
    const started = sharedRevokesStep.start(h);
    await vi.advanceTimersByTimeAsync(SHARED_REVOKES_LOAD_TIMEOUT_MS);
    await started;
    expect(warn).toHaveBeenCalledWith(expect.anything(), expect.stringMatching(/no answer from the result backend/));
    answer([{ id: 'late', at: Date.now() }]);
    await vi.waitFor(() => expect(h.nodeState.isRevoked('late')).toBe(true));
    await sharedRevokesStep.stop(h, { graceful: true });
  });
});
