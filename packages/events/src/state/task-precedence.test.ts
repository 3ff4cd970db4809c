import { describe, expect, it } from 'vitest';
import { READY_STATES, stateOfSubject, statePrecedence, takesState } from './task-precedence.js';

describe('task precedence', () => {
  it('maps event subjects to Celery states, and unknown subjects to upper-cased custom states', () => {
    expect(stateOfSubject('sent')).toBe('PENDING');
    expect(stateOfSubject('received')).toBe('RECEIVED');
    expect(stateOfSubject('succeeded')).toBe('SUCCESS');
    expect(stateOfSubject('failed')).toBe('FAILURE');
    expect(stateOfSubject('retried')).toBe('RETRY');
    expect(stateOfSubject('progress')).toBe('PROGRESS');
    expect(stateOfSubject('constructor')).toBe('CONSTRUCTOR');
  });

  it("orders states as Celery's PRECEDENCE list, custom states between FAILURE and REVOKED", () => {
    const order = ['SUCCESS', 'FAILURE', 'PROGRESS', 'REVOKED', 'STARTED', 'RECEIVED', 'REJECTED', 'RETRY', 'PENDING'];
    const indexes = order.map(statePrecedence);
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
    expect(new Set(indexes).size).toBe(order.length);
  });

  it('a later state takes over; an earlier one arriving late does not; RETRY always does', () => {
    expect(takesState('STARTED', 'RECEIVED')).toBe(true);
    expect(takesState('RECEIVED', 'SUCCESS')).toBe(false);
    expect(takesState('SUCCESS', 'SUCCESS')).toBe(true);
    expect(takesState('RETRY', 'STARTED')).toBe(true);
    expect(takesState('RECEIVED', 'RETRY')).toBe(true);
  });

  it('SUCCESS, FAILURE and REVOKED are ready', () => {
    expect([...READY_STATES].sort()).toEqual(['FAILURE', 'REVOKED', 'SUCCESS']);
  });
});
