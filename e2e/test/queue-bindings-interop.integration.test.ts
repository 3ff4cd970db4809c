/**
 * q binds queues as Python Celery 5.2.6 does: for a few configurations, `queueTopology` gives each queue the exchange
 * (name and type), binding key and flags that Celery's `app.amqp.queues` gives it (`e2e/python/queue_bindings.py`).
 * A q client and a Python worker declaring the same queue on one RabbitMQ vhost must agree, or RabbitMQ refuses the
 * second declaration. Needs only Python Celery (no broker).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createApp } from '@q/core';
import type { AppOptions } from '@q/core';
import { queueTopology } from '@q/core/adapter';
import { pythonCelery } from '@q/test-services';
import { describe, expect, it } from 'vitest';

const py = pythonCelery('queue bindings interop');
const SCRIPT = fileURLToPath(new URL('../python/queue_bindings.py', import.meta.url));

/** A queue of `task_queues`, in both spellings. */
interface QueueSpec {
  name: string;
  exchange?: string;
  exchangeType?: 'direct' | 'topic' | 'fanout';
  routingKey?: string;
}

interface Case {
  title: string;
  /** Celery settings, and the q `task` options that are the same settings. */
  celery: Record<string, unknown>;
  task: NonNullable<AppOptions['task']>;
  queues: QueueSpec[] | null;
  names: string[];
}

interface Binding {
  name: string;
  exchange: string;
  type: string;
  routing_key: string;
  durable: boolean;
  auto_delete: boolean;
}

const CASES: Case[] = [
  {
    title: 'declared queues with and without exchange or key, topic default exchange type, missing queues',
    celery: { task_default_exchange_type: 'topic' },
    task: { defaultExchangeType: 'topic' },
    queues: [{ name: 'foo' }, { name: 'bar', routingKey: 'bar.#' }, { name: 'tq', exchange: 'tex', exchangeType: 'topic', routingKey: 'a.*' }],
    names: ['foo', 'bar', 'tq', 'missing', 'celery'],
  },
  {
    title: 'no task_queues: the default queue on the default exchange, key and type',
    celery: { task_default_queue: 'jobs', task_default_exchange: 'jex', task_default_exchange_type: 'topic', task_default_routing_key: 'jobs.#' },
    task: { defaultQueue: 'jobs', defaultExchange: 'jex', defaultExchangeType: 'topic', defaultRoutingKey: 'jobs.#' },
    queues: null,
    names: ['jobs', 'other'],
  },
  {
    title: 'defaults, a queue with its own direct exchange, a renamed default queue among task_queues',
    celery: { task_default_queue: 'main' },
    task: { defaultQueue: 'main' },
    queues: [{ name: 'main' }, { name: 'own', exchange: 'ownex' }, { name: 'keyed', exchange: 'kex', routingKey: 'k' }],
    names: ['main', 'own', 'keyed', 'celery'],
  },
];

function celeryBindings(c: Case): Binding[] {
  const task_queues = c.queues?.map((q) => ({
    name: q.name,
    ...(q.exchange === undefined ? {} : { exchange: q.exchange, exchange_type: q.exchangeType ?? 'direct' }),
    ...(q.routingKey === undefined ? {} : { routing_key: q.routingKey }),
  })) ?? null;
  const run = spawnSync(py as string, [SCRIPT, JSON.stringify({ conf: c.celery, task_queues, names: c.names })], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`queue_bindings.py failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Binding[];
}

function qBindings(c: Case): Binding[] {
  const { conf } = createApp({ task: { ...c.task, ...(c.queues ? { queues: c.queues } : {}) } });
  return c.names.map((name) => {
    const t = queueTopology(conf, name);
    return {
      name: t.queue.name,
      exchange: t.exchange.name,
      type: t.exchange.type,
      routing_key: t.binding.routingKey,
      durable: t.queue.durable,
      auto_delete: t.queue.autoDelete,
    };
  });
}

describe.skipIf(!py)("queue bindings as Celery's app.amqp.queues", () => {
  for (const c of CASES) {
    it(c.title, () => {
      expect(qBindings(c)).toEqual(celeryBindings(c));
    });
  }
});
