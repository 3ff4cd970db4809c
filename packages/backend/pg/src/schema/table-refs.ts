/**
 * The backend's tables, sequences and notification channels, named once: Celery's `celery_taskmeta` /
 * `celery_tasksetmeta` (or `database_table_names`), in their schemas (`database_table_schemas`, else the
 * connection's `search_path`), their sequences beside them, and q's own chord table beside the task table.
 */
import { createHash } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import { ConfigError } from '@q/core';
import { DEFAULT_TABLE_NAMES, type PgTableNames, type PgTableSchemas } from '../options.js';

/** One table (or sequence): its schema (`null`: the search path) and name. */
export interface TableRef {
  readonly schema: string | null;
  readonly name: string;
}

/** Every object the backend uses. */
export interface TableRefs {
  readonly task: TableRef;
  readonly group: TableRef;
  readonly taskSequence: TableRef;
  readonly groupSequence: TableRef;
  /** q's chord counters (native chords). */
  readonly chord: TableRef;
  /** The header parts of q's native chords. */
  readonly chordPart: TableRef;
  /** q's shared revokes. */
  readonly revoked: TableRef;
  /** kysely's migration bookkeeping for these tables. */
  readonly migrations: TableRef;
  readonly migrationLock: TableRef;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

function checked(name: string, what: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `result.backendOptions.${what}: "${name}" is not a PostgreSQL identifier (letters, digits, _ and $, at most 63)`);
  }
  return name;
}

/** Resolve the names of {@link TableRefs} from the options. @throws ConfigError for a name that is no identifier. */
export function tableRefs(names: PgTableNames = {}, schemas: PgTableSchemas = {}): TableRefs {
  const taskSchema = schemas.task === undefined ? null : checked(schemas.task, 'tableSchemas.task');
  const groupSchema = schemas.group === undefined ? null : checked(schemas.group, 'tableSchemas.group');
  const task = checked(names.task ?? DEFAULT_TABLE_NAMES.task, 'tableNames.task');
  const group = checked(names.group ?? DEFAULT_TABLE_NAMES.group, 'tableNames.group');
  return Object.freeze({
    task: { schema: taskSchema, name: task },
    group: { schema: groupSchema, name: group },
    taskSequence: { schema: taskSchema, name: 'task_id_sequence' },
    groupSequence: { schema: groupSchema, name: 'taskset_id_sequence' },
    chord: { schema: taskSchema, name: `${task}_q_chord`.slice(0, 63) },
    chordPart: { schema: taskSchema, name: `${task}_q_chord_part`.slice(0, 63) },
    revoked: { schema: taskSchema, name: `${task}_q_revoked`.slice(0, 63) },
    migrations: { schema: taskSchema, name: `${task}_q_migration`.slice(0, 63) },
    migrationLock: { schema: taskSchema, name: `${task}_q_migration_lock`.slice(0, 63) },
  });
}

/** The quoted, schema-qualified identifier of `ref` in a kysely `sql` template. */
export function ident(ref: TableRef): RawBuilder<unknown> {
  return ref.schema === null ? sql.id(ref.name) : sql.id(ref.schema, ref.name);
}

/** `ref` as the text `nextval()` takes (`"schema"."name"`). */
export function regclassText(ref: TableRef): string {
  const quote = (s: string): string => `"${s.replace(/"/g, '""')}"`;
  return ref.schema === null ? quote(ref.name) : `${quote(ref.schema)}.${quote(ref.name)}`;
}

/**
 * The NOTIFY channel of a task's states: `q_` + the MD5 of its id, so any id (Celery allows any string, up to 155
 * characters) gives a channel within PostgreSQL's 63-byte limit. The SQL side computes `'q_' || md5(task_id)`.
 */
export function taskChannel(taskId: string): string {
  return `q_${createHash('md5').update(taskId, 'utf8').digest('hex')}`;
}
