/**
 * q beat → Python Celery 5.2.6 worker, over RabbitMQ (vhost `q-test-e2e-beat`): the real `q beat` (e2e/apps/beat-app.ts)
 * sends an entry with args, kwargs and the options `queue` and `expires`; a Python worker consuming that queue runs
 * it and records the message as it read it (`tasks.request_info` of capapp.py) in a ledger on a private redis-server
 * (every shared Redis db is taken). The fields are those of a message Python's beat sends
 * (`../shared/spec/vectors/task-v2-beat-sent.json`).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { missingRedisServer, pythonCelery, rabbitVhost, readVector, runsHere } from '@q/test-services';
import type { TestVhost } from '@q/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManagedProcess } from './support/managed-process.js';
import { stopAll } from './support/managed-process.js';
import { startPythonWorker } from './support/python-celery.js';
import { startQ } from './support/q-process.js';
import type { QProcess } from './support/q-process.js';
import { startRoutingRedis } from './support/routing-cases.js';
import type { RoutingRedis } from './support/routing-cases.js';

const ENTRY = 'request-info-every-second';
const py = pythonCelery('beat interop');
const runs = runsHere('beat interop', [missingRedisServer()]);
const vhost = py && runs ? await rabbitVhost('beat interop', 'e2e-beat') : null;

/** What `tasks.request_info` records: the message's fields as the Python worker read them. */
interface SeenRequest {
  id: string;
  task: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  argsrepr: string | null;
  kwargsrepr: string | null;
  expires: string | null;
  eta: string | null;
  root_id: string | null;
  parent_id: string | null;
  retries: number;
  routing_key: string | null;
}

/** The headers of the message Python's beat sent (an entry with `args=[16, 16]`, `options={'expires': 10}`). */
interface VectorHeaders {
  argsrepr: string;
  kwargsrepr: string;
  expires: string;
  eta: null;
  parent_id: null;
  retries: number;
}

describe.skipIf(!py || !runs || !vhost)('a q beat, a Python worker (RabbitMQ)', () => {
  let redis: RoutingRedis | undefined;
  let worker: ManagedProcess;
  let beat: QProcess;
  let dir: string;
  let startedAt: number;
  let seen: SeenRequest[] = [];
  const vector = readVector<{ envelope: { headers: VectorHeaders } }>('task-v2-beat-sent.json').envelope.headers;

  beforeAll(async () => {
    redis = await startRoutingRedis();
    dir = mkdtempSync(path.join(os.tmpdir(), 'q-e2e-beat-'));
    const urls = { broker: (vhost as TestVhost).url, backend: 'rpc://', ledger: redis.url(1) };
    worker = await startPythonWorker(py ?? '', urls, { hostname: 'py-beat@%h', queues: ['beat-q'] });
    startedAt = Date.now();
    beat = startQ(['-A', 'e2e/apps/beat-app.ts', '-b', urls.broker, '-l', 'info', 'beat', '-s', path.join(dir, 'state.json')]);
    const ledger = redis.ledger;
    const deadline = Date.now() + 30_000;
    while (seen.length < 2 && Date.now() < deadline) {
      seen = (await ledger.lrange('requests', 0, -1)).map((line) => JSON.parse(line) as SeenRequest);
      if (seen.length < 2) await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }, 60_000);

  afterAll(async () => {
    beat?.child.kill('SIGKILL');
    await stopAll();
    await redis?.stop();
    await vhost?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the Python worker runs the entry each time it is due, on the queue the entry names', () => {
    expect(seen.length, `q beat:\n${beat.stdout()}\n${beat.stderr()}\npython:\n${worker.output()}`).toBeGreaterThanOrEqual(2);
    expect(seen[0]?.task).toBe('tasks.request_info');
    expect(seen[0]?.routing_key).toBe('beat-q');
    expect(new Set(seen.map((s) => s.id)).size).toBe(seen.length);
    expect(worker.output()).not.toMatch(/unknown message|Can't decode message body|Unrecoverable error|Received and deleted unknown/i);
  });

  it('args and kwargs arrive as Python values, with their Python reprs in argsrepr and kwargsrepr', () => {
    const first = seen[0] as SeenRequest;
    expect(first.args).toEqual([16, 16]);
    expect(first.kwargs).toEqual({ tag: 'beat' });
    // Python's beat writes the list form (the vector: '[16, 16]', apply_async(args=[…])); q's beat does the same.
    expect(vector.argsrepr).toBe('[16, 16]');
    expect(first.argsrepr).toBe(vector.argsrepr);
    expect(first.kwargsrepr).toBe("{'tag': 'beat'}");
    expect(first.root_id).toBe(first.id);
    expect(first.parent_id).toBe(vector.parent_id);
    expect(first.eta).toBe(vector.eta);
    expect(first.retries).toBe(vector.retries);
  });

  it("expires is the header Python reads: an ISO-8601 instant with Python's offset, after the start, within 10 s of the send", () => {
    const first = seen[0] as SeenRequest;
    // as Python's isoformat(): microseconds when non-zero, `+00:00` (the vector: 2026-11-22T02:48:54.740745+00:00)
    const isoformat = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/;
    expect(vector.expires).toMatch(isoformat);
    expect(first.expires).toMatch(isoformat);
    const expires = Date.parse(first.expires ?? '');
    expect(expires).toBeGreaterThanOrEqual(startedAt + 10_000 - 1);
    expect(expires).toBeLessThanOrEqual(Date.now() + 10_000);
  });

  it('SIGTERM stops q beat with exit 0 and the runs in its state file', async () => {
    beat.child.kill('SIGTERM');
    expect(await beat.exited()).toBe(0);
    const state = JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')) as { entries: Record<string, { totalRunCount: number }> };
    expect(state.entries[ENTRY]?.totalRunCount).toBeGreaterThanOrEqual(2);
  });
});
