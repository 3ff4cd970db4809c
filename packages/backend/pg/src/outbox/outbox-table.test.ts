import { ConfigError } from '@q/core';
import { describe, expect, it } from 'vitest';
import { resolveOutboxTable } from './outbox-table.js';

describe('resolveOutboxTable', () => {
  it('defaults to public.q_outbox, its channel and migration tables', () => {
    expect(resolveOutboxTable()).toEqual({
      schema: 'public',
      table: 'q_outbox',
      channel: 'public.q_outbox',
      qualified: '"public"."q_outbox"',
      migrationTable: 'q_outbox_migration',
      migrationLockTable: 'q_outbox_migration_lock',
    });
  });

  it('takes a schema, a table and a channel', () => {
    const t = resolveOutboxTable({ schema: 'shop', table: 'Tasks_Out', channel: 'wake up' });
    expect(t.qualified).toBe('"shop"."Tasks_Out"');
    expect(t.channel).toBe('wake up');
    expect(t.migrationTable).toBe('Tasks_Out_migration');
  });

  it.each([
    [{ schema: 'a"b' }, 'outbox.schema'],
    [{ table: 'x; DROP TABLE y' }, 'outbox.table'],
    [{ table: '1abc' }, 'outbox.table'],
    [{ table: 'has$dollar' }, 'outbox.table'],
    [{ table: 'a'.repeat(64) }, 'outbox.table'],
    [{ table: 'a'.repeat(60) }, 'outbox.table'], // its migration lock table would be too long
    [{ channel: '' }, 'outbox.channel'],
    [{ schema: 's'.repeat(40), table: 't'.repeat(23) }, 'outbox.channel'],
  ])('refuses %j naming the option', (options, path) => {
    let error: unknown;
    try {
      resolveOutboxTable(options);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('Q_ERR_CONFIG_INVALID');
    expect((error as Error).message).toContain(path);
  });
});
