import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeState } from './node-state.js';
import { loadStateDb, saveStateDb, STATE_DB_FORMAT } from './state-db.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'q-statedb-'));
  dirs.push(d);
  return d;
}

describe('state db', () => {
  it('saves revoked ids with their times and the clock; a new node state loads them', async () => {
    const file = path.join(await tempDir(), 'sub', 'w1.state');
    const now = 1_765_000_000;
    const a = new NodeState({ now: () => now });
    a.revoked.add('old', now - 100);
    a.revoked.add('new', now);
    a.clock.adjust(41);
    await saveStateDb(file, a);
    const doc = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    expect(doc).toMatchObject({ format: STATE_DB_FORMAT, version: 1, clock: 43, revoked: [['old', now - 100], ['new', now]] });
    expect(await readdir(path.dirname(file))).toEqual(['w1.state']); // no temporary file left

    const b = new NodeState({ now: () => now + 10 });
    expect(await loadStateDb(file, b)).toBe(true);
    expect(b.isRevoked('old') && b.isRevoked('new')).toBe(true);
    expect(b.revoked.asDict()).toEqual([['old', now - 100], ['new', now]]);
    expect(b.clock.value).toBe(44);
  });

  it('a load purges ids past REVOKE_EXPIRES (3 h)', async () => {
    const file = path.join(await tempDir(), 'w.state');
    const now = 1_765_000_000;
    const a = new NodeState({ now: () => now });
    a.revoked.add('ancient', now - 10_801);
    a.revoked.add('recent', now - 60);
    await writeFile(file, JSON.stringify({ format: STATE_DB_FORMAT, version: 1, savedAt: '', clock: 0, revoked: a.revoked.asDict() }));
    const b = new NodeState({ now: () => now });
    await loadStateDb(file, b);
    expect([...b.revoked]).toEqual(['recent']);
  });

  it('a missing file loads nothing; a file that is not a q state db is refused, naming it', async () => {
    const dir = await tempDir();
    expect(await loadStateDb(path.join(dir, 'none'), new NodeState())).toBe(false);
    const bad = path.join(dir, 'bad');
    await writeFile(bad, 'shelve?');
    await expect(loadStateDb(bad, new NodeState())).rejects.toThrow(/statedb .*bad: not a q state db/);
    await writeFile(bad, JSON.stringify({ format: STATE_DB_FORMAT, version: 9, clock: 0, revoked: [] }));
    await expect(loadStateDb(bad, new NodeState())).rejects.toMatchObject({ code: 'Q_ERR_CONFIG_INVALID' });
  });
});
