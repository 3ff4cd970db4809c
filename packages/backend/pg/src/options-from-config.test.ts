import { describe, expect, it } from 'vitest';
import { pgBackendOptionsFrom } from './options-from-config.js';

describe('pgBackendOptionsFrom', () => {
  it('reads every option', () => {
    expect(
      pgBackendOptionsFrom({
        tableNames: { task: 't', group: 'g' },
        tableSchemas: { task: 's' },
        chords: 'native',
        notify: 'poll',
        pollIntervalMs: 50,
        retryForMs: 1000,
        createTables: false,
        synchronousCommit: false,
        poolOptions: { max: 3 },
      }),
    ).toEqual({
      tableNames: { task: 't', group: 'g' },
      tableSchemas: { task: 's' },
      chords: 'native',
      notify: 'poll',
      pollIntervalMs: 50,
      retryForMs: 1000,
      createTables: false,
      synchronousCommit: false,
      poolOptions: { max: 3 },
    });
  });

  it.each([
    [{ chords: 'fast' }, 'result.backendOptions.chords must be "unlock" or "native"'],
    [{ tableNames: { tasks: 'x' } }, 'result.backendOptions.tableNames.tasks'],
    [{ pollIntervalMs: -1 }, 'pollIntervalMs must be a positive number'],
    [{ tableName: 'x' }, 'tableName is not an option of the PostgreSQL result backend'],
  ])('refuses %j naming the option', (options, message) => {
    expect(() => pgBackendOptionsFrom(options)).toThrow(message);
  });
});
