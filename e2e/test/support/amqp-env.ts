/**
 * The RabbitMQ side of the AMQP interop tests: a vhost of the suite's own (`q-test-e2e-amqp-<name>`, dropped
 * afterwards) and a Redis ledger on db 11 that tasks record into, to count executions across languages.
 */
import { Redis } from 'ioredis';
import { rabbitVhost } from '@q/test-services';
import type { InteropEnv } from './python-celery.js';

/** Redis db of the AMQP interop ledger (and of the shared-queue suite's result backend). */
export const AMQP_LEDGER_URL = 'redis://127.0.0.1:6379/11';

/** What an AMQP interop suite runs against. */
export interface AmqpInterop {
  /** Broker = the vhost, results over `rpc://` (or `backend` when given), ledger = Redis db 11. */
  urls: InteropEnv;
  vhost: string;
  ledger: Redis;
  /** Flushes the ledger db, drops the vhost, closes the ledger connection. */
  close(): Promise<void>;
}

/**
 * Creates the vhost and flushes the ledger db (db 11 unless `options.ledger` names another), or `null` when
 * RabbitMQ is missing (the suite skips).
 */
export async function amqpInterop(
  suite: string,
  name: string,
  options: { backend?: string; maxPriority?: number; ledger?: string } = {},
): Promise<AmqpInterop | null> {
  const vhost = await rabbitVhost(suite, `e2e-amqp-${name}`);
  if (!vhost) return null;
  const ledgerUrl = options.ledger ?? AMQP_LEDGER_URL;
  const ledger = new Redis(ledgerUrl, { maxRetriesPerRequest: 2 });
  await ledger.flushdb();
  const urls: InteropEnv = { broker: vhost.url, backend: options.backend ?? 'rpc://', ledger: ledgerUrl };
  if (options.maxPriority !== undefined) urls.maxPriority = options.maxPriority;
  return {
    urls,
    vhost: vhost.name,
    ledger,
    async close() {
      await ledger.flushdb().catch(() => undefined);
      await ledger.quit().catch(() => ledger.disconnect());
      await vhost.drop();
    },
  };
}
