/**
 * The Redis databases the interop tests may use: db 3 (broker and results) and db 4 (the ledger tasks
 * record into). Nothing here touches any other db.
 */
import { Redis } from 'ioredis';

export const BROKER_URL = 'redis://127.0.0.1:6379/3';
export const LEDGER_URL = 'redis://127.0.0.1:6379/4';

/** Broker, backend and ledger URLs for both languages. */
export const INTEROP_URLS = { broker: BROKER_URL, backend: BROKER_URL, ledger: LEDGER_URL } as const;

/** A connection to db 3 and one to db 4, for flushing and inspecting. */
export interface InteropDbs {
  broker: Redis;
  ledger: Redis;
  /** FLUSHDB on db 3 and db 4 only. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function interopDbs(): InteropDbs {
  const broker = new Redis(BROKER_URL, { maxRetriesPerRequest: 2 });
  const ledger = new Redis(LEDGER_URL, { maxRetriesPerRequest: 2 });
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
