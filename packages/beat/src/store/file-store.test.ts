import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordingLogger } from '@q/test-services';
import { afterAll, describe, expect, it } from 'vitest';
import { fileStore } from './file-store.js';
import { localLock } from './local-lock.js';

const root = mkdtempSync(join(tmpdir(), 'q-beat-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const state = { timezone: 'Europe/Paris', entries: { a: { lastRunAt: '2026-03-02T12:00:00.000Z', totalRunCount: 3 }, b: { lastRunAt: null, totalRunCount: 0 } } };

describe('fileStore', () => {
  it('reads back what it saved, and nothing before the first save', async () => {
    const file = join(root, 'sub', 'celerybeat-schedule.json');
    const store = fileStore(file);
    expect(await store.load()).toBeNull();
    await store.save(state);
    expect(await store.load()).toEqual(state);
    expect(await fileStore(file).load()).toEqual(state);
    expect(store.describe()).toBe(`file ${file}`);
    await store.close();
  });

  it('replaces the file atomically, leaving no temporary file', async () => {
    const dir = mkdtempSync(join(root, 'atomic-'));
    const store = fileStore(join(dir, 's.json'));
    await Promise.all([store.save(state), store.save({ ...state, timezone: 'UTC' }), store.save(state)]);
    expect(readdirSync(dir)).toEqual(['s.json']);
    expect(JSON.parse(readFileSync(join(dir, 's.json'), 'utf8'))).toHaveProperty('entries.a.totalRunCount', 3);
  });

  it('logs a corrupt file and reads it as no state (the next save replaces it)', async () => {
    const file = join(root, 'corrupt.json');
    writeFileSync(file, '{"timezone": "UTC", "entr');
    const log = recordingLogger();
    const store = fileStore(file, { logger: log });
    expect(await store.load()).toBeNull();
    expect(log.lines.map((l) => [l.level, l.msg])).toEqual([['warn', `beat state file ${file} is not a beat state: starting afresh (it is replaced at the next save)`]]);
    writeFileSync(file, '[1, 2]');
    expect(await store.load()).toBeNull();
    await store.save(state);
    expect(await store.load()).toEqual(state);
  });

  it('rejects on an unreadable path other than a missing file', async () => {
    await expect(fileStore(root).load()).rejects.toMatchObject({ code: 'EISDIR' });
  });
});

describe('localLock', () => {
  it('always holds', async () => {
    const lock = localLock();
    expect(await lock.acquire(1)).toBe(true);
    await lock.release();
    expect(await lock.acquire(1)).toBe(true);
    expect(lock.alwaysHeld).toBe(true);
  });
});
