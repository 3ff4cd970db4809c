/**
 * Python Celery 5.2.6 client → q worker, over SQS (a private emulator; results and the ledger in a private
 * redis-server, see support/sqs-env.ts). The q worker is the real CLI run from source with `-b sqs://…`: the app
 * module imports no SQS adapter, so the scheme must resolve it; kombu's transport options reach it as
 * `brokerOptions.transportOptions` (`INTEROP_Q_CONFIG`), the same names Python's `broker_transport_options` uses.
 *
 * Of the shared cases, only the priority case is left out: SQS queues have no priorities (kombu carries the
 * `priority` property and ignores it), so no order can be asserted.
 */
import { Buffer } from 'node:buffer';
import { decodeEnvelope } from '@q/core/adapter';
import { createDefaultRegistry, decodeTaskMessage } from '@q/core/internal';
import { missingRedisServer, pythonCelery, runsHere } from '@q/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManagedProcess } from './support/managed-process.js';
import { stopAll } from './support/managed-process.js';
import { PythonClient, expectOk } from './support/python-celery.js';
import { pythonClientCases } from './support/python-client-cases.js';
import { startQWorker } from './support/q-worker.js';
import { sqsInterop } from './support/sqs-env.js';
import type { SqsInterop } from './support/sqs-env.js';

const py = pythonCelery('sqs interop', ['boto3', 'pycurl']);
const runs = runsHere('sqs interop', [missingRedisServer()]);

/** A queue no worker consumes: what Python sends there stays for the raw read. */
const WIRE_QUEUE = 'interop.wire';

describe.skipIf(!py || !runs)('a Python client, a q worker (SQS)', () => {
  let env: SqsInterop | undefined;
  let worker: ManagedProcess;
  let client: PythonClient;

  beforeAll(async () => {
    env = await sqsInterop('pyclient');
    client = new PythonClient(py ?? '', env.urls);
    worker = await startQWorker(env.urls, ['-P', 'solo', '--prefetch-multiplier', '1', '-n', 'q-sqs@%h']);
  }, 40_000);

  afterAll(async () => {
    await stopAll();
    await env?.close();
  });

  const sqs = () => (env as SqsInterop).sqs;

  it('resolved the SQS adapter from -b sqs:// (the app imports none), credentials masked', () => {
    expect(worker.output()).toMatch(/q-sqs@/);
    expect(worker.output()).toMatch(/sqs:\/\/test:\*\*\*@127\.0\.0\.1:\d+/);
    expect(worker.output()).not.toMatch(/sqs:\/\/test:test@/);
    expect(worker.output()).toMatch(/tasks\.add/);
  });

  it("reads a message Python sent, fetched raw with the AWS SDK, as kombu's format that q decodes", async () => {
    const id = await client.send('tasks.add', [2, 3], { z: 'ü' }, { queue: WIRE_QUEUE });
    const [message, ...more] = await sqs().receive(WIRE_QUEUE, { max: 10, waitSeconds: 5 });
    expect(more).toEqual([]);
    const raw = message?.Body ?? '';
    expect(raw).toMatch(/^[A-Za-z0-9+/]+={0,2}$/); // kombu: base64 of the envelope
    const envelope = decodeEnvelope(Buffer.from(raw, 'base64').toString('utf8'));
    expect(envelope).toMatchObject({ exchange: '', routingKey: WIRE_QUEUE, redelivered: false });
    expect(envelope.deliveryTag).toMatch(/^[0-9a-f-]{36}$/);
    const task = await decodeTaskMessage(envelope.message, { registry: createDefaultRegistry(), accept: ['application/json'] });
    expect(task).toMatchObject({ id, name: 'tasks.add', args: [2, 3], kwargs: { z: 'ü' }, lang: 'py', rootId: id, parentId: null, retries: 0 });
    expect(envelope.message.properties).toMatchObject({ correlationId: id, deliveryMode: 2 });
  });

  it('holds a task Python sent with an eta: received at once, kept in flight on SQS, run by q when due', async () => {
    const eta = new Date(Date.now() + 2500);
    const id = await client.send('tasks.mul', [6, 7], {}, { eta: eta.toISOString() });
    await worker.waitFor(new RegExp(`\\[${id}\\] received`), 5000);
    expect(await client.meta(id)).toMatchObject({ state: 'PENDING' });
    expect(await sqs().counts('celery')).toEqual({ visible: 0, inFlight: 1, delayed: 0 });
    expect(expectOk(await client.get(id)).value).toBe(42);
    expect(Date.now()).toBeGreaterThanOrEqual(eta.getTime() - 50);
    // acknowledged = deleted
    await expect.poll(() => sqs().counts('celery'), { timeout: 3000 }).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  pythonClientCases({
    client: () => client,
    worker: () => worker,
    ledger: () => (env as SqsInterop).ledger,
    firstPriority: null, // SQS has no priorities
    forbiddenOutput: /rejected|malformed/i,
  });
});
