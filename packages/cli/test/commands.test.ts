import { describe, expect, it } from 'vitest';
import { applyOptions } from '../src/commands/call.js';
import { defaultQueues, purgeSummary } from '../src/commands/purge.js';
import { workerOptions } from '../src/commands/worker.js';
import { runCli } from '../src/run-cli.js';
import { memoryIo } from './helpers.js';

const conf = {
  task: { defaultQueue: 'celery', queues: [{ name: 'low' }, { name: 'celery' }] },
};
const app = { conf } as never;

describe('worker options', () => {
  it('passes only the flags given, so the rest defaults to the app config', () => {
    expect(workerOptions({})).toEqual({});
    expect(workerOptions({ queues: ['a'], concurrency: 3, pool: 'solo', hostname: 'w@%h', prefetchMultiplier: 1, pidfile: 'x' }))
      .toEqual({ queues: ['a'], concurrency: 3, pool: 'solo', hostname: 'w@%h', prefetchMultiplier: 1 });
  });

  it('passes -E, --without-gossip, --without-heartbeat and --heartbeat-interval to the events bootsteps', () => {
    expect(workerOptions({ taskEvents: true, withoutGossip: true, withoutHeartbeat: true, heartbeatInterval: 5 })).toEqual({
      sendTaskEvents: true,
      gossip: false,
      heartbeat: false,
      heartbeatInterval: 5,
    });
  });

  it('passes -O to the pool (fair or default)', () => {
    expect(workerOptions({ optimization: 'default' })).toEqual({ optimization: 'default' });
    expect(workerOptions({ optimization: 'fair' })).toEqual({ optimization: 'fair' });
  });
});

describe('call options', () => {
  it('maps flags to sendTask options, leaving out unset ones', () => {
    expect(applyOptions({ countdown: 2, queue: 'low', priority: 5 })).toEqual({ countdown: 2, queue: 'low', priority: 5 });
    expect(applyOptions({})).toEqual({});
  });
});

describe('purge', () => {
  it('defaults to the default queue and the declared queues', () => {
    expect(defaultQueues(app)).toEqual(['celery', 'low']);
  });

  it('summarises counts per queue', () => {
    expect(purgeSummary([['celery', 3], ['low', 0]])).toBe('Purged 3 messages from 2 queues: celery (3), low (0).');
    expect(purgeSummary([['celery', 1]])).toBe('Purged 1 message from 1 queue: celery (1).');
  });

  it('refuses without -f when stdin is not a terminal', async () => {
    const io = memoryIo();
    expect(await runCli(['node', 'q', '-b', 'memory://', '--result-backend', 'memory://', 'purge'], io)).toBe(2);
    expect(io.err()).toMatch(/standard input is not a terminal.*pass -f/);
  });
});

describe('cleanup', () => {
  it('says there is nothing to do on a backend that expires results by itself', async () => {
    const io = memoryIo();
    expect(await runCli(['node', 'q', '-b', 'memory://cleanup', '--result-backend', 'memory://cleanup', 'cleanup'], io)).toBe(0);
    expect(io.out()).toMatch(/cleanup: nothing to do, the result backend memory:\/\/cleanup expires results by itself/);
  });

  it('refuses a negative --expires', async () => {
    const io = memoryIo();
    expect(await runCli(['node', 'q', '-b', 'memory://c2', '--result-backend', 'memory://c2', 'cleanup', '--expires', '-1'], io)).toBe(2);
    expect(io.err()).toMatch(/--expires must be a number of seconds >= 0/);
  });
});
