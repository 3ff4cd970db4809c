/**
 * `result.backendOptions` (plain config: a file, the CLI) → {@link PgBackendOptions}, checked: each key's type, and
 * no key the backend does not know (a misspelt option is an error naming it, not silently ignored).
 */
import { ConfigError } from '@q/core';
import type { PgBackendOptions, PgTableNames } from './options.js';

const KNOWN = ['tableNames', 'tableSchemas', 'chords', 'notify', 'pollIntervalMs', 'recheckIntervalMs', 'retryForMs', 'createTables', 'synchronousCommit', 'poolOptions'] as const;

const invalid = (key: string, expected: string): ConfigError =>
  new ConfigError('Q_ERR_CONFIG_INVALID', `result.backendOptions.${key} must be ${expected}`);

function names(value: unknown, key: string): PgTableNames {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(key, 'an object { task?, group? }');
  const out: PgTableNames = {};
  for (const [k, v] of Object.entries(value)) {
    if ((k !== 'task' && k !== 'group') || typeof v !== 'string') throw invalid(`${key}.${k}`, 'a string under "task" or "group"');
    out[k] = v;
  }
  return out;
}

function positive(value: unknown, key: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw invalid(key, 'a positive number of ms');
  return value;
}

/** Read `result.backendOptions`. @throws ConfigError `Q_ERR_CONFIG_INVALID` naming the option. */
export function pgBackendOptionsFrom(options: Record<string, unknown>): PgBackendOptions {
  const out: PgBackendOptions = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    switch (key as (typeof KNOWN)[number]) {
      case 'tableNames':
        out.tableNames = names(value, key);
        break;
      case 'tableSchemas':
        out.tableSchemas = names(value, key);
        break;
      case 'chords':
        if (value !== 'unlock' && value !== 'native') throw invalid(key, '"unlock" or "native"');
        out.chords = value;
        break;
      case 'notify':
        if (value !== 'listen' && value !== 'poll') throw invalid(key, '"listen" or "poll"');
        out.notify = value;
        break;
      case 'pollIntervalMs':
        out.pollIntervalMs = positive(value, key);
        break;
      case 'recheckIntervalMs':
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw invalid(key, 'a number of ms >= 0');
        out.recheckIntervalMs = value;
        break;
      case 'retryForMs':
        out.retryForMs = positive(value, key);
        break;
      case 'createTables':
        if (typeof value !== 'boolean') throw invalid(key, 'true or false');
        out.createTables = value;
        break;
      case 'synchronousCommit':
        if (typeof value !== 'boolean') throw invalid(key, 'true or false');
        out.synchronousCommit = value;
        break;
      case 'poolOptions':
        if (typeof value !== 'object' || value === null) throw invalid(key, 'an object of pg pool options');
        out.poolOptions = value as NonNullable<PgBackendOptions['poolOptions']>;
        break;
      default:
        throw new ConfigError('Q_ERR_CONFIG_INVALID', `result.backendOptions.${key} is not an option of the PostgreSQL result backend (known: ${KNOWN.join(', ')})`);
    }
  }
  return out;
}
