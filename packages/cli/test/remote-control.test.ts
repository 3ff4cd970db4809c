/**
 * `q inspect`, `q control` and `q status` run in-process on the memory broker against stand-in workers: the
 * requests sent (arguments read from the command line as Celery's CLI reads them), the output shaped like
 * `celery inspect`, `--json`, `-d`, and exit code 69 when no node replies.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { filesystemQueueDriver, virtualTransport } from '@q/core';
import { afterEach, describe, expect, it } from 'vitest';
import { clearCliOverrides } from '@q/core/internal';
import { runCli } from '../src/run-cli.js';
import { commandArguments } from '../src/commands/remote-commands.js';
import { prettyReply } from '../src/commands/remote-reply-format.js';
import { memoryIo } from './helpers.js';
import { answers, startResponder, type Responder } from './pidbox-responder.js';

const responders: Responder[] = [];
afterEach(async () => {
  await Promise.all(responders.splice(0).map((r) => r.stop()));
  clearCliOverrides();
});

async function cluster(nodes: string[], ns = `cli-ctl-${randomUUID()}`) {
  const workers: Responder[] = [];
  for (const node of nodes) {
    const responder = await startResponder(ns, node, answers);
    responders.push(responder);
    workers.push(responder);
  }
  const q = async (args: string[], before: string[] = []) => {
    const io = memoryIo();
    const code = await runCli(['node', 'q', ...before, '-b', `memory://${ns}`, '--result-backend', `memory://${ns}`, ...args], io);
    return { code, out: io.out(), err: io.err() };
  };
  return { q, workers, ns };
}

describe('q inspect', () => {
  it('prints each node and its reply as celery inspect does, then how many nodes are online', async () => {
    const { q } = await cluster(['w1@test']);
    const run = await q(['inspect', 'ping', '-t', '0.3']);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toBe('->  w1@test: OK\n        pong\n\n1 node online.\n');
  });

  it('prints lists as "* item" lines, empty ones as "- empty -", objects as sorted indented JSON', async () => {
    const { q } = await cluster(['w1@test']);
    expect((await q(['inspect', 'registered', '-t', '0.3'])).out).toBe('->  w1@test: OK\n    * tasks.add\n    * tasks.mul [rate_limit=10/m]\n\n1 node online.\n');
    expect((await q(['inspect', 'revoked', '-t', '0.3'])).out).toBe('->  w1@test: OK\n    - empty -\n\n1 node online.\n');
    const stats = await q(['inspect', 'stats', '-t', '0.3']);
    expect(stats.out).toBe(
      '->  w1@test: OK\n' +
        '    {\n        "clock": "7",\n        "pid": 42,\n        "pool": {\n            "max-concurrency": 2,\n' +
        '            "processes": [\n                43,\n                44\n            ]\n        }\n    }\n\n1 node online.\n',
    );
  });

  it('sends the positional arguments under Celery\'s names (query_task ids, registered taskinfoitems, conf with_defaults)', async () => {
    const { q, workers } = await cluster(['w1@test']);
    await q(['inspect', 'query_task', 'id-1', 'id-2', '-t', '0.2']);
    await q(['inspect', 'registered', 'rate_limit', '-t', '0.2']);
    await q(['inspect', 'conf', 'yes', '-t', '0.2']);
    expect(workers[0]!.requests.map((r) => [r.method, r.arguments])).toEqual([
      ['query_task', { ids: ['id-1', 'id-2'] }],
      ['registered', { taskinfoitems: ['rate_limit'] }],
      ['conf', { with_defaults: true }],
    ]);
  });

  it('--json prints the merged replies; -d asks only the nodes named', async () => {
    const { q, workers } = await cluster(['w1@test', 'w2@test']);
    const run = await q(['inspect', 'ping', '--json', '-d', 'w2@test', '-t', '2']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out)).toEqual({ 'w2@test': { ok: 'pong' } });
    expect(workers.map((w) => w.requests.length)).toEqual([0, 1]);
  });

  it('exits 69 with Celery\'s message when no node replies', async () => {
    const { q } = await cluster([]);
    const run = await q(['inspect', 'ping', '-t', '0.2']);
    expect(run.code).toBe(69);
    expect(run.err).toBe('Error: No nodes replied within time constraint\n');
    expect(run.out).toBe('');
  });

  it('refuses an unknown command, listing the known ones (exit 2)', async () => {
    const { q } = await cluster([]);
    const run = await q(['inspect', 'pong']);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/^error: inspect: unknown command "pong"; known commands: report, conf, query_task, clock, ping, stats, .*active_queues \(Q_ERR_CONFIG_INVALID\)\n$/);
  });
});

describe('q control', () => {
  it('sends rate_limit <task> <rate> and prints OK or ERROR with the reply text', async () => {
    const { q, workers } = await cluster(['w1@test']);
    const ok = await q(['control', 'rate_limit', 'tasks.add', '10/m', '-t', '0.2']);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toBe('->  w1@test: OK\n        new rate limit set successfully\n');
    const bad = await q(['control', 'rate_limit', 'tasks.nope', '10/m', '-t', '0.2']);
    expect(bad.out).toBe('->  w1@test: ERROR\n        unknown task\n');
    expect(workers[0]!.requests[0]?.arguments).toEqual({ task_name: 'tasks.add', rate_limit: '10/m' });
  });

  it('reads revoke ids, add_consumer\'s queue/exchange/type/key and time_limit\'s numbers as Celery\'s CLI does', async () => {
    const { q, workers } = await cluster(['w1@test']);
    await q(['control', 'revoke', 'id1', 'id2', '-t', '0.2']);
    await q(['control', 'terminate', 'SIGKILL', 'id3', '-t', '0.2']);
    await q(['control', 'add_consumer', 'extra', 'ex', 'topic', 'k.#', '-t', '0.2']);
    await q(['control', 'time_limit', 'tasks.add', '10', '20.5', '-t', '0.2']);
    await q(['control', 'pool_grow', '2', '-t', '0.2']);
    expect(workers[0]!.requests.map((r) => [r.method, r.arguments])).toEqual([
      ['revoke', { task_id: ['id1', 'id2'] }],
      ['terminate', { signal: 'SIGKILL', task_id: ['id3'] }],
      ['add_consumer', { queue: 'extra', exchange: 'ex', exchange_type: 'topic', routing_key: 'k.#' }],
      ['time_limit', { task_name: 'tasks.add', soft: 10, hard: 20.5 }],
      ['pool_grow', { n: 2 }],
    ]);
  });

  it('--json prints the list of replies', async () => {
    const { q } = await cluster(['w1@test']);
    const run = await q(['control', 'revoke', 'id1', '--json', '-t', '0.2']);
    expect(JSON.parse(run.out)).toEqual([{ 'w1@test': { ok: 'tasks id1 flagged as revoked' } }]);
  });

  it('is a usage error to give too many arguments or one of the wrong type', async () => {
    const { q } = await cluster([]);
    const many = await q(['control', 'rate_limit', 'a', '1/s', 'extra']);
    expect(many.code).toBe(2);
    expect(many.err).toContain('command "rate_limit" takes arguments: <task_name> <rate_limit (e.g., 5/s | 5/m | 5/h)>');
    const nan = await q(['control', 'pool_grow', 'lots']);
    expect(nan.code).toBe(2);
    expect(nan.err).toContain('pool_grow: argument n must be a number, got "lots"');
  });

  it('shutdown gets no reply: exit 69, as celery control shutdown', async () => {
    const { q, workers } = await cluster(['w1@test']);
    const run = await q(['control', 'shutdown', '-t', '0.2']);
    expect(run.code).toBe(69);
    expect(workers[0]!.requests.map((r) => r.method)).toEqual(['shutdown']);
  });

  it('reads a plugin command\'s arguments by its declared types, the rest under its variadic name', async () => {
    const { q, workers } = await cluster(['w1@test']);
    const run = await q(['control', 'flush_cache', 'eu', '3', 'on', 'k1', 'k2', '-t', '0.2'], ['-A', 'test/fixtures/control-app.ts']);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toBe('->  w1@test: OK\n        flushed eu\n');
    expect(workers[0]!.requests[0]?.arguments).toEqual({ region: 'eu', depth: 3, hard: true, keys: ['k1', 'k2'] });
    const inspect = await q(['inspect', 'cache_size', '-t', '0.2'], ['-A', 'test/fixtures/control-app.ts']);
    expect(inspect.code, inspect.err).toBe(0);
    expect(workers[0]!.requests[1]?.method).toBe('cache_size');
  });
});

describe('q status', () => {
  it('prints one OK line per node that answers a ping, then the count', async () => {
    const { q } = await cluster(['w1@test', 'w2@test']);
    const run = await q(['status', '-t', '0.3']);
    expect(run.code, run.err).toBe(0);
    const lines = run.out.split('\n');
    expect(lines.slice(0, 2).sort()).toEqual(['->  w1@test: OK', '->  w2@test: OK']);
    expect(lines.slice(2)).toEqual(['', '2 nodes online.', '']);
  });

  it('exits 69 when nobody answers', async () => {
    const { q } = await cluster([]);
    const run = await q(['status', '-t', '0.2']);
    expect(run.code).toBe(69);
    expect(run.err).toBe('Error: No nodes replied within time constraint\n');
  });
});

describe('on the embedded broker', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const tmp = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'q-cli-ctl-'));
    dirs.push(dir);
    return dir;
  };

  it('reaches a worker sharing the folder (fanout through the stored bindings)', async () => {
    const dir = tmp();
    const transport = virtualTransport(filesystemQueueDriver({ dir: path.join(dir, 'broker'), pollIntervalMs: 50 }), { pollIntervalMs: 50 });
    responders.push(await startResponder(transport, 'w1@disk', answers));
    const io = memoryIo();
    const code = await runCli(['node', 'q', '--embedded-dir', dir, 'status', '-t', '0.5'], io);
    expect(code, io.err()).toBe(0);
    expect(io.out()).toBe('->  w1@disk: OK\n\n1 node online.\n');
  });

  it('without -A or -b, says that it uses the embedded broker in ./.q', async () => {
    const cwd = tmp();
    const io = memoryIo({ cwd });
    const code = await runCli(['node', 'q', 'status', '-t', '0.1'], io);
    expect(code).toBe(69);
    expect(io.err()).toContain(`no -A, -b or Q_BROKER_URL: status uses the embedded broker in ${path.join(cwd, '.q')}`);
  });
});

describe('argument reading and reply printing', () => {
  it('leaves out missing trailing arguments (the worker\'s defaults apply)', () => {
    expect(commandArguments({ name: 'pool_grow', type: 'control', args: [{ name: 'n', type: 'number' }] }, [])).toEqual({});
    expect(commandArguments({ name: 'revoke', type: 'control', variadic: 'task_id' }, [])).toEqual({ task_id: [] });
  });

  it('prints null, numbers and nested ok values', () => {
    expect(prettyReply(null)).toEqual({ status: 'OK', text: 'null' });
    expect(prettyReply({ ok: ['a'] })).toEqual({ status: 'OK', text: '    * a' });
    expect(prettyReply({})).toEqual({ status: 'OK', text: '- empty -' });
  });
});
