import { VECTORS_DIR } from '@q/test-services';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  bindingKey,
  bindingMember,
  fanoutChannel,
  fanoutPattern,
  parseBindingMember,
  priorityStep,
  queueListName,
  reserveKeys,
  resolveFanoutPrefix,
  type KeyNaming,
} from './keys.js';

const VECTORS = VECTORS_DIR.replace(/\/$/, '');
const naming: KeyNaming = { prefix: '', sep: '\x06\x16', fanoutPrefix: '/15.', fanoutPatterns: true };

describe('priority lists', () => {
  it('maps priorities to the list keys Python used (vector redis-priority-list-keys.json)', () => {
    const rows = JSON.parse(readFileSync(`${VECTORS}/redis-priority-list-keys.json`, 'utf8')) as { list_key: string; 'properties.priority': number }[];
    expect(rows.length).toBeGreaterThan(5);
    for (const row of rows) expect(queueListName('celery', row['properties.priority'])).toBe(row.list_key);
  });

  it('clamps and steps', () => {
    expect([-3, 0, 2, 3, 5, 6, 8, 9, 42, Number.NaN].map(priorityStep)).toEqual([0, 0, 0, 3, 3, 6, 6, 9, 9, 0]);
  });

  it('orders reserve keys by step, then by queue', () => {
    const { keys, queueOf } = reserveKeys({ ...naming, prefix: 'p:' }, ['a', 'b']);
    expect(keys).toEqual(['p:a', 'p:b', 'p:a\x06\x163', 'p:b\x06\x163', 'p:a\x06\x166', 'p:b\x06\x166', 'p:a\x06\x169', 'p:b\x06\x169']);
    expect(queueOf).toEqual(['a', 'b', 'a', 'b', 'a', 'b', 'a', 'b']);
  });
});

describe('bindings and fanout (vector redis-bindings-and-subscriptions.txt)', () => {
  const trace = readFileSync(`${VECTORS}/redis-bindings-and-subscriptions.txt`, 'utf8').replace(/\\\\x06\\\\x16/g, '\x06\x16');

  it('writes the binding members Python wrote', () => {
    expect(trace).toContain(`"SADD" "${bindingKey(naming, 'celery')}" "${bindingMember(naming, { routingKey: 'celery', pattern: '', queue: 'celery' })}"`);
    expect(trace).toContain(`"SADD" "${bindingKey(naming, 'celery.pidbox')}" "${bindingMember(naming, { routingKey: '', pattern: '', queue: 'w1@cap.celery.pidbox' })}"`);
    const member = bindingMember(naming, { routingKey: 'worker.#', pattern: '', queue: 'celeryev.x' });
    expect(parseBindingMember(naming, member)).toEqual({ routingKey: 'worker.#', pattern: '', queue: 'celeryev.x' });
    expect(parseBindingMember(naming, 'garbage')).toBeNull();
  });

  it('subscribes to the channels Python subscribed to', () => {
    expect(trace).toContain(`"PSUBSCRIBE" "${fanoutPattern(naming, 'celery.pidbox', '')}"`);
    expect(trace).toContain(`"PSUBSCRIBE" "${fanoutPattern(naming, 'celeryev', 'worker.#')}"`);
    expect(fanoutChannel(naming, 'celeryev', 'task.multi')).toBe('/15.celeryev/task.multi');
    expect(fanoutChannel({ ...naming, fanoutPatterns: false }, 'celeryev', 'task.multi')).toBe('/15.celeryev');
    expect(fanoutChannel({ ...naming, prefix: 'app:' }, 'celery.pidbox', '')).toBe('app:/15.celery.pidbox');
  });

  it('resolves fanout_prefix like kombu', () => {
    expect(resolveFanoutPrefix(undefined, 3)).toBe('/3.');
    expect(resolveFanoutPrefix(true, 3)).toBe('/3.');
    expect(resolveFanoutPrefix(false, 3)).toBe('');
    expect(resolveFanoutPrefix('custom.', 3)).toBe('custom.');
  });

  it("reads fanout_prefix's on/off words (as a URL query gives them); any other string is the prefix itself", () => {
    for (const off of ['false', 'False', 'FALSE', 'no', 'off', '0', 'n', 'f', ' Off ', 0]) expect(resolveFanoutPrefix(off, 3)).toBe('');
    for (const on of ['true', 'True', 'yes', 'ON', '1', 'y', 't', ' yes ', 1]) expect(resolveFanoutPrefix(on, 3)).toBe('/3.');
    expect(resolveFanoutPrefix('/proj.', 3)).toBe('/proj.');
    expect(resolveFanoutPrefix('nope', 3)).toBe('nope');
    expect(resolveFanoutPrefix('', 3)).toBe('');
    expect(resolveFanoutPrefix(null, 3)).toBe('/3.');
    expect(resolveFanoutPrefix(7, 3)).toBe('/3.');
  });
});
