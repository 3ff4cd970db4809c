/**
 * The Redis databases the interop tests may use: db 3 (broker and results) and db 4 (the ledger tasks
 * record into); the canvas suites: db 7 (broker and results) and db 8 (ledger) over Redis, db 9 (results and
 * ledger) over RabbitMQ. Nothing here touches any other db. Other suites keep their own: db 10 (rpc interop),
 * db 11 (the RabbitMQ suites' ledger), db 12 (the remote-control interop suites, Redis and RabbitMQ, never at once),
 * db 8 also for the events interop suites (everything of theirs; e2e files run one at a time, each flushing it before and after).
 */
import { Redis } from 'ioredis';

export const BROKER_URL = 'redis://127.0.0.1:6379/3';
export const LEDGER_URL = 'redis://127.0.0.1:6379/4';

/** Broker, backend and ledger URLs for both languages. */
export const INTEROP_URLS = { broker: BROKER_URL, backend: BROKER_URL, ledger: LEDGER_URL } as const;

/** The Redis canvas suite's: broker and results on db 7, the ledger on db 8. */
export const CANVAS_URLS = { broker: 'redis://127.0.0.1:6379/7', backend: 'redis://127.0.0.1:6379/7', ledger: 'redis://127.0.0.1:6379/8' } as const;

/** The RabbitMQ canvas suite's results and ledger (its broker is a vhost of its own). */
export const AMQP_CANVAS_REDIS_URL = 'redis://127.0.0.1:6379/9';

/** A connection to the broker db and one to the ledger db (3 and 4 unless told), for flushing and inspecting. */
export interface InteropDbs {
  broker: Redis;
  ledger: Redis;
  /** FLUSHDB on those two dbs only. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function interopDbs(urls: { broker: string; ledger: string } = INTEROP_URLS): InteropDbs {
  const broker = new Redis(urls.broker, { maxRetriesPerRequest: 2 });
  const ledger = new Redis(urls.ledger, { maxRetriesPerRequest: 2 });
  return {
    broker,
    ledger,
    async flush() {
      await Promise.all([broker.flushdb(), ledger.flushdb()]);
    },
    async close() {
      await Promise.all([broker.quit(), ledger.quit()]);
    },
  };
}
