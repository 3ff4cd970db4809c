/**
 * `pgBeatLock()`: the lease that lets one beat of several send, as a session-level advisory lock
 * (`pg_try_advisory_lock(hashtext('q-beat'), hashtext(<name>))`) held on a connection of its own. PostgreSQL drops
 * the lock with the session, so a holder that dies (its socket closes) hands over at once, with no TTL to wait out;
 * `ttlMs` is not used. Renewing checks that the connection still answers and its session still holds the lock
 * (`pg_locks`). A lost connection rejects and is reconnected on the next `acquire`, which then competes afresh.
 * A holder cut off by a network partition keeps the lock until PostgreSQL notices the dead socket (TCP keepalive).
 */
import type { BeatLock } from '@q/core';
import { maskUrl } from '@q/core/adapter';
import pg from 'pg';
import { pgBeatCall } from './pg-beat-errors.js';
import { resolvePgBeatOptions, type PgBeatOptions } from './pg-beat-options.js';

const KEYS = `hashtext('q-beat'), hashtext($1)`;
const HELD = `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
  AND objsubid = 2 AND classid = hashtext('q-beat')::oid AND objid = hashtext($1)::oid) AS held`;

/** The PostgreSQL beat lock. */
export interface PgBeatLock extends BeatLock {
  /** The backend pid of its connection (`null` when not connected), e.g. to find it in `pg_stat_activity`. */
  readonly pid: number | null;
}

/** A beat lock on PostgreSQL (connects on first `acquire`). */
export function pgBeatLock(options: PgBeatOptions = {}): PgBeatLock {
  const o = resolvePgBeatOptions(options);
  let client: pg.Client | null = null;
  let pid: number | null = null;
  let held = false;

  function drop(c: pg.Client): void {
    if (client !== c) return;
    client = null;
    pid = null;
    if (held) options.logger?.warn({ name: o.name }, 'PostgreSQL beat lock: its connection was lost, and the lock with it');
    held = false;
    void c.end().catch(() => undefined);
  }

  async function connection(): Promise<pg.Client> {
    if (client !== null) return client;
    const c = new pg.Client({ connectionString: o.connectionString, application_name: 'q-beat-lock', keepAlive: true });
    c.on('error', () => drop(c));
    c.on('end', () => drop(c));
    try {
      await pgBeatCall('beat lock connect', () => c.connect());
      const { rows } = await pgBeatCall('beat lock connect', () => c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid'));
      pid = rows[0]?.pid ?? null;
    } catch (error) {
      void c.end().catch(() => undefined);
      throw error;
    }
    client = c;
    return c;
  }

  async function query(c: pg.Client, what: string, text: string): Promise<boolean> {
    try {
      const { rows } = await pgBeatCall(what, () => c.query<{ held: boolean }>(text, [o.name]));
      return rows[0]?.held === true;
    } catch (error) {
      drop(c);
      throw error;
    }
  }

  return {
    get pid() {
      return pid;
    },
    async acquire(): Promise<boolean> {
      const c = await connection();
      held = await query(c, held ? 'beat lock renew' : 'beat lock acquire', held ? HELD : `SELECT pg_try_advisory_lock(${KEYS}) AS held`);
      return held;
    },
    async release(): Promise<void> {
      const c = client;
      if (c === null || !held) return;
      held = false;
      await query(c, 'beat lock release', `SELECT pg_advisory_unlock(${KEYS}) AS held`);
    },
    async close(): Promise<void> {
      const c = client;
      client = null;
      pid = null;
      held = false;
      await c?.end();
    },
    describe: () => `${maskUrl(o.connectionString)} advisory lock q-beat:${o.name}`,
  };
}
