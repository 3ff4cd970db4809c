import { readVector } from '@q/test-services';
import { BackendError, type TaskMeta } from '@q/core';
import { describe, expect, it } from 'vitest';
import { chordOutcome, chordScore, decodeChordMember, encodeChordMember } from './chord-members.js';

const zadd = readVector<{ command: string[] }>('redis-chord-join-zadd.json');

const meta = (taskId: string, status: string, result: unknown): TaskMeta => ({
  taskId,
  status,
  result,
  traceback: null,
  children: [],
  dateDone: null,
});

describe('chord members', () => {
  it('encodes [1, id, state, result] exactly as Celery ZADDs it, score = group_index', () => {
    const [, , score, member] = zadd.command;
    const id = '6a79cde6-cb4a-42c1-b77b-13fe7c640e4a';
    expect(encodeChordMember({ taskId: id, meta: meta(id, 'SUCCESS', 2) })).toBe(member);
    expect(chordScore(0)).toBe(score);
    expect(chordScore(null)).toBe('+inf');
  });

  it('encodes an exception result as its dict and decodes it back', () => {
    const exc = { exc_type: 'ValueError', exc_message: ['bad'], exc_module: 'builtins' };
    const text = encodeChordMember({ taskId: 't', meta: meta('t', 'FAILURE', exc) });
    expect(text).toBe('[1, "t", "FAILURE", {"exc_type": "ValueError", "exc_message": ["bad"], "exc_module": "builtins"}]');
    expect(decodeChordMember(text)).toEqual({ taskId: 't', state: 'FAILURE', result: exc });
  });

  it('rejects members that are not [1, id, state, result]', () => {
    expect(() => decodeChordMember('nope')).toThrow(BackendError);
    expect(() => decodeChordMember('[1, "id", "SUCCESS"]')).toThrow(/not \[1, id, state, result\]/);
  });

  it('returns results in order and the first FAILURE or REVOKED member', () => {
    const members = [
      { taskId: 'a', state: 'SUCCESS', result: 1 },
      { taskId: 'b', state: 'REVOKED', result: { exc_type: 'TaskRevokedError' } },
      { taskId: 'c', state: 'FAILURE', result: { exc_type: 'ValueError' } },
    ];
    const outcome = chordOutcome(members);
    expect(outcome.results).toEqual([1, { exc_type: 'TaskRevokedError' }, { exc_type: 'ValueError' }]);
    expect(outcome.failed?.taskId).toBe('b');
    expect(chordOutcome(members.slice(0, 1)).failed).toBeNull();
  });
});
