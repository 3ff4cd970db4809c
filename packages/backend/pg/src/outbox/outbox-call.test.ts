import { ConfigError, SerializationError } from '@q/core';
import { runAsTask } from '@q/core/internal';
import { describe, expect, it } from 'vitest';
import { decodeCall, encodeCall, freezeCall } from './outbox-call.js';

const now = new Date('2026-01-02T03:04:05.000Z');
const context = { replyTo: 'client-oid', now };

describe('freezeCall', () => {
  it('fixes a task id and the reply queue', () => {
    const call = freezeCall('tasks.add', [1, 2], { z: 3 }, {}, context);
    expect(call.taskId).toMatch(/^[0-9a-f-]{36}$/);
    expect(call).toEqual({ taskId: call.taskId, name: 'tasks.add', args: [1, 2], kwargs: { z: 3 }, options: { taskId: call.taskId, replyTo: 'client-oid' } });
  });

  it('keeps a given task id and reply queue', () => {
    const call = freezeCall('t', [], {}, { taskId: 'mine', replyTo: 'other' }, context);
    expect(call.options).toEqual({ taskId: 'mine', replyTo: 'other' });
  });

  it('turns a countdown into an eta from now (countdown wins, 0 means now)', () => {
    expect(freezeCall('t', [], {}, { countdown: 10, eta: new Date(0) }, context).options.eta).toBe('2026-01-02T03:04:15+00:00');
    expect(freezeCall('t', [], {}, { countdown: 0 }, context).options.eta).toBeUndefined();
    expect(freezeCall('t', [], {}, { eta: now }, context).options.eta).toBe('2026-01-02T03:04:05+00:00');
    expect(freezeCall('t', [], {}, { eta: '2030-01-01T00:00:00' }, context).options.eta).toBe('2030-01-01T00:00:00');
  });

  it('turns a relative expiry, or the task default, into a time', () => {
    expect(freezeCall('t', [], {}, { expires: 60 }, context).options.expires).toBe('2026-01-02T03:05:05+00:00');
    expect(freezeCall('t', [], {}, {}, { ...context, defaults: { expires: 1 } }).options.expires).toBe('2026-01-02T03:04:06+00:00');
    expect(freezeCall('t', [], {}, { expires: '2030-01-01T00:00:00Z' }, { ...context, defaults: { expires: 1 } }).options.expires).toBe('2030-01-01T00:00:00Z');
  });

  it("pins the task's ignoreResult and serializer unless the call sets them", () => {
    const defaults = { expires: null, ignoreResult: true, serializer: 'msgpack' };
    expect(freezeCall('t', [], {}, {}, { ...context, defaults }).options).toMatchObject({ ignoreResult: true, serializer: 'msgpack' });
    expect(freezeCall('t', [], {}, { ignoreResult: false, serializer: 'json' }, { ...context, defaults }).options).toMatchObject({ ignoreResult: false, serializer: 'json' });
  });

  it('stores links as wire signatures', () => {
    const link = { toWire: () => ({ task: 'tasks.cb', args: [1], kwargs: {}, options: {}, subtask_type: null, immutable: false }) };
    const call = freezeCall('t', [], {}, { link, linkError: [{ task: 'tasks.err', args: [], kwargs: {}, options: {}, subtask_type: null, immutable: false }] }, context);
    expect(call.options.link).toEqual([{ task: 'tasks.cb', args: [1], kwargs: {}, options: {}, subtask_type: null, immutable: false }]);
    expect(call.options.linkError?.[0]?.task).toBe('tasks.err');
  });

  it('links the call to the task running now', () => {
    const call = runAsTask({ id: 'parent', rootId: 'root', children: [] }, () => freezeCall('t', [], {}, {}, context));
    expect(call.options).toMatchObject({ parentId: 'parent', rootId: 'root' });
  });

  it.each([{ countdown: Number.NaN }, { expires: Infinity }, { eta: new Date(Number.NaN) }])('refuses %j', (options) => {
    expect(() => freezeCall('t', [], {}, options, context)).toThrow(ConfigError);
  });
});

describe('encodeCall / decodeCall', () => {
  it('round-trips what JSON carries, big integers and key order included', () => {
    const call = freezeCall('tasks.x', [2n ** 70n, 1.5, 'é', null, [true]], { b: 1, a: { d: 2, c: 3 } }, { queue: 'q', headers: { h: 1 }, priority: 3 }, context);
    const text = encodeCall(call);
    const back = decodeCall(call.taskId, call.name, text);
    expect(back).toEqual(call);
    expect(Object.keys(back.kwargs)).toEqual(['b', 'a']);
  });

  it('refuses a value JSON cannot carry with a SerializationError', () => {
    const call = freezeCall('t', [() => 1], {}, {}, context);
    expect(() => encodeCall(call)).toThrow(SerializationError);
  });

  it.each(['not json', '[1,2]', '{"args": [], "kwargs": []}'])('refuses payload %s', (payload) => {
    let error: unknown;
    try {
      decodeCall('id', 't', payload);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SerializationError);
    expect((error as SerializationError).code).toBe('Q_ERR_DESERIALIZE_FAILED');
  });
});
