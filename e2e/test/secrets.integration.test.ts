/**
 * Secrets never appear in any output of a run. Every URL and option carries a known secret — the Redis password
 * (broker, results, ledger), a RabbitMQ user's password, passwords in the transport and backend options (`password`,
 * `ssl_keyfile_password`, `sentinel_kwargs.password`), the signing key (`security.key`), the dashboard's bearer token, the SQS secret key and a
 * PostgreSQL password in URLs that cannot connect — and every output is grepped for them: the workers' stdout and
 * stderr with `-l debug` (banner included), everything published on the Redis broker while they run (events,
 * heartbeats, control replies: captured raw with PSUBSCRIBE), `q inspect conf` / `stats` / `report`, the dashboard's
 * HTML and JSON, the `q beat` banner, and the error messages of connections that fail (a wrong password, a closed
 * port). Processes run through the real CLI; a private redis-server (with `requirepass`) and a RabbitMQ vhost and
 * user of this suite's own.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '@q/core';
import type { App } from '@q/core';
import { freePort, missingRedisServer, privateRedis, rabbitVhost, runsHere } from '@q/test-services';
import type { PrivateRedis, TestVhost } from '@q/test-services';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcess, stopAll } from './support/managed-process.js';
import type { ManagedProcess } from './support/managed-process.js';
import { ROOT, TSX_ARGS } from './support/q-process.js';

const SUITE = 'secrets never in output';
/** Where `sqs://` and `postgresql://` resolve their adapters (the e2e package depends on them). */
const E2E_DIR = fileURLToPath(new URL('..', import.meta.url));
const runs = runsHere(SUITE, [missingRedisServer()]);
const vhost: TestVhost | null = runs ? await rabbitVhost(SUITE, 'e2e-secrets') : null;

/** A distinctive secret: a leak of it anywhere is unambiguous. */
const secret = (what: string): string => `${what}S3cr3t${randomBytes(6).toString('hex')}`;
const FIXTURES = fileURLToPath(new URL('../../packages/core/src/security/fixtures/', import.meta.url));
/** The signing key (`security.key`, PEM) the workers are configured with: a line of its body is the secret. */
const SIGNING_KEY = readFileSync(path.join(FIXTURES, 'alice.key'), 'utf8');
const SIGNING_CERT = readFileSync(path.join(FIXTURES, 'alice.pem'), 'utf8');
const SECRETS = {
  signingKey: SIGNING_KEY.split('\n')[3] ?? '',
  redis: secret('redis'),
  amqp: secret('amqp'),
  keyfilePassword: secret('keyfile'),
  sentinelPassword: secret('sentinel'),
  token: secret('token'),
  sqs: secret('sqs'),
  pg: secret('pg'),
  wrong: secret('wrong'),
};
const AMQP_USER = 'q-test-e2e-secrets';
const BROKER_TRAFFIC = 'Redis MONITOR (tasks, events, control, results)';

/**
 * Options carrying passwords, as an app would set them (`INTEROP_Q_CONFIG` of the interop app). `password` is used
 * (it overrides the URL's), so it is the real one; the others are carried along unused.
 */
const Q_CONFIG = {
  brokerOptions: {
    transportOptions: {
      password: SECRETS.redis,
      ssl_keyfile_password: SECRETS.keyfilePassword,
      sentinel_kwargs: { password: SECRETS.sentinelPassword },
    },
  },
  result: { backendOptions: { password: SECRETS.redis } },
  security: { key: SIGNING_KEY, certificate: SIGNING_CERT, certStore: [SIGNING_CERT] },
};

/** Every output of the run, by where it came from. */
const outputs = new Map<string, string>();
const record = (name: string, text: string): void => void outputs.set(name, `${outputs.get(name) ?? ''}${text}`);

/** `text` plus the decoding of every base64 run in it (message bodies are base64 on Redis). */
function withBase64Decoded(text: string): string {
  const decoded = [...text.matchAll(/[A-Za-z0-9+/]{16,}={0,2}/g)].map(([run]) => Buffer.from(run, 'base64').toString('latin1'));
  return [text, ...decoded].join('\n');
}

/** The secrets found in `text`, base64 runs decoded. */
function leaked(text: string): string[] {
  const all = withBase64Decoded(text);
  return Object.entries(SECRETS).filter(([, s]) => all.includes(s)).map(([name]) => name);
}

function expectNoSecret(name: string): void {
  const text = outputs.get(name) ?? '';
  expect(text.length, `${name}: no output captured`).toBeGreaterThan(0);
  expect(leaked(text), `${name} leaks a secret:\n${text}`).toEqual([]);
}

function rabbitmqctl(args: string[]): void {
  const run = spawnSync('rabbitmqctl', args, { encoding: 'utf8', timeout: 30_000 });
  if (run.status !== 0) throw new Error(`rabbitmqctl ${args[0] ?? ''} failed: ${run.stdout}${run.stderr}`);
}

const qArgs = (...args: string[]): string[] => [...TSX_ARGS, 'packages/cli/src/bin.ts', '-A', 'e2e/apps/interop-app.ts', ...args];

/** Runs `q ...args` to its end (SIGKILL after `timeoutMs`) and records its output under `name`. */
async function runQ(name: string, args: string[], env: Record<string, string>, timeoutMs = 40_000): Promise<{ code: number | string; output: string }> {
  const q = startProcess(process.execPath, qArgs(...args), { cwd: ROOT, env });
  const timer = setTimeout(() => void q.stop(100), timeoutMs);
  const code = await q.exited();
  clearTimeout(timer);
  record(name, q.output());
  return { code, output: q.output() };
}

describe.skipIf(!runs)(SUITE, () => {
  let dir: string;
  let redis: PrivateRedis;
  let redisUrl: (db: number) => string;
  let sniffer: Redis | undefined;
  let monitorClient: Redis | undefined;
  let client: App | undefined;
  let amqpClient: App | undefined;
  const workers: ManagedProcess[] = [];
  let redisEnv: Record<string, string>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'q-e2e-secrets-'));
    redis = privateRedis(await freePort(), dir);
    await redis.start();
    const admin = new Redis({ port: redis.port, host: '127.0.0.1', lazyConnect: true });
    await admin.connect();
    await admin.config('SET', 'requirepass', SECRETS.redis);
    admin.disconnect();
    redisUrl = (db) => `redis://:${SECRETS.redis}@127.0.0.1:${redis.port}/${db}`;
    redisEnv = { INTEROP_LEDGER: redisUrl(2), INTEROP_Q_CONFIG: JSON.stringify(Q_CONFIG), Q_DASHBOARD_TOKEN: SECRETS.token };

    // every command sent to the broker (tasks, events, heartbeats, control requests and replies, results), raw;
    // the AUTH and HELLO of each connection are left out (MONITOR redacts them anyway)
    monitorClient = new Redis({ port: redis.port, host: '127.0.0.1', password: SECRETS.redis, lazyConnect: true });
    sniffer = await monitorClient.monitor();
    sniffer.on('monitor', (_time: string, args: string[]) => {
      const command = (args[0] ?? '').toLowerCase();
      if (command !== 'auth' && command !== 'hello') record(BROKER_TRAFFIC, `${args.join(' ')}\n`);
    });

    const redisWorker = startProcess(
      process.execPath,
      qArgs('-b', redisUrl(0), '--result-backend', redisUrl(1), '-l', 'debug', 'worker', '-E', '-n', 'secrets-redis@%h', '-c', '1'),
      { cwd: ROOT, env: redisEnv },
    );
    workers.push(redisWorker);
    client = createApp({ name: 'secrets-client', broker: redisUrl(0), backend: redisUrl(1) });

    if (vhost) {
      spawnSync('rabbitmqctl', ['delete_user', AMQP_USER], { timeout: 30_000 }); // a crashed run's leftover
      rabbitmqctl(['add_user', AMQP_USER, SECRETS.amqp]);
      rabbitmqctl(['set_permissions', '-p', vhost.name, AMQP_USER, '.*', '.*', '.*']);
      const amqpUrl = `amqp://${AMQP_USER}:${SECRETS.amqp}@127.0.0.1:5672/${encodeURIComponent(vhost.name)}`;
      const amqpWorker = startProcess(
        process.execPath,
        qArgs('-b', amqpUrl, '--result-backend', redisUrl(3), '-l', 'debug', 'worker', '-E', '-n', 'secrets-amqp@%h', '-c', '1'),
        { cwd: ROOT, env: redisEnv },
      );
      workers.push(amqpWorker);
      amqpClient = createApp({ name: 'secrets-amqp-client', broker: amqpUrl, backend: redisUrl(3) });
    }
    await Promise.all(workers.map((w) => w.waitFor(/\bready\b/, 60_000)));
  }, 120_000);

  afterAll(async () => {
    await stopAll();
    await client?.close();
    await amqpClient?.close();
    sniffer?.disconnect();
    monitorClient?.disconnect();
    await redis?.stop();
    if (vhost) {
      await vhost.drop();
      spawnSync('rabbitmqctl', ['delete_user', AMQP_USER], { timeout: 30_000 });
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('runs tasks on both workers (so their logs, events and results are real)', async () => {
    expect(await (await client!.sendTask('tasks.add', [2, 3])).get({ timeout: 20 })).toBe(5);
    if (amqpClient) expect(await (await amqpClient.sendTask('tasks.add', [4, 5])).get({ timeout: 20 })).toBe(9);
    // a failure too: its traceback is logged
    await expect((await client!.sendTask('tasks.fail', ['boom'])).get({ timeout: 20 })).rejects.toThrow(/boom/);
  }, 60_000);

  it('q inspect conf, stats and report answer without a secret (Redis and RabbitMQ)', async () => {
    const brokers = [redisUrl(0)];
    if (vhost) brokers.push(`amqp://${AMQP_USER}:${SECRETS.amqp}@127.0.0.1:5672/${encodeURIComponent(vhost.name)}`);
    await Promise.all(
      brokers.flatMap((broker) =>
        ['conf', 'stats', 'report'].map(async (command) => {
          const { code, output } = await runQ(`q inspect ${command} (${broker.split(':')[0] ?? ''})`, ['-b', broker, 'inspect', command, '-t', '5'], redisEnv);
          expect(code, output).toBe(0);
          expect(output).toMatch(/secrets-(redis|amqp)@/);
        }),
      ),
    );
    for (const name of outputs.keys()) if (name.startsWith('q inspect')) expectNoSecret(name);
    // the settings are there, masked
    expect(outputs.get('q inspect conf (redis)')).toMatch(/broker_transport_options/);
    expect(outputs.get('q inspect conf (redis)')).toMatch(/"security_key": "\*{8}"/);
  }, 90_000);

  it('the dashboard (HTML and JSON) shows neither a URL password nor its token', async () => {
    const dashboard = startProcess(process.execPath, qArgs('-b', redisUrl(0), '--result-backend', redisUrl(1), '-l', 'debug', 'dashboard', '--port', '0'), {
      cwd: ROOT,
      env: redisEnv,
    });
    try {
      await dashboard.waitFor(/dashboard: http:\/\/\S+/, 40_000);
      const base = /dashboard: (http:\/\/\S+)/.exec(dashboard.output())?.[1]?.replace(/\/$/, '') ?? '';
      // a task run while it listens, and the worker once the stats cache is filled
      const task = await client!.sendTask('tasks.add', [6, 7]);
      expect(await task.get({ timeout: 20 })).toBe(13);
      const deadline = Date.now() + 20_000;
      let workersJson = '';
      let tasksJson = '';
      while (Date.now() < deadline) {
        workersJson = await (await fetch(`${base}/api/workers`)).text();
        tasksJson = await (await fetch(`${base}/api/tasks`)).text();
        if (/secrets-redis@[^"]*","[^}]*/.test(workersJson) && /"uptime":\d/.test(workersJson) && tasksJson.includes(task.id)) break;
        await new Promise((r) => setTimeout(r, 300));
      }
      expect(workersJson).toMatch(/"uptime":\d/);
      expect(tasksJson).toContain(task.id);
      // an action with a wrong token is refused without echoing a token
      const refused = await fetch(`${base}/api/rate-limit`, {
        method: 'POST',
        headers: { authorization: `Bearer ${SECRETS.wrong}`, 'content-type': 'application/json' },
        body: JSON.stringify({ taskName: 'tasks.add', rate: '1/s' }),
      });
      record('dashboard refused action', `${refused.status} ${await refused.text()}`);
      expect(refused.status).toBe(401);
      record('dashboard /api/workers', workersJson);
      record('dashboard /api/tasks', tasksJson);
      for (const route of ['/', '/api/summary', `/api/tasks/${task.id}`, '/api/queues', '/api/task-types', '/metrics']) {
        const response = await fetch(`${base}${route}`);
        record(`dashboard ${route}`, `${response.status} ${await response.text()}`);
      }
    } finally {
      await dashboard.stop();
      record('q dashboard -l debug', dashboard.output());
    }
    expect(outputs.get('dashboard /api/workers')).toMatch(/secrets-redis@/);
    for (const name of outputs.keys()) if (name.includes('dashboard')) expectNoSecret(name);
  }, 90_000);

  it('the q beat banner and debug log show no secret', async () => {
    const beat = startProcess(
      process.execPath,
      qArgs('-b', redisUrl(0), '--result-backend', redisUrl(1), '-l', 'debug', 'beat', '-s', path.join(dir, 'beat-schedule')),
      { cwd: ROOT, env: redisEnv },
    );
    try {
      await beat.waitFor(/beat: Starting|Starting\.\.\./i, 40_000);
    } finally {
      await beat.stop();
      record('q beat -l debug', beat.output());
    }
    expect(outputs.get('q beat -l debug')).toMatch(/redis:\/\//);
    expectNoSecret('q beat -l debug');
  }, 60_000);

  it('connections that fail (wrong password, closed ports) say why without the secret', async () => {
    const closed = await freePort();
    const failing: [string, string[], object?][] = [
      ['redis wrong password', ['-b', `redis://:${SECRETS.wrong}@127.0.0.1:${redis.port}/0`, 'inspect', 'ping', '-t', '1', '--connect-timeout', '10']],
      ['redis closed port', ['-b', `redis://:${SECRETS.redis}@127.0.0.1:${closed}/0`, 'inspect', 'ping', '-t', '1', '--connect-timeout', '10']],
      ['amqp closed port', ['-b', `amqp://u:${SECRETS.amqp}@127.0.0.1:${closed}//`, 'inspect', 'ping', '-t', '1', '--connect-timeout', '10']],
      ['sqs closed port', ['-b', `sqs://AKIDEXAMPLE:${SECRETS.sqs}@127.0.0.1:${closed}`, 'inspect', 'ping', '-t', '1', '--connect-timeout', '10']],
      ['postgresql closed port', ['-b', redisUrl(0), '--result-backend', `postgresql://u:${SECRETS.pg}@127.0.0.1:${closed}/db`, 'result', '00000000-0000-0000-0000-000000000000', '--connect-timeout', '10'],
        // the backend's own retry ends before the command's (else the process waits for it after giving up)
        { result: { backendOptions: { retryForMs: 3000 } } }],
    ];
    await Promise.all(
      failing.map(async ([name, args, config = {}]) => {
        const { code, output } = await runQ(`failing: ${name}`, args, { ...redisEnv, INTEROP_Q_CONFIG: JSON.stringify({ ...config, resolveFrom: E2E_DIR }) });
        expect(code, output).not.toBe(0);
        // it says why (refused, or the wrong password), naming the host with the password masked
        expect(output, name).toMatch(/ECONNREFUSED|WRONGPASS|NOAUTH|refused|invalid username-password/i);
        expect(output, name).toMatch(/(redis|amqp|sqs|postgresql):\/\/[^\s]*:\*+@127\.0\.0\.1|127\.0\.0\.1:\d+/);
      }),
    );
    for (const [name] of failing) expectNoSecret(`failing: ${name}`);
  }, 90_000);

  it('the workers logged at debug level and published events, none of it with a secret', async () => {
    // let a heartbeat or two go out
    await new Promise((r) => setTimeout(r, 2500));
    const redisWorker = workers[0]!;
    record('redis worker -l debug', redisWorker.output());
    expect(redisWorker.output()).toMatch(/tasks\.add/);
    expectNoSecret('redis worker -l debug');
    if (workers[1]) {
      record('amqp worker -l debug', workers[1].output());
      expectNoSecret('amqp worker -l debug');
    }
    const traffic = withBase64Decoded(outputs.get(BROKER_TRAFFIC) ?? '');
    expect(traffic).toMatch(/task-succeeded/);
    expect(traffic).toMatch(/"transport_options"/); // a stats reply went through
    expectNoSecret(BROKER_TRAFFIC);
  }, 30_000);
});
