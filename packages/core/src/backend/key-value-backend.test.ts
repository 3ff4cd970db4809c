import { describe, expect, it, vi } from 'vitest';
import type { Logger } from '../contracts/logger.js';
import { silentLogger } from '../contracts/logger.js';
import type { KeyValueDriver, ResultBackend, TaskMeta } from '../contracts/result-backend.js';
import { keyValueBackend, type KeyValueBackend } from './key-value-backend.js';
import { memoryKeyValueDriver } from './memory-key-value-driver.js';

const ns = (): string => `kvb-${Math.random().toString(36).slice(2)}`;
const success = (taskId: string, result: unknown, groupId?: string): TaskMeta => ({
  taskId,
  status: 'SUCCESS',
  result,
  traceback: null,
  children: [],
  dateDone: '2026-11-22T02:39:41.344238',
  ...(groupId === undefined ? {} : { groupId }),
});
const KEEP = { expiresMs: null };

describe('keyValueBackend', () => {
  it("writes Celery's result document under celery-task-meta-<id>, published, with the expiry", async () => {
    const driver = memoryKeyValueDriver({ namespace: ns() });
    const set = vi.spyOn(driver, 'set');
    await keyValueBackend(driver).storeResult(success('404558d9-a006-4198-a997-21887975f852', 5), { expiresMs: 86_400_000 });
    expect(set).toHaveBeenCalledWith(
      'celery-task-meta-404558d9-a006-4198-a997-21887975f852',
      '{"status": "SUCCESS", "result": 5, "traceback": null, "children": [], "date_done": "2026-11-22T02:39:41.344238", "task_id": "404558d9-a006-4198-a997-21887975f852"}',
      { ttlMs: 86_400_000, publish: true },
    );
  });

  it('reads the stored document first and never overwrites a SUCCESS', async () => {
    const driver = memoryKeyValueDriver({ namespace: ns() });
    const backend = keyValueBackend(driver);
    await backend.storeResult(success('t', 1), KEEP);
    const set = vi.spyOn(driver, 'set');
    await backend.storeResult({ ...success('t', 2), status: 'FAILURE' }, KEEP);
    expect(set).not.toHaveBeenCalled();
    expect((await backend.getTaskMeta('t'))?.result).toBe(1);
  });

  it('offers watch only when the driver can subscribe', async () => {
    const driver = memoryKeyValueDriver({ namespace: ns() });
    expect(keyValueBackend(driver).capabilities).toEqual({ push: true, chords: 'unlock', groups: true, autoExpire: true });
    const noSub: KeyValueDriver = { ...driver, capabilities: { subscribe: false, atomicIncr: true } };
    delete noSub.subscribe;
    const backend = keyValueBackend(noSub);
    expect(backend.capabilities.push).toBe(false);
    expect(backend.watch).toBeUndefined();
  });

  it('watch ignores a malformed document and logs it', async () => {
    const namespace = ns();
    const error = vi.fn();
    const logger: Logger = { ...silentLogger, error };
    const backend = keyValueBackend(memoryKeyValueDriver({ namespace }), { logger });
    const seen: TaskMeta[] = [];
    await backend.watch?.('w', (m) => seen.push(m));
    await memoryKeyValueDriver({ namespace }).set('celery-task-meta-w', 'not json', { ttlMs: null, publish: true });
    await new Promise((r) => setTimeout(r, 10));
    expect(seen).toEqual([]);
    expect(error).toHaveBeenCalled();
  });

  it('saves groups under celery-taskset-meta-<gid> in Celery’s format', async () => {
    const driver = memoryKeyValueDriver({ namespace: ns() });
    await keyValueBackend(driver).saveGroup?.('g1', [['g1', null], [[['a', null], null]]], KEEP);
    expect(await driver.get('celery-taskset-meta-g1')).toBe('{"result": [["g1", null], [[["a", null], null]]]}');
  });

  describe('onChordPartReturn (chord-unlock-<gid> counter)', () => {
    async function chord(size: number) {
      const driver = memoryKeyValueDriver({ namespace: ns() });
      const warn = vi.fn();
      const backend = keyValueBackend(driver, { logger: { ...silentLogger, warn } });
      const ids = Array.from({ length: size }, (_, i) => `h${i}`);
      await backend.saveGroup?.('g', [['g', null], ids.map((id) => [[id, null], null])], KEEP);
      const part = async (i: number) => {
        const meta = success(`h${i}`, i, 'g');
        await backend.storeResult(meta, KEEP);
        const onChordPartReturn = backend.onChordPartReturn?.bind(backend);
        if (!onChordPartReturn) throw new Error('missing');
        return onChordPartReturn({ groupId: 'g', groupIndex: i, taskId: meta.taskId, meta });
      };
      return { driver, part, warn };
    }

    it('counts with incr and completes on the last part, then deletes the counter and the group', async () => {
      const { driver, part } = await chord(2);
      const incr = vi.spyOn(driver, 'incr');
      expect(await part(1)).toEqual({ complete: false });
      expect(await driver.get('chord-unlock-g')).toBe('1');
      expect(incr).toHaveBeenCalledWith('chord-unlock-g', 1, 86_400_000);
      expect(await part(0)).toEqual({ complete: true, results: [0, 1], failed: null });
      expect(await driver.get('chord-unlock-g')).toBeNull();
      expect(await driver.get('celery-taskset-meta-g')).toBeNull();
    });

    it('fails when the group was never saved', async () => {
      const backend = keyValueBackend(memoryKeyValueDriver({ namespace: ns() }));
      await expect(
        backend.onChordPartReturn?.({ groupId: 'missing', groupIndex: 0, taskId: 't', meta: success('t', 1, 'missing') }),
      ).rejects.toThrow(/GroupResult missing no longer exists/);
    });

    it('warns, and does not complete again, when incremented too many times', async () => {
      const { driver, part, warn } = await chord(2);
      await driver.incr('chord-unlock-g', 2, null);
      expect(await part(0)).toEqual({ complete: false });
      expect(warn).toHaveBeenCalled();
    });
  });
});

describe('keyValueBackend with a corrupt stored document', () => {
  it('overwrites it (and logs) instead of failing the store', async () => {
    const driver = memoryKeyValueDriver({ namespace: ns() });
    const warn = vi.fn();
    await driver.set('celery-task-meta-c', '{broken', { ttlMs: null, publish: false });
    const backend = keyValueBackend(driver, { logger: { ...silentLogger, warn } });
    await backend.storeResult(success('c', 9), KEEP);
    expect((await backend.getTaskMeta('c'))?.result).toBe(9);
    expect(warn).toHaveBeenCalled();
  });
});

describe('keyValueBackend with overrides', () => {
  it('replaces exactly the overridden members and adds new ones; every other member is the base’s own', async () => {
    const driver = memoryKeyValueDriver({ namespace: ns() });
    let base: KeyValueBackend | undefined;
    const stored: TaskMeta[] = [];
    const closed: string[] = [];
    const capabilities = { push: true, chords: 'native', groups: true, autoExpire: true } as const;
    const backend = keyValueBackend(driver, {}, (b) => {
      base = b;
      return {
        capabilities,
        async storeResult(meta, _options) {
          stored.push(meta);
        },
        async close() {
          closed.push('mine');
          await b.close();
        },
        extra: 'added',
      };
    });
    if (!base) throw new Error('overrides was not called with the base');
    const lifted: KeyValueBackend = base;

    const overridden = ['capabilities', 'storeResult', 'close'];
    for (const key of overridden) expect(backend[key as keyof ResultBackend]).not.toBe(lifted[key as keyof ResultBackend]);
    expect(backend.capabilities).toBe(capabilities);
    expect(backend.extra).toBe('added');
    const inherited = Object.keys(lifted).filter((key) => !overridden.includes(key));
    expect(inherited.sort()).toEqual(
      [
        'connect',
        'deleteGroup',
        'describe',
        'forget',
        'getMany',
        'getTaskMeta',
        'loadRevoked',
        'onChordPartReturn',
        'restoreGroup',
        'saveGroup',
        'saveRevoked',
        'watch',
      ].sort(),
    );
    for (const key of inherited) expect(backend[key as keyof ResultBackend]).toBe(lifted[key as keyof ResultBackend]);
    expect(Object.keys(backend).sort()).toEqual([...Object.keys(lifted), 'extra'].sort());

    // The override runs instead of the base's member; the base is left as it was.
    await backend.storeResult(success('o', 1), KEEP);
    expect(stored.map((m) => m.taskId)).toEqual(['o']);
    expect(await backend.getTaskMeta('o')).toBeNull();
    expect(lifted.capabilities).toEqual({ push: true, chords: 'unlock', groups: true, autoExpire: true });
    // An inherited member still works on the driver; an override can call through to the base.
    await lifted.storeResult(success('b', 2), KEEP);
    expect((await backend.getTaskMeta('b'))?.result).toBe(2);
    const close = vi.spyOn(driver, 'close');
    await backend.close();
    expect(closed).toEqual(['mine']);
    expect(close).toHaveBeenCalledTimes(1);
  });
});
