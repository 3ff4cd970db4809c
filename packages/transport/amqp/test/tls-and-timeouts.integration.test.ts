/**
 * TLS (`amqps://`), SASL EXTERNAL and RabbitMQ's `consumer_timeout` against a REAL broker. The suite boots ONE
 * private RabbitMQ node (see `privateNode` in `@q/test-services`) configured for all three, and removes it in afterAll:
 *
 * - a TLS listener on a port of its own, with a CA, server and client certificate that `openssl` makes in the node's
 *   temp dir at test time (`verify_peer`, client certificates asked for but not required);
 * - the `rabbitmq_auth_mechanism_ssl` plugin, `auth_mechanisms` PLAIN, AMQPLAIN, EXTERNAL and
 *   `ssl_cert_login_from = common_name`, and a user named as the client certificate's CN;
 * - `consumer_timeout = 3000` (rabbitmq.conf) checked every 500 ms (`channel_tick_interval` in advanced.config:
 *   RabbitMQ checks the timeout on the channel's tick, 60 s by default, which rabbitmq.conf cannot set).
 *
 * Each test uses a queue of its own on the node's default vhost.
 */
import { randomBytes } from 'node:crypto';
import { type App, ConnectionError, createApp, isQError, memoryKeyValueDriver, silentLogger, type TaskContext } from '@q/core';
import { makeTestCertificates, missingOpenssl, missingRabbitmqServer, privateNode, rabbitmqBinDir, recordingLogger, runsHere, type PrivateNode, type TestCertificates } from '@q/test-services';
import { createWorker, type Worker } from '@q/worker';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { amqpTransport, qPlugin, type AmqpTransportOptions } from '../src/index.js';
import { sleep, until } from './helpers.js';

const binDir = rabbitmqBinDir();
const runs = runsHere('transport-amqp tls/EXTERNAL/consumer_timeout', [missingRabbitmqServer(), missingOpenssl()]);

/** The client certificate's CN, which EXTERNAL logs in as. */
const CLIENT_CN = 'q-ext-client';
const CONSUMER_TIMEOUT_MS = 3000;
const TICK_MS = 500;

/** The ETA of the held task: long enough for the broker to close the channel twice before it is due. */
const ETA_IN_MS = 9000;

let n = 0;
const backend = () => memoryKeyValueDriver({ namespace: `amqp-tls-${process.pid}-${++n}` });

/** A worker consuming `queue` of `app`, stopped after the test. */
async function startWorker(app: App, queue: string): Promise<Worker> {
  const worker = createWorker(app, { logger: silentLogger, hostname: `${queue}@test`, concurrency: 2, queues: [queue] });
  onTestFinished(() => worker.stop({ graceful: false }));
  await worker.start();
  return worker;
}

describe.skipIf(!runs)('amqp against a configured RabbitMQ: TLS, SASL EXTERNAL, consumer_timeout', () => {
  let node: PrivateNode;
  let certs: TestCertificates;
  let tlsUrl = '';
  let bootMs = 0;

  /** Connections on the node: [port, ssl, auth_mechanism, user]. */
  const connections = async (): Promise<string[][]> =>
    (await node.ctl(['-q', 'list_connections', '--no-table-headers', 'port', 'ssl', 'auth_mechanism', 'user']))
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => l.split('\t'));

  beforeAll(async () => {
    node = await privateNode('q-tls', binDir ?? '', {
      tlsPort: true,
      plugins: ['rabbitmq_auth_mechanism_ssl'],
      rabbitmqConf: ({ dir, tlsPort }) =>
        [
          `listeners.ssl.default = 127.0.0.1:${tlsPort}`,
          `ssl_options.cacertfile = ${dir}/ca.pem`,
          `ssl_options.certfile = ${dir}/server.pem`,
          `ssl_options.keyfile = ${dir}/server.key`,
          'ssl_options.verify = verify_peer',
          'ssl_options.fail_if_no_peer_cert = false',
          'auth_mechanisms.1 = PLAIN',
          'auth_mechanisms.2 = AMQPLAIN',
          'auth_mechanisms.3 = EXTERNAL',
          'ssl_cert_login_from = common_name',
          `consumer_timeout = ${CONSUMER_TIMEOUT_MS}`,
          '',
        ].join('\n'),
      advancedConfig: `[{rabbit, [{channel_tick_interval, ${TICK_MS}}]}].\n`,
    });
    certs = makeTestCertificates(node.dir, CLIENT_CN);
    bootMs = await node.start();
    await node.ctl(['add_user', CLIENT_CN, randomBytes(16).toString('hex')]);
    await node.ctl(['set_permissions', '-p', '/', CLIENT_CN, '.*', '.*', '.*']);
    tlsUrl = `amqps://guest:guest@127.0.0.1:${node.tlsPort}//`;
    process.stderr.write(`transport-amqp tls/timeouts: private node booted in ${bootMs} ms\n`);
  });
  afterAll(async () => {
    await node?.destroy();
  });

  it('amqps://: a worker and a client verify the broker against a CA given as PEM contents and run tasks end to end', async () => {
    const results = backend();
    // The client by URL (kombu-named options, as the docs show), with the server name checked against the SAN
    // `localhost`; the worker typed, connecting by IP (checked against the SAN 127.0.0.1).
    const client = createApp({
      name: 'tls-client',
      broker: tlsUrl,
      plugins: [qPlugin],
      brokerOptions: { transportOptions: { ssl: { ca: certs.ca, servername: 'localhost' } } },
      backend: results,
      task: { defaultQueue: 'tls' },
    });
    onTestFinished(() => client.close());
    const app = createApp({ name: 'tls-worker', broker: amqpTransport({ url: tlsUrl, ssl: { ca: certs.ca } }), backend: results, task: { defaultQueue: 'tls' } });
    onTestFinished(() => app.close());
    const echo = (s: string): string => `tls:${s}`;
    const send = client.task({ name: 'tls.echo' }, echo);
    app.task({ name: 'tls.echo' }, echo);
    await startWorker(app, 'tls');

    const sent = await Promise.all(Array.from({ length: 10 }, (_, i) => send.delay(String(i))));
    expect(await Promise.all(sent.map((r) => r.get({ timeout: 10 })))).toEqual(Array.from({ length: 10 }, (_, i) => `tls:${i}`));
    // Both went over TLS: every connection the node has is on its TLS port, encrypted, logged in with PLAIN.
    const rows = await connections();
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(new Set(rows.map((r) => r.join(' ')))).toEqual(new Set([`${node.tlsPort} true PLAIN guest`]));
  });

  it('amqps:// with the wrong CA fails at once with a final Q_ERR_CONNECTION_FAILED naming the certificate problem', async () => {
    // Another CA with the same name: only its signature tells it apart.
    const t = amqpTransport({ url: tlsUrl, ssl: { ca: certs.otherCa }, connectTimeoutMs: 3000 });
    onTestFinished(() => t.close());
    const t0 = Date.now();
    const err = await t.connect().then(
      () => null,
      (e: unknown) => e,
    );
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(err).toBeInstanceOf(ConnectionError);
    expect(err).toMatchObject({ code: 'Q_ERR_CONNECTION_FAILED', retryable: false });
    expect((err as Error).message).toContain(`127.0.0.1:${node.tlsPort}`);
    // The broker sends its chain with the CA: OpenSSL finds a self-signed root it does not trust.
    expect((err as Error).message).toMatch(/TLS certificate failed verification .*: self[- ]signed certificate in certificate chain \(SELF_SIGNED_CERT_IN_CHAIN\)/);

    // Not retryable, so a worker (whose app retries retryable connect errors, 100 times by default) fails to start
    // at once instead of retrying for minutes.
    const app = createApp({ name: 'tls-bad-ca', broker: amqpTransport({ url: tlsUrl, ssl: { ca: certs.otherCa } }), backend: backend(), task: { defaultQueue: 'tls-bad' } });
    onTestFinished(() => app.close());
    const worker = createWorker(app, { logger: silentLogger, hostname: 'bad-ca@test', concurrency: 1, queues: ['tls-bad'] });
    onTestFinished(() => worker.stop({ graceful: false }));
    const t1 = Date.now();
    const startErr = await worker.start().then(
      () => null,
      (e: unknown) => e,
    );
    expect(isQError(startErr) ? { code: startErr.code, retryable: startErr.retryable } : startErr).toEqual({ code: 'Q_ERR_CONNECTION_FAILED', retryable: false });
    expect(Date.now() - t1).toBeLessThan(2000);
  });

  it('loginMethod EXTERNAL logs in as the client certificate\'s CN; without a certificate it is refused, finally', async () => {
    const results = backend();
    const tls = { ca: certs.ca, cert: certs.clientCert, key: certs.clientKey };
    // No user or password in either URL: the broker takes the name from the certificate.
    const extUrl = `amqps://127.0.0.1:${node.tlsPort}//`;
    const client = createApp({
      name: 'ext-client',
      broker: `${extUrl}?login_method=EXTERNAL`,
      plugins: [qPlugin],
      brokerOptions: { transportOptions: { ssl: tls } },
      backend: results,
      task: { defaultQueue: 'ext' },
    });
    onTestFinished(() => client.close());
    const app = createApp({ name: 'ext-worker', broker: amqpTransport({ url: extUrl, ssl: tls, loginMethod: 'EXTERNAL' }), backend: results, task: { defaultQueue: 'ext' } });
    onTestFinished(() => app.close());
    const send = client.task({ name: 'ext.add' }, (a: number, b: number) => a + b);
    app.task({ name: 'ext.add' }, (a: number, b: number) => a + b);
    await startWorker(app, 'ext');
    const sent = await Promise.all(Array.from({ length: 10 }, (_, i) => send.delay(i, 100)));
    expect(await Promise.all(sent.map((r) => r.get({ timeout: 10 })))).toEqual(Array.from({ length: 10 }, (_, i) => i + 100));
    const ours = (await connections()).filter(([, , mech]) => mech === 'EXTERNAL');
    expect(ours.length).toBeGreaterThanOrEqual(2);
    expect(new Set(ours.map((r) => r.join(' ')))).toEqual(new Set([`${node.tlsPort} true EXTERNAL ${CLIENT_CN}`]));

    // Without a client certificate the broker does not offer EXTERNAL: a final error, not a retry loop.
    const bare = amqpTransport({ url: extUrl, ssl: { ca: certs.ca }, loginMethod: 'EXTERNAL' } satisfies AmqpTransportOptions);
    onTestFinished(() => bare.close());
    const err = await bare.connect().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'Q_ERR_CONNECTION_FAILED', retryable: false });
    expect((err as Error).message).toMatch(/EXTERNAL/);
  });

  it('consumer_timeout: the broker closes the channel holding an ETA task; q logs it, reopens, and runs the task once at its ETA', async () => {
    const log = recordingLogger();
    const app = createApp({
      name: 'ct',
      broker: amqpTransport({ url: node.url, logger: log, reconnectDelayMs: 50 }),
      backend: backend(),
      task: { defaultQueue: 'ct' },
    });
    onTestFinished(() => app.close());
    const runs: { at: number; redelivered: boolean }[] = [];
    const later = app.task({ name: 'ct.later', bind: true }, (ctx: TaskContext) => {
      runs.push({ at: Date.now(), redelivered: ctx.deliveryInfo.redelivered });
      return 'ran';
    });
    const quick = app.task({ name: 'ct.quick' }, (i: number) => i * 2);
    const worker = await startWorker(app, 'ct');
    const timeouts = () => log.lines.filter((l) => l.level === 'error' && /consumer_timeout/.test(l.msg));
    const reopened = () => log.lines.filter((l) => l.level === 'info' && l.msg === 'consuming "ct" again');

    const eta = Date.now() + ETA_IN_MS;
    const held = await later.applyAsync([], {}, { eta: new Date(eta) });
    await until(() => worker.counters.scheduled === 1, 5000, 'the ETA task held');
    const heldAt = Date.now();

    // The broker closes the channel once the delivery has been unacknowledged for consumer_timeout (checked every tick).
    await until(() => timeouts().length >= 1, CONSUMER_TIMEOUT_MS + 4 * TICK_MS + 2000, 'the broker to close the channel (consumer_timeout)');
    const first = timeouts()[0];
    expect(first?.at).toBeGreaterThanOrEqual(heldAt + CONSUMER_TIMEOUT_MS - 1000);
    expect(String((first?.obj as Record<string, unknown> | undefined)?.['err'])).toMatch(/PRECONDITION_FAILED - delivery acknowledgement on channel \d+ timed out/);
    // Reopened: consuming again, the redelivered copy held (still one scheduled task), and new tasks run meanwhile.
    await until(() => reopened().length >= 1, 3000, 'the consuming channel to be reopened');
    const ct = async (): Promise<string | undefined> =>
      (await node.queues(['name', 'messages_ready', 'messages_unacknowledged', 'consumers'])).find(([q]) => q === 'ct')?.join(' ');
    await until(async () => (await ct()) === 'ct 0 1 1', 3000, 'the redelivered copy held on the new channel');
    expect(worker.counters.scheduled).toBe(1);
    expect(runs).toEqual([]);
    expect(await (await quick.delay(21)).get({ timeout: 5 })).toBe(42);

    expect(await held.get({ timeout: (ETA_IN_MS + 5000) / 1000 })).toBe('ran');
    expect(runs).toHaveLength(1);
    expect(runs[0]?.at).toBeGreaterThanOrEqual(eta);
    expect(runs[0]?.redelivered).toBe(true);
    // An ETA more than twice the timeout away: the channel was closed again before it was due, and reopened each time.
    const closed = timeouts().length;
    expect(closed).toBeGreaterThanOrEqual(2);
    expect(reopened().length).toBe(closed);

    // Afterwards: nothing held, nothing closes the channel any more, the task does not run again, new tasks run.
    await sleep(CONSUMER_TIMEOUT_MS + 2 * TICK_MS);
    expect(timeouts().length).toBe(closed);
    expect(runs).toHaveLength(1);
    const more = await Promise.all(Array.from({ length: 5 }, (_, i) => quick.delay(i)));
    expect(await Promise.all(more.map((r) => r.get({ timeout: 5 })))).toEqual([0, 2, 4, 6, 8]);
    await until(async () => (await ct()) === 'ct 0 0 1', 5000, 'queue ct empty, nothing unacknowledged, one consumer');
    process.stderr.write(`transport-amqp consumer_timeout: channel closed ${closed} times, first ${(first?.at ?? 0) - heldAt} ms after the hold; task ran ${(runs[0]?.at ?? 0) - eta} ms after its ETA\n`);
  }, 40_000);
});
