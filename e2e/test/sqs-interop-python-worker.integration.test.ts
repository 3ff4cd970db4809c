/**
 * q client → Python Celery 5.2.6 worker, over SQS (a private emulator; kombu's SQS transport: boto3 plus its pycurl
 * ReceiveMessage, both speaking the Query protocol). The q client uses the typed path (`sqsTransport()` with kombu's
 * transport options); results and the ledger live in a private redis-server (see support/sqs-env.ts).
 *
 * Of the shared cases, only the priority case is left out: SQS queues have no priorities (kombu carries the
 * `priority` property and ignores it), so no order can be asserted.
 */
import { Buffer } from 'node:buffer';
import { spawnSync } from 'node:child_process';
import { createApp } from '@q/core';
import type { App } from '@q/core';
import { redisBackend } from '@q/backend-redis';
import { sqsTransport } from '@q/transport-sqs';
import { missingRedisServer, pythonCelery, runsHere } from '@q/test-services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManagedProcess } from './support/managed-process.js';
import { stopAll } from './support/managed-process.js';
import { PYTHON_DIR, startPythonWorker } from './support/python-celery.js';
import { pythonWorkerCases } from './support/python-worker-cases.js';
import { kombuQueueName, sqsInterop } from './support/sqs-env.js';
import type { SqsInterop } from './support/sqs-env.js';

const py = pythonCelery('sqs interop', ['boto3', 'pycurl']);
const runs = runsHere('sqs interop', [missingRedisServer()]);

/** A queue no worker consumes: what q sends there stays for the raw reads. */
const WIRE_QUEUE = 'interop.wire';

/** boto3 (Query protocol, through the emulator's gateway) receives one message of `queueName` and prints it as JSON. */
const BOTO3_RECEIVE = `
import json, sys, boto3
endpoint, queue_name = sys.argv[1:3]
sqs = boto3.client('sqs', endpoint_url=endpoint, region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
url = sqs.get_queue_url(QueueName=queue_name)['QueueUrl']
resp = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=5, AttributeNames=['All'], MessageAttributeNames=['All'])
print(json.dumps({'url': url, 'messages': resp.get('Messages', [])}))
`;

interface Boto3Message {
  Body: string;
  MD5OfBody: string;
  Attributes: Record<string, string>;
  MessageAttributes?: unknown;
}

describe.skipIf(!py || !runs)('a q client, a Python worker (SQS)', () => {
  let env: SqsInterop | undefined;
  let worker: ManagedProcess;
  let app: App;

  beforeAll(async () => {
    env = await sqsInterop('pyworker');
    app = createApp({
      name: 'q-sqs-client',
      broker: sqsTransport({ url: env.emulator.brokerUrl, transportOptions: env.transportOptions }),
      backend: redisBackend(env.urls.backend),
    });
    worker = await startPythonWorker(py ?? '', env.urls, { hostname: 'py-sqs@%h' });
  }, 40_000);

  afterAll(async () => {
    await stopAll();
    await app?.close();
    await env?.close();
  });

  const sqs = () => (env as SqsInterop).sqs;

  it('publishes to the queue kombu reads: prefix + name, in kombu format (base64 of the envelope, body base64) as boto3 reads it', async () => {
    const result = await app.sendTask('tasks.add', [2, 3], { z: 'ü' }, { queue: WIRE_QUEUE });
    const prefix = (env as SqsInterop).prefix;
    const run = spawnSync(py ?? '', ['-c', BOTO3_RECEIVE, (env as SqsInterop).emulator.endpoint, kombuQueueName(prefix, WIRE_QUEUE)], {
      cwd: PYTHON_DIR,
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const { url, messages } = JSON.parse(run.stdout) as { url: string; messages: Boto3Message[] };
    expect(url).toMatch(new RegExp(`/${prefix}interop-wire$`));
    expect(messages).toHaveLength(1);
    const [message] = messages as [Boto3Message];
    expect(message.MessageAttributes ?? {}).toEqual({}); // kombu uses none
    // MessageBody = base64(envelope JSON), the envelope's body base64 again
    expect(message.Body).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    const envelope = JSON.parse(Buffer.from(message.Body, 'base64').toString('utf8')) as Record<string, unknown>;
    expect(Object.keys(envelope)).toEqual(['body', 'content-encoding', 'content-type', 'headers', 'properties']);
    expect(envelope).toMatchObject({
      'content-encoding': 'utf-8',
      'content-type': 'application/json',
      headers: { lang: 'js', task: 'tasks.add', id: result.id, root_id: result.id, parent_id: null, retries: 0, argsrepr: '(2, 3)' },
      properties: {
        correlation_id: result.id,
        delivery_mode: 2,
        delivery_info: { exchange: '', routing_key: WIRE_QUEUE },
        priority: 0,
        body_encoding: 'base64',
      },
    });
    const properties = envelope['properties'] as Record<string, unknown>;
    expect(properties['delivery_tag']).toMatch(/^[0-9a-f-]{36}$/);
    const body = JSON.parse(Buffer.from(envelope['body'] as string, 'base64').toString('utf8')) as unknown;
    expect(body).toEqual([[2, 3], { z: 'ü' }, { callbacks: null, errbacks: null, chain: null, chord: null }]);
  });

  it('delays a countdown on SQS itself (DelaySeconds): Python receives it when due and runs it then', async () => {
    const started = Date.now();
    const result = await app.sendTask('tasks.mul', [6, 7], {}, { countdown: 3 });
    // sent, but not receivable yet: SQS holds it as a delayed message, no worker holds it
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await sqs().counts('celery')).toEqual({ visible: 0, inFlight: 0, delayed: 1 });
    expect(worker.output()).not.toContain(`[${result.id}] received`);
    expect(await result.state()).toBe('PENDING');
    expect(await result.get({ timeout: 15 })).toBe(42);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(2950);
    expect(worker.output()).toContain(`Task tasks.mul[${result.id}] received`);
  });

  pythonWorkerCases({
    app: () => app,
    worker: () => worker,
    ledger: () => (env as SqsInterop).ledger,
    firstPriority: null, // SQS has no priorities
    readsChildren: true,
    forbiddenOutput: /unknown message|Can't decode message body|Unrecoverable error|Cannot connect|ClientError/i,
  });
});
