import { describe, expect, it } from 'vitest';
import { regclassText, tableRefs, taskChannel } from './table-refs.js';

describe('tableRefs', () => {
  it("uses Celery's names by default, in the search path", () => {
    const refs = tableRefs();
    expect(refs.task).toEqual({ schema: null, name: 'celery_taskmeta' });
    expect(refs.group).toEqual({ schema: null, name: 'celery_tasksetmeta' });
    expect(regclassText(refs.taskSequence)).toBe('"task_id_sequence"');
  });

  it('puts the sequences beside their tables (database_table_schemas)', () => {
    const refs = tableRefs({ task: 'results' }, { task: 'jobs', group: 'groups' });
    expect(regclassText(refs.taskSequence)).toBe('"jobs"."task_id_sequence"');
    expect(regclassText(refs.groupSequence)).toBe('"groups"."taskset_id_sequence"');
    expect(refs.chord).toEqual({ schema: 'jobs', name: 'results_q_chord' });
  });

  it('refuses a name that is not an identifier', () => {
    expect(() => tableRefs({ task: 'x; DROP TABLE y' })).toThrow('tableNames.task');
  });
});

describe('taskChannel', () => {
  it("is q_ + the md5 of the id, as the SQL side's 'q_' || md5(task_id)", () => {
    expect(taskChannel('abc')).toBe('q_900150983cd24fb0d6963f7d28e17f72');
    expect(taskChannel('x'.repeat(155))).toHaveLength(34);
  });
});
