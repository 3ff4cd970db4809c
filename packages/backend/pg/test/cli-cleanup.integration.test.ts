/**
 * `q cleanup --result-backend postgresql://…`: the plugin loads from the scheme, the schema comes from the URL's
 * `options=-csearch_path=…` (pg's connection-string option), and rows older than `--expires` are deleted.
 */
import { PassThrough } from 'node:stream';
import { runCli, type CliIo } from '@q/cli';
import { POSTGRES, servicesAvailable } from '@q/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgBackend } from '../src/index.js';
import { PG_URL, dropSchema, freshSchema } from './pg-schema.js';

const ok = await servicesAvailable('backend-pg cli', POSTGRES);
const SCHEMA = 'q_test_backend_pg_cli';

function io(): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
    stdin: Object.assign(new PassThrough(), { isTTY: false }),
    env: {},
    cwd: process.cwd(),
    out: () => out,
    err: () => err,
  };
}

describe.skipIf(!ok)('q cleanup on PostgreSQL (schema q_test_backend_pg_cli)', () => {
  beforeAll(() => freshSchema(SCHEMA));
  afterAll(() => dropSchema(SCHEMA));

  it('deletes results older than --expires, keeps the others, and says how many', async () => {
    const backend = pgBackend({ url: PG_URL, tableSchemas: { task: SCHEMA, group: SCHEMA } });
    try {
      const at = (hoursAgo: number): string => new Date(Date.now() - hoursAgo * 3600_000).toISOString().replace('Z', '');
      for (const [id, hoursAgo] of [['old-1', 5], ['old-2', 3], ['new-1', 0]] as const) {
        await backend.storeResult({ taskId: id, status: 'SUCCESS', result: id, traceback: null, children: [], dateDone: at(hoursAgo) }, { expiresMs: null });
      }
      const url = `${PG_URL.replace('postgresql://', 'db+postgresql://')}?options=${encodeURIComponent(`-csearch_path=${SCHEMA}`)}`;
      const cli = io();
      const code = await runCli(['node', 'q', '-b', 'memory://pg-cleanup', '--result-backend', url, 'cleanup', '--expires', '7200'], cli);
      expect(cli.err()).toBe('');
      expect(code).toBe(0);
      expect(cli.out()).toMatch(/^Deleted 2 expired results \(finished more than 7200 s ago\) from postgresql:\/\/.*\.$/m);
      expect(await backend.getMany(['old-1', 'old-2', 'new-1'])).toMatchObject([null, null, { result: 'new-1' }]);
    } finally {
      await backend.close();
    }
  });
});
