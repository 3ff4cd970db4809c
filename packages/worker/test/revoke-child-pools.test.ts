/**
 * `worker.revoke(id, { terminate: true })` on the pools with children: the child running the task is killed and
 * replaced, REVOKED `terminated` is stored, the next task runs.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ChildAppSource } from '@q/core/adapter';
import { defineTasks } from './fixtures/pool-app.js';
import { makeApp, metaOf, namespace, sleep, startWorker, until } from './helpers.js';

const require = createRequire(import.meta.url);
const FIXTURE = fileURLToPath(new URL('./fixtures/pool-app.ts', import.meta.url));
const TSX = pathToFileURL(require.resolve('tsx/esm/api')).href;
const TERMINATED = { exc_type: 'TaskRevokedError', exc_message: ['terminated'], exc_module: 'celery.exceptions' };

for (const pool of ['prefork', 'threads'] as const) {
  describe(`revoke with terminate on ${pool}`, () => {
    it('kills the child running an endless synchronous loop; REVOKED terminated; the next task runs', async () => {
      const ns = namespace();
      const app = makeApp(ns);
      defineTasks(app);
      const childApp: ChildAppSource = { module: FIXTURE, exportName: 'childApp', args: { ns }, preload: [TSX] };
      const worker = await startWorker(app, { pool, concurrency: 1, childApp });
      const spin = await app.sendTask('pool.spin');
      // Running once a child took it (the pool listens to its signal from then on); a revoke before would skip it.
      await until(() => worker.stats().active, (n) => n === 1, 10_000);
      await sleep(200);
      const { terminated } = worker.revoke(spin.id, { terminate: true, signal: 'KILL' });
      expect(terminated).toEqual([spin.id]);
      expect(await metaOf(app, spin.id)).toMatchObject({ status: 'REVOKED', result: TERMINATED });
      await sleep(10);
      expect(await (await app.sendTask('pool.add', [2, 3])).get({ timeout: 15 })).toBe(5);
    });
  });
}

describe('revoke with terminate on prefork: the signal asked for', () => {
  it("sends the child the revoke's signal (SIGTERM by default), which its handler sees; REVOKED terminated; the next task runs", async () => {
    const ns = namespace();
    const app = makeApp(ns);
    defineTasks(app);
    const dir = mkdtempSync(join(tmpdir(), 'q-term-'));
    const file = join(dir, 'signals');
    try {
      const childApp: ChildAppSource = { module: FIXTURE, exportName: 'childApp', args: { ns }, preload: [TSX] };
      const worker = await startWorker(app, { pool: 'prefork', concurrency: 1, childApp });
      const trap = await app.sendTask('pool.trapTerm', [file]);
      await until(() => { try { return readFileSync(file, 'utf8'); } catch { return ''; } }, (text) => text.includes('running'), 10_000);
      const { terminated, signal } = worker.revoke(trap.id, { terminate: true });
      expect({ terminated, signal }).toEqual({ terminated: [trap.id], signal: 'SIGTERM' });
      expect(await metaOf(app, trap.id)).toMatchObject({ status: 'REVOKED', result: TERMINATED });
      await until(() => readFileSync(file, 'utf8'), (text) => text.includes('SIGTERM'), 10_000);
      expect(await (await app.sendTask('pool.add', [2, 3])).get({ timeout: 15 })).toBe(5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
