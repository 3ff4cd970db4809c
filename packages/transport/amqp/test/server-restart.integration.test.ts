/**
 * A worker survives a REAL RabbitMQ restart. The suite boots a private RabbitMQ node (its own ports, data and
 * cookie in a temp dir; see `privateNode` in `@q/test-services`) so it can stop and start a broker without touching the machine's
 * shared one on 5672, and removes it in afterAll.
 *
 * Under a worker running `acksLate` tasks while a producer keeps publishing, the node is stopped (`rabbitmqctl
 * stop`: every connection is closed with CONNECTION_FORCED and the VM exits) and booted again. The worker
 * reconnects with backoff, re-declares its topology (a non-durable queue the restart dropped comes back with its
 * consumer), and consumes again; the durable queue kept its persistent messages. Every confirmed publish runs, a
 * task running when the connection dropped runs again (its ack had no channel left, the broker redelivered it),
 * and no task that finished before the stop began runs twice.
 */
import type { TaskContext } from '@q/core';
import { createApp, memoryKeyValueDriver, silentLogger } from '@q/core';
import { missingRabbitmqServer, privateNode, rabbitmqBinDir, recordingLogger, runsHere, type PrivateNode, type RecordedLine } from '@q/test-services';
import { createWorker } from '@q/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { amqpTransport } from '../src/index.js';
import { sleep, until } from './helpers.js';

const binDir = rabbitmqBinDir();
const runs = runsHere('transport-amqp restart', [missingRabbitmqServer()]);

/** One execution of a task. */
interface Run {
  start: number;
  end: number;
  redelivered: boolean;
}

const TRANSIENT = 'q-restart-transient';
const queues = [{ name: 'celery' }, { name: TRANSIENT, durable: false }];
const RECONNECT = { reconnectDelayMs: 100, maxReconnectDelayMs: 1000 };

describe.skipIf(!runs)('amqp: a real RabbitMQ restart', () => {
  let node: PrivateNode;
  let firstBootMs = 0;

  beforeAll(async () => {
    node = await privateNode('q-restart', binDir ?? '');
    firstBootMs = await node.start();
  });
  afterAll(async () => {
    await node?.destroy();
  });

  it('the worker reconnects with backoff, re-declares its topology and resumes; every task runs, none twice unless in flight', async () => {
    const { url } = node;
    const workerLog = recordingLogger();
    const producer = createApp({
      name: 'restart-producer',
      broker: amqpTransport({ url, ...RECONNECT }),
      backend: memoryKeyValueDriver({ namespace: `restart-p-${process.pid}` }),
      task: { queues },
    });
    const app = createApp({
      name: 'restart-worker',
      broker: amqpTransport({ url, ...RECONNECT, logger: workerLog }),
      backend: memoryKeyValueDriver({ namespace: `restart-w-${process.pid}` }),
      task: { acksLate: true, queues },
    });
    const runs = new Map<number, Run[]>();
    const work = async (ctx: TaskContext, i: number): Promise<number> => {
      const run: Run = { start: Date.now(), end: Number.POSITIVE_INFINITY, redelivered: ctx.deliveryInfo.redelivered };
      runs.set(i, [...(runs.get(i) ?? []), run]);
      await sleep(25);
      run.end = Date.now();
      return i;
    };
    producer.task({ name: 'restart.work', bind: true }, work);
    app.task({ name: 'restart.work', bind: true }, work);
    const send = producer.tasks.get('restart.work');
    if (!send) throw new Error('no task');
    const worker = createWorker(app, { logger: silentLogger, hostname: 'restart@test', concurrency: 4, prefetchMultiplier: 4, queues: ['celery', TRANSIENT] });

    const published = new Set<number>();
    const publishErrors: unknown[] = [];
    let next = 0;
    let publishing = true;
    try {
      await worker.start();
      // Keeps about 60 tasks queued, before, during (these publishes wait for the reconnect) and after the restart.
      const publisher = (async () => {
        while (publishing) {
          if (next - runs.size >= 60) {
            await sleep(10);
            continue;
          }
          const batch = Array.from({ length: 10 }, () => next++);
          await Promise.all(
            batch.map((i) =>
              send.delay(i).then(
                () => void published.add(i),
                (err: unknown) => void publishErrors.push(err),
              ),
            ),
          );
        }
      })();
      await until(() => runs.size >= 60, 20_000, 'tasks to run before the restart');

      const stopBegan = Date.now();
      await node.stop();
      const downAt = Date.now();
      const restartBootMs = await node.start();
      const publishedBeforeUp = next;

      // Reconnected with backoff: failed attempts spaced by at least 100 ms doubling, capped at 1 s.
      await until(() => workerLog.lines.some((l) => l.msg.startsWith('AMQP reconnected')), 15_000, 'the worker to reconnect');
      const lostAt = workerLog.lines.find((l) => l.level === 'warn' && / lost /.test(l.msg))?.at ?? Number.NaN;
      expect(lostAt).toBeGreaterThanOrEqual(stopBegan);
      expect(lostAt).toBeLessThanOrEqual(downAt);
      const failures = workerLog.lines.filter((l) => l.msg.startsWith('AMQP reconnect to'));
      expect(failures.length).toBeGreaterThanOrEqual(3);
      for (let k = 1; k < failures.length; k++) {
        const [a, b] = [failures[k - 1] as RecordedLine, failures[k] as RecordedLine];
        const n = (a.obj as Record<string, unknown>)['attempt'] as number;
        expect((b.obj as Record<string, unknown>)['attempt']).toBe(n + 1);
        expect(b.at - a.at).toBeGreaterThanOrEqual(Math.min(1000, 100 * 2 ** n) - 5);
      }
      const reconnected = workerLog.lines.find((l) => l.msg.startsWith('AMQP reconnected'));
      expect((reconnected?.obj as Record<string, unknown> | undefined)?.['attempts']).toBe(failures.length + 1);

      // The non-durable queue did not survive the restart: the worker declared it again (the producer never
      // published to it, so it did not) and consumes it again.
      await until(async () => (await node.queues(['name', 'durable', 'consumers'])).some(([n, d, c]) => n === TRANSIENT && d === 'false' && c === '1'), 15_000, `${TRANSIENT} declared again with its consumer`);
      const transientIds = Array.from({ length: 20 }, (_, k) => 1_000_000 + k);
      for (const i of transientIds) {
        await send.applyAsync([i], {}, { queue: TRANSIENT });
        published.add(i);
      }

      await until(() => next >= publishedBeforeUp + 100, 20_000, 'publishes after the restart');
      publishing = false;
      await publisher;
      expect(publishErrors).toEqual([]);
      await until(() => [...published].every((i) => runs.has(i)), 20_000, 'every published task to run').catch(() => {
        const missing = [...published].filter((i) => !runs.has(i));
        throw new Error(`${missing.length} of ${published.size} published tasks never ran: ${missing.slice(0, 20).join(', ')}`);
      });
      await until(
        async () => {
          const rows = await node.queues(['name', 'messages_ready', 'messages_unacknowledged', 'consumers']);
          const tasks = rows.filter(([name]) => name === 'celery' || name === TRANSIENT);
          // the worker's remote-control queue (not durable, auto-delete) is declared and consumed again too
          const pidbox = rows.find(([name]) => name === 'restart@test.celery.pidbox');
          return tasks.length === 2 && tasks.every(([, ready, unacked, consumers]) => ready === '0' && unacked === '0' && consumers === '1') && pidbox?.[3] === '1';
        },
        15_000,
        'both task queues empty, nothing unacknowledged, one consumer each; the pidbox queue consumed again',
      );
      expect(worker.state).toBe('running');

      // Nothing acknowledged was lost or ran again: a task ran twice only if it was still in flight when the stop began.
      const twice = [...runs].filter(([, r]) => r.length > 1);
      for (const [i, r] of twice) expect({ task: i, firstEnd: (r[0] as Run).end >= stopBegan }).toEqual({ task: i, firstEnd: true });
      // The unacknowledged ones came back: every task running when the connection dropped ran again, redelivered.
      const interrupted = [...runs].filter(([, r]) => (r[0] as Run).start < lostAt && (r[0] as Run).end > lostAt);
      expect(interrupted.length).toBeGreaterThan(0);
      for (const [i, r] of interrupted) {
        expect({ task: i, again: r.slice(1).some((x) => x.redelivered && x.start > downAt) }).toEqual({ task: i, again: true });
      }
      process.stderr.write(
        `transport-amqp restart: first boot ${firstBootMs} ms, stop ${downAt - stopBegan} ms, boot again ${restartBootMs} ms, ` +
          `${failures.length} failed reconnects, ${published.size} tasks, ${interrupted.length} interrupted, ${twice.length} ran twice\n`,
      );
    } finally {
      publishing = false;
      await worker.stop({ graceful: false });
      await app.close();
      await producer.close();
    }
  }, 90_000);
});
