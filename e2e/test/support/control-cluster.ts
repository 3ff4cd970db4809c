/** Mixed clusters (a q and a Python worker) and five q workers (groups of `control-cases.ts`). */
import type { App } from '@q/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopAll } from './managed-process.js';
import { startPythonWorker } from './python-celery.js';
import type { InteropEnv } from './python-celery.js';
import { startQWorker } from './q-worker.js';
import { celeryJson, q, qJson, expectStatsShape, startMinglingPythonWorker, clientApp, NODES } from './control-support.js';
import type { ControlInteropSuite } from './control-support.js';

/** One q worker and one Python worker on the same broker: one broadcast reaches both. */
export function mixedCluster(s: ControlInteropSuite): void {
  describe(`a mixed cluster: one q worker, one Python worker (${s.broker})`, () => {
    const both = [NODES.mixedPython, NODES.mixedQ].sort();
    let urls: InteropEnv;
    let app: App;

    beforeAll(async () => {
      urls = s.urls();
      app = clientApp(urls, 'q-control-client');
      await Promise.all([
        startQWorker(urls, ['-n', NODES.mixedQ, '-P', 'async', '-c', '4']),
        startPythonWorker(s.python, urls, { hostname: NODES.mixedPython }),
      ]);
    }, 60_000);

    afterAll(async () => {
      await stopAll();
      await app?.close();
    });

    it('one app.control.ping() gets both replies', async () => {
      const replies = await app.control.ping({ timeout: 1 });
      expect(replies.map((r) => Object.keys(r)[0]).sort()).toEqual(both);
      for (const reply of replies) expect(Object.values(reply)).toEqual([{ ok: 'pong' }]);
    });

    it("one inspect().stats() gets both, in Celery's shape", async () => {
      const stats = await app.control.inspect({ timeout: 1 }).stats();
      expect(Object.keys(stats ?? {}).sort()).toEqual(both);
      for (const node of both) expectStatsShape(stats?.[node], s.brokerInfo);
    });

    it("Python's celery inspect ping (no destination) gets both", async () => {
      const replies = (await celeryJson(s.python, urls, ['inspect', 'ping'])) as Record<string, unknown>;
      expect(Object.keys(replies).sort()).toEqual(both);
      expect(Object.values(replies)).toEqual([{ ok: 'pong' }, { ok: 'pong' }]);
    });

    it('q inspect ping (no destination) gets both', async () => {
      const replies = (await qJson(urls, ['inspect', 'ping'])) as Record<string, unknown>;
      expect(Object.keys(replies).sort()).toEqual(both);
    });

    it('one celery control rate_limit broadcast sets the rate on both; both report it', async () => {
      const replies = (await celeryJson(s.python, urls, ['control', 'rate_limit', 'tasks.mul', '5/s'])) as Record<string, unknown>[];
      expect(replies.map((r) => Object.keys(r)[0]).sort()).toEqual(both);
      for (const reply of replies) expect(Object.values(reply)).toEqual([{ ok: 'new rate limit set successfully' }]);
      const registered = await app.control.inspect({ timeout: 1 }).registered();
      expect(registered).toEqual(Object.fromEntries(both.map((node) => [node, expect.arrayContaining(['tasks.mul [rate_limit=5/s]'])])));
    });

    it("mingle, Python from q: a Python worker starting beside them reads q's hello reply and learns the id only q revoked", async () => {
      const id = 'mingle-revoked-on-q';
      expect(await app.control.revoke(id, { destination: [NODES.mixedQ], reply: true, timeout: 2 })).toEqual([
        { [NODES.mixedQ]: { ok: `tasks ${id} flagged as revoked` } },
      ]);
      const late = await startMinglingPythonWorker(s.python, urls, NODES.minglingPython);
      expect(late.output()).toMatch(/mingle: sync with 2 nodes/);
      expect(late.output()).toMatch(/mingle: sync complete/);
      expect(late.output()).not.toMatch(/mingle: sync with \S+ failed/);
      const revoked = (await celeryJson(s.python, urls, ['inspect', 'revoked', '-d', NODES.minglingPython])) as Record<string, string[]>;
      expect(revoked[NODES.minglingPython]).toContain(id);
      await late.stop();
    }, 60_000);

    it("mingle, q from Python: a q worker starting beside them reads Python's hello reply and learns the id only Python revoked", async () => {
      const id = 'mingle-revoked-on-python';
      expect(await app.control.revoke(id, { destination: [NODES.mixedPython], reply: true, timeout: 2 })).toEqual([
        { [NODES.mixedPython]: { ok: `tasks ${id} flagged as revoked` } },
      ]);
      const late = await startQWorker(urls, ['-n', NODES.minglingQ, '-P', 'async', '-c', '2']);
      expect(late.output()).toMatch(/mingle: sync with 2 nodes/);
      const revoked = (await celeryJson(s.python, urls, ['inspect', 'revoked', '-d', NODES.minglingQ])) as Record<string, string[]>;
      expect(revoked[NODES.minglingQ]).toContain(id);
      await late.stop();
    }, 60_000);
  });
}

/** Five q worker processes all answer one `q inspect ping` within the default timeout (1 s). */
export function fiveQWorkers(s: ControlInteropSuite): void {
  describe(`five q workers (${s.broker})`, () => {
    let urls: InteropEnv;

    beforeAll(async () => {
      urls = s.urls();
      // started one after another: five TypeScript compilations at once on two cores would only be slower
      for (const node of NODES.five) await startQWorker(urls, ['-n', node, '-P', 'async', '-c', '1', '--without-mingle']);
    }, 120_000);

    afterAll(async () => {
      await stopAll();
    });

    it('q inspect ping (default timeout 1 s) lists all five; q status counts five', async () => {
      const run = await q(urls, ['inspect', 'ping']);
      expect(run.code, run.stderr).toBe(0);
      for (const node of NODES.five) expect(run.stdout).toContain(`->  ${node}: OK`);
      expect(run.stdout).toMatch(/\b5 nodes online\./);
      const status = await q(urls, ['status']);
      expect(status.stdout).toMatch(/\b5 nodes online\./);
    });

    it("Python's celery inspect ping (default timeout 1 s) gets all five", async () => {
      const replies = (await celeryJson(s.python, urls, ['inspect', 'ping'])) as Record<string, unknown>;
      expect(Object.keys(replies).sort()).toEqual([...NODES.five]);
    });
  });
}

