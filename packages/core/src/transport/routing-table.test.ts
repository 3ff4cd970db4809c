import { describe, expect, it } from 'vitest';
import { PRIORITY_STEPS, priorityStep } from './priority-steps.js';
import { RoutingTable, routeQueues, storedBinding } from './routing-table.js';

describe('routeQueues', () => {
  const bindings = [
    storedBinding('direct', 'celery', 'q1'),
    storedBinding('direct', 'other', 'q2'),
    storedBinding('direct', 'celery', 'q1'),
    storedBinding('direct', 'celery', 'q3'),
  ];

  it('direct: exact key, each queue once, in binding order', () => {
    expect(routeQueues('direct', bindings, 'celery')).toEqual(['q1', 'q3']);
    expect(routeQueues('direct', bindings, 'nope')).toEqual([]);
  });

  it('fanout: every bound queue whatever the key', () => {
    expect(routeQueues('fanout', bindings, 'ignored')).toEqual(['q1', 'q2', 'q3']);
  });

  it('topic: wildcards; headers exchanges route nowhere', () => {
    const topic = [storedBinding('topic', 'worker.#', 'w'), storedBinding('topic', 'task.*', 't')];
    expect(routeQueues('topic', topic, 'worker.heartbeat')).toEqual(['w']);
    expect(routeQueues('topic', topic, 'task.sent')).toEqual(['t']);
    expect(routeQueues('headers', topic, 'task.sent')).toEqual([]);
  });
});

describe('storedBinding', () => {
  it('has an empty pattern for direct/fanout and kombu regex for topic', () => {
    expect(storedBinding('direct', 'celery', 'celery')).toEqual({ routingKey: 'celery', pattern: '', queue: 'celery' });
    expect(storedBinding('topic', 'worker.#', 'ev').pattern).toBe('^worker\\..*?$');
  });
});

describe('RoutingTable', () => {
  it('keeps bindings per exchange, without duplicates', () => {
    const table = new RoutingTable();
    table.bind('ex', storedBinding('direct', 'k', 'q'));
    table.bind('ex', storedBinding('direct', 'k', 'q'));
    table.bind('other', storedBinding('direct', 'k', 'q2'));
    expect(table.bindings('ex')).toEqual([{ routingKey: 'k', pattern: '', queue: 'q' }]);
    expect(table.bindings('none')).toEqual([]);
  });
});

describe('priorityStep', () => {
  it("maps 0–9 to kombu's steps and clamps the rest", () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, -3, Number.NaN].map(priorityStep)).toEqual([0, 0, 0, 3, 3, 3, 6, 6, 6, 9, 9, 0, 0]);
    expect(PRIORITY_STEPS).toEqual([0, 3, 6, 9]);
  });
});
