/**
 * The rpc backend over the memory transport: the exact message Celery sends, the reply queue declared before the
 * first task, results pushed to `get()`, buffering, latest state per id, typed failures.
 */
import { ConnectionError, RemoteError } from '@q/core';
import { pendingMeta } from '@q/core/adapter';
import type { App, TaskMeta, Transport } from '@q/core';
import type { BackendHost, Message } from '@q/core/adapter';
import { readVector } from '@q/test-services';
import { afterEach, describe, expect, it } from 'vitest';
import { closeApps, makeApp, memoryTransport, namespace, peekQueue, recordingLogger, spyTransport, until } from '../test/support.js';
import { rpcBackend, type RpcBackend } from './rpc-backend.js';

afterEach(closeApps);

interface RpcVector {
  delivery_info: { exchange: string; routing_key: string };
  properties: { content_type: string; content_encoding: string; application_headers: object; delivery_mode: number; priority: number; correlation_id: string };
  body: string;
  decoded_body: { task_id: string; status: string; result: unknown; traceback: string | null; children: unknown[] };
}

const metaOf = (d: RpcVector['decoded_body'], extra: Partial<TaskMeta> = {}): TaskMeta => ({
  taskId: d.task_id,
  status: d.status,
  result: d.result,
  traceback: d.traceback,
  children: d.children,
  dateDone: '2026-11-22T02:39:41.344238',
  ...extra,
});

/** A client app with an rpc backend on a spied memory transport. */
function client(ns: string, options: Parameters<typeof makeApp>[0] = {}) {
  const transport = spyTransport(memoryTransport(ns));
  const backend = rpcBackend();
  const app = makeApp({ broker: transport, backend, ...options });
  return { app, transport, backend };
}

/** A worker-side rpc backend (another app on the same broker), connected. */
async function workerSide(ns: string, options: Parameters<typeof makeApp>[0] = {}): Promise<{ app: App; backend: RpcBackend; transport: ReturnType<typeof spyTransport> }> {
  const transport = spyTransport(memoryTransport(ns));
  const backend = rpcBackend();
  const app = makeApp({ broker: transport, backend, ...options });
  await app.getBackend();
  return { app, backend, transport };
}

const published = (t: ReturnType<typeof spyTransport>) =>
  t.events.flatMap((e) => (e.kind === 'publish' ? [{ message: e.message, target: e.target }] : []));

const text = (m: Message) => new TextDecoder().decode(m.body);

describe('rpc backend: the result message', () => {
  it.each(['rpc-result-success.json', 'rpc-result-failure.json'])('%s: body and properties as Celery sends them', async (file) => {
    const vector = readVector<RpcVector>(file);
    const ns = namespace();
    const { backend, transport } = await workerSide(ns);
    const meta = metaOf(vector.decoded_body, { groupId: 'g-1', parentId: 'p-1' });
    await backend.storeResult(meta, { expiresMs: 86_400_000, replyTo: vector.delivery_info.routing_key, correlationId: vector.properties.correlation_id });
    const [sent] = published(transport);
    expect(sent?.target).toEqual({ exchange: vector.delivery_info.exchange, routingKey: 'cap.results', exchangeType: 'direct' });
    expect(text(sent?.message as Message)).toBe(vector.body);
    expect(sent?.message).toMatchObject({
      contentType: vector.properties.content_type,
      contentEncoding: vector.properties.content_encoding,
      headers: vector.properties.application_headers,
    });
    expect(sent?.message.properties).toEqual({
      correlationId: vector.properties.correlation_id,
      deliveryMode: vector.properties.delivery_mode,
      priority: vector.properties.priority,
    });
    expect(await peekQueue(transport, 'cap.results')).toEqual([vector.body]);
  });

  it('delivery mode 2 with result.persistent, or the persistent option (which wins)', async () => {
    const meta = metaOf(readVector<RpcVector>('rpc-result-success.json').decoded_body);
    const a = await workerSide(namespace(), { result: { persistent: true } });
    await a.backend.storeResult(meta, { expiresMs: null, replyTo: 'r', correlationId: meta.taskId });
    expect(published(a.transport)[0]?.message.properties.deliveryMode).toBe(2);

    const ns = namespace();
    const transport = spyTransport(memoryTransport(ns));
    const app = makeApp({ broker: transport, backend: rpcBackend({ persistent: false }), result: { persistent: true } });
    const backend = (await app.getBackend()) as RpcBackend;
    await backend.storeResult(meta, { expiresMs: null, replyTo: 'r' });
    expect(published(transport)[0]?.message.properties).toEqual({ correlationId: meta.taskId, deliveryMode: 1, priority: 0 });
  });

  it('without a reply_to nothing is sent: logged and skipped', async () => {
    const logger = recordingLogger();
    const { backend, transport } = await workerSide(namespace(), { logger });
    await backend.storeResult(metaOf(readVector<RpcVector>('rpc-result-success.json').decoded_body), { expiresMs: null, replyTo: '' });
    expect(published(transport)).toEqual([]);
    expect(logger.lines.some((l) => l.level === 'warn' && /no reply_to/.test(l.msg))).toBe(true);
  });
});

describe('rpc backend: the reply queue', () => {
  it('is declared (durable false, auto-delete, x-expires 1 day) before the first task, consumed with noAck from the first read', async () => {
    const ns = namespace();
    const { app, transport } = client(ns);
    const add = app.task('add', (x: number, y: number) => x + y);
    const r = await add.applyAsync([2, 3]);
    await add.applyAsync([4, 5]);
    const kinds = transport.events.map((e) => (e.kind === 'publish' ? `publish ${e.target.routingKey}` : `${e.kind} ${e.kind === 'declareQueue' ? e.queue.name : e.queue}`));
    expect(kinds).toEqual([`declareQueue ${app.oid}`, 'declareQueue celery', 'publish celery', 'publish celery']);
    expect(transport.events[0]).toEqual({
      kind: 'declareQueue',
      queue: { name: app.oid, durable: false, exclusive: false, autoDelete: true, arguments: { 'x-expires': 86_400_000 } },
    });
    expect(await r.state()).toBe('PENDING');
    expect(transport.events.slice(-1)).toEqual([{ kind: 'consume', queue: app.oid, noAck: true }]);
  });

  it('x-expires follows result.expires, and is left out when results never expire', async () => {
    const a = client(namespace(), { result: { expires: 600 } });
    await a.app.task('t', () => 1).applyAsync([]);
    expect(a.transport.events[0]).toMatchObject({ kind: 'declareQueue', queue: { arguments: { 'x-expires': 600_000 } } });
    const b = client(namespace(), { result: { expires: null } });
    await b.app.task('t', () => 1).applyAsync([]);
    expect(b.transport.events[0]).toEqual({ kind: 'declareQueue', queue: { name: b.app.oid, durable: false, exclusive: false, autoDelete: true } });
  });

  it('is not declared for a task whose result is ignored', async () => {
    const { app, transport } = client(namespace());
    await app.task({ name: 'quiet', ignoreResult: true }, () => 1).applyAsync([]);
    expect(transport.events.filter((e) => e.kind === 'declareQueue').map((e) => (e.kind === 'declareQueue' ? e.queue.name : ''))).toEqual(['celery']);
  });

  it('close() cancels the consumer: later replies wait in the queue', async () => {
    const ns = namespace();
    const { app, backend, transport } = client(ns);
    await app.getBackend();
    expect(await backend.getTaskMeta('x')).toBeNull();
    await backend.close();
    const worker = await workerSide(ns);
    await worker.backend.storeResult(metaOf(readVector<RpcVector>('rpc-result-success.json').decoded_body), { expiresMs: null, replyTo: app.oid });
    expect(await peekQueue(transport, app.oid)).toHaveLength(1);
  });
});

describe('rpc backend: reading results', () => {
  it('get() is woken by the pushed result, and FAILURE throws the typed remote error', async () => {
    const ns = namespace();
    const { app } = client(ns, { result: { pollInterval: 3600 } });
    const worker = await workerSide(ns);
    const ok = app.asyncResult<number>('task-ok');
    const bad = app.asyncResult('task-bad');
    const waiting = ok.get({ timeout: 5 });
    const failing = bad.get({ timeout: 5 }).then(
      () => null,
      (e: unknown) => e,
    );
    const failure = readVector<RpcVector>('rpc-result-failure.json').decoded_body;
    await worker.backend.storeResult(metaOf({ ...failure, task_id: 'task-bad' }), { expiresMs: null, replyTo: app.oid, correlationId: 'task-bad' });
    await worker.backend.storeResult({ ...pendingMeta('task-ok'), status: 'SUCCESS', result: 5 }, { expiresMs: null, replyTo: app.oid, correlationId: 'task-ok' });
    expect(await waiting).toBe(5);
    const err = (await failing) as RemoteError;
    expect(err).toBeInstanceOf(RemoteError);
    expect(err).toMatchObject({ excType: 'ValueError', excModule: 'builtins', excArgs: ['bad'], taskId: 'task-bad', message: 'ValueError: bad' });
    expect(err.remoteTraceback).toBe(failure.traceback);
  });

  it('keeps replies for ids nobody waits on yet, including those sent before the client started reading', async () => {
    const ns = namespace();
    const { app, backend } = client(ns);
    const worker = await workerSide(ns);
    const store = (id: string, result: unknown) =>
      worker.backend.storeResult({ ...pendingMeta(id), status: 'SUCCESS', result }, { expiresMs: null, replyTo: app.oid });
    await app.getBackend();
    await store('early', 1);
    expect(await app.asyncResult('late-reader').state()).toBe('PENDING');
    await store('later', 2);
    await until(() => backend.getTaskMeta('later'), (m) => m !== null);
    expect(await app.asyncResult('early').get({ timeout: 1 })).toBe(1);
    expect(await app.asyncResult('later').get({ timeout: 1 })).toBe(2);
    expect(await backend.getMany(['later', 'none', 'early'])).toMatchObject([{ result: 2 }, null, { result: 1 }]);
  });

  it('keeps the latest state per task id: STARTED, RETRY, then SUCCESS, which nothing replaces', async () => {
    const ns = namespace();
    const { app, backend } = client(ns);
    const worker = await workerSide(ns);
    await app.getBackend();
    const seen: string[] = [];
    const off = await backend.watch('t1', (m) => seen.push(m.status));
    for (const [status, result] of [
      ['STARTED', { pid: 1, hostname: 'w@h' }],
      ['RETRY', { exc_type: 'Retry', exc_message: [], exc_module: 'celery.exceptions' }],
      ['SUCCESS', 42],
      ['RETRY', { exc_type: 'Retry', exc_message: [], exc_module: 'celery.exceptions' }],
    ] as const) {
      await worker.backend.storeResult({ ...pendingMeta('t1'), status, result }, { expiresMs: null, replyTo: app.oid });
    }
    await until(() => seen.length, (n) => n === 3);
    await until(() => peekQueue(worker.transport, app.oid, 20), (bodies) => bodies.length === 0);
    expect(seen).toEqual(['STARTED', 'RETRY', 'SUCCESS']);
    expect(await backend.getTaskMeta('t1')).toMatchObject({ status: 'SUCCESS', result: 42, dateDone: null });
    await off();
    await backend.forget('t1');
    expect(await backend.getTaskMeta('t1')).toBeNull();
  });

  it('logs and drops a reply it cannot read, and goes on with the next', async () => {
    const ns = namespace();
    const logger = recordingLogger();
    const { app, backend } = client(ns, { logger });
    await app.getBackend();
    expect(await backend.getTaskMeta('warm-up')).toBeNull();
    const raw = memoryTransport(ns);
    await raw.connect();
    const bad = (body: string, contentType = 'application/json'): Message => ({
      body: new TextEncoder().encode(body),
      contentType,
      contentEncoding: 'utf-8',
      headers: {},
      properties: { correlationId: 'x' },
    });
    await raw.publish(bad('{not json'), { exchange: '', routingKey: app.oid });
    await raw.publish(bad('[1, 2]'), { exchange: '', routingKey: app.oid });
    await raw.publish(bad('{"status": "SUCCESS"}', 'application/x-python-serialize'), { exchange: '', routingKey: app.oid });
    await raw.publish(bad('{"status": "SUCCESS", "result": 7}'), { exchange: '', routingKey: app.oid });
    expect(await app.asyncResult('x').get({ timeout: 2 })).toBe(7);
    expect(logger.lines.filter((l) => l.msg === 'unreadable rpc reply dropped')).toHaveLength(3);
    await raw.close();
  });
});

describe('rpc backend: lifecycle', () => {
  const host = (oid: string, transport: Transport): BackendHost => ({
    oid,
    transport: async () => transport,
    logger: recordingLogger(),
    resultExpiresMs: null,
    resultPersistent: false,
  });

  it('refuses to work before it is attached to an app', async () => {
    const backend = rpcBackend();
    await expect(backend.connect()).rejects.toMatchObject({ code: 'Q_ERR_BACKEND_FAILED' });
    await expect(backend.storeResult(pendingMeta('t'), { expiresMs: null, replyTo: 'r' })).rejects.toThrow(/not attached/);
  });

  it('serves one app: attaching it to another while connected is a ConfigError', async () => {
    const transport = memoryTransport(namespace());
    await transport.connect();
    const backend = rpcBackend();
    backend.attach(host('oid-a', transport));
    await backend.connect();
    backend.attach(host('oid-a', transport));
    expect(() => backend.attach(host('oid-b', transport))).toThrow(expect.objectContaining({ code: 'Q_ERR_CONFIG_INVALID' }));
    await backend.close();
    backend.attach(host('oid-b', transport));
    expect(backend.replyTo).toBe('oid-b');
    await transport.close();
  });

  it('app.close() rejects a get() waiting on push at once with Q_ERR_CONNECTION_LOST; after reconnecting get() works again', async () => {
    const ns = namespace();
    const { app } = client(ns, { result: { pollInterval: 3600 } });
    const worker = await workerSide(ns);
    await app.getBackend();
    const pending = app.asyncResult('never').get().then(() => null, (err: unknown) => err);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const t0 = performance.now();
    await app.close();
    const error = await pending;
    expect(performance.now() - t0).toBeLessThan(100);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: 'Q_ERR_CONNECTION_LOST', retryable: true, message: `rpc backend is closed (reply queue ${app.oid})` });

    const again = app.asyncResult<number>('after').get({ timeout: 5 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await worker.backend.storeResult({ ...pendingMeta('after'), status: 'SUCCESS', result: 9 }, { expiresMs: null, replyTo: app.oid });
    expect(await again).toBe(9);
  });

  it('close() ends the active watches (onEnd, once), not unsubscribed ones; a watch still being set up rejects', async () => {
    const transport = memoryTransport(namespace());
    await transport.connect();
    let slow = false;
    const backend = rpcBackend();
    backend.attach({
      ...host('oid-close', transport),
      transport: async () => {
        if (slow) await new Promise((resolve) => setTimeout(resolve, 20));
        return transport;
      },
    });
    await backend.connect();
    const ended: [string, unknown][] = [];
    await backend.watch('a', () => {}, (err) => ended.push(['a', err]));
    await backend.watch('a', () => {}); // without onEnd: just ends
    const off = await backend.watch('b', () => {}, (err) => ended.push(['b', err]));
    await off();
    slow = true;
    const settingUp = backend.watch('c', () => {}, (err) => ended.push(['c', err])).then(() => null, (err: unknown) => err);
    await backend.close();
    await backend.close();
    expect(ended).toEqual([['a', expect.objectContaining({ code: 'Q_ERR_CONNECTION_LOST', message: 'rpc backend is closed (reply queue oid-close)' })]]);
    expect(await settingUp).toMatchObject({ name: 'ConnectionError', code: 'Q_ERR_CONNECTION_LOST' });
    expect(ended).toHaveLength(1);
    await transport.close();
  });

  it('validates its options', () => {
    expect(() => rpcBackend({ maxBuffered: 0 })).toThrow(/maxBuffered: expected an integer/);
    expect(() => rpcBackend({ persistent: 'yes' as unknown as boolean })).toThrow(/persistent: expected a boolean/);
  });
});
