import { describe, expect, it } from 'vitest';
import { kombuTopicPattern, topicMatches } from './topic-match.js';

describe('topicMatches (AMQP topic semantics)', () => {
  it.each([
    ['task.*', 'task.sent', true],
    ['task.*', 'task.multi.part', false],
    ['task.*', 'task', false],
    ['task.#', 'task', true],
    ['task.#', 'task.multi.part', true],
    ['#', 'anything.at.all', true],
    ['#', '', true],
    ['*.orange.*', 'quick.orange.rabbit', true],
    ['*.orange.*', 'orange.rabbit', false],
    ['#.rabbit', 'quick.orange.rabbit', true],
    ['a.#.z', 'a.z', true],
    ['a.#.z', 'a.b.c.z', true],
    ['a.#.z', 'a.b.c', false],
    ['celery', 'celery', true],
    ['celery', 'celeryx', false],
  ])('%s vs %s → %s', (pattern, key, expected) => {
    expect(topicMatches(pattern, key)).toBe(expected);
  });
});

describe('kombuTopicPattern', () => {
  it('writes the regular expression kombu stores for topic bindings', () => {
    expect(kombuTopicPattern('worker.#')).toBe('^worker\\..*?$');
    expect(kombuTopicPattern('task.*')).toBe('^task\\..*?[^\\.]$');
    expect(kombuTopicPattern('a+b.c')).toBe('^a\\+b\\.c$');
  });
});
