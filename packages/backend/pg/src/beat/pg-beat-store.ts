/**
 * `pgBeatStore()`: a beat's state as a row of `q_beat_state(name text primary key, state jsonb, updated_at)`, one
 * row per schedule name. The table (and its schema) is created when missing, on first use (`CREATE … IF NOT EXISTS`,
 * retried once when another beat creates it at the same moment). Saving is an upsert.
 */
import type { BeatState, BeatStore } from '@q/core';
import { asBeatState, maskUrl } from '@q/core/adapter';
import pg from 'pg';
import { pgBeatCall } from './pg-beat-errors.js';
import { resolvePgBeatOptions, type PgBeatOptions } from './pg-beat-options.js';

/** SQLSTATEs of two sessions creating the same object at once (`IF NOT EXISTS` is not atomic). */
const CREATE_RACE = new Set(['23505', '42P07', '42P06']);

/** The PostgreSQL beat store; `qualified` names its table. */
export interface PgBeatStore extends BeatStore {
  readonly qualified: string;
}

/** A beat store on PostgreSQL (connects, and creates its table, on first use). */
export function pgBeatStore(options: PgBeatOptions = {}): PgBeatStore {
  const o = resolvePgBeatOptions(options);
  let pool: pg.Pool | null = null;
  let ready: Promise<pg.Pool> | null = null;

  async function createTable(p: pg.Pool): Promise<void> {
    const ddl = `CREATE SCHEMA IF NOT EXISTS "${o.schema}";
      CREATE TABLE IF NOT EXISTS ${o.qualified} (
        name text PRIMARY KEY,
        state jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`;
    try {
      await p.query(ddl);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code !== 'string' || !CREATE_RACE.has(code)) throw error;
      await p.query(ddl);
    }
  }

  function connected(): Promise<pg.Pool> {
    ready ??= (async () => {
      const p = new pg.Pool({ connectionString: o.connectionString, max: 1, application_name: 'q-beat-store' });
      p.on('error', (err) => options.logger?.warn({ err }, 'PostgreSQL beat store: idle connection lost'));
      pool = p;
      await pgBeatCall(`create ${o.qualified}`, () => createTable(p));
      return p;
    })().catch((error: unknown) => {
      ready = null;
      throw error;
    });
    return ready;
  }

  return {
    qualified: o.qualified,
    async load(): Promise<BeatState | null> {
      const p = await connected();
      const { rows } = await pgBeatCall('beat state load', () => p.query<{ state: unknown }>(`SELECT state FROM ${o.qualified} WHERE name = $1`, [o.name]));
      if (rows[0] === undefined) return null;
      const state = asBeatState(rows[0].state);
      if (state === null) options.logger?.warn({ table: o.qualified, name: o.name }, 'PostgreSQL beat store: the stored state is not a beat state; starting afresh');
      return state;
    },
    async save(state: BeatState): Promise<void> {
      const p = await connected();
      await pgBeatCall('beat state save', () =>
        p.query(
          `INSERT INTO ${o.qualified} (name, state, updated_at) VALUES ($1, $2::jsonb, now())
           ON CONFLICT (name) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at`,
          [o.name, JSON.stringify(state)],
        ),
      );
    },
    async close(): Promise<void> {
      const p = pool;
      pool = null;
      ready = null;
      await p?.end();
    },
    describe: () => `${maskUrl(o.connectionString)} table ${o.qualified} name ${o.name}`,
  };
}
