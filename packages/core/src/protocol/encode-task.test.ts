import { describe, expect, it } from 'vitest';
import { jsonSerializer } from '../serialization/json-serializer.js';
import { zlibCodec } from '../serialization/codecs.js';
import { encodeTaskMessage, newTaskMessage } from './encode-task.js';
import { originName } from './ids.js';

describe('newTaskMessage', () => {
  it('fills Celery defaults', () => {
    const msg = newTaskMessage({ id: 'id-1', name: 'capapp.add', args: [2, 3] });
    expect(msg).toEqual({
      id: 'id-1',
      name: 'capapp.add',
      args: [2, 3],
      kwargs: {},
      embed: { callbacks: null, errbacks: null, chain: null, chord: null },
      shadow: null,
      eta: null,
      expires: null,
      groupId: null,
      groupIndex: null,
      retries: 0,
      timeLimit: [null, null],
      rootId: 'id-1',
      parentId: null,
      argsrepr: '(2, 3)',
      kwargsrepr: '{}',
      origin: originName(),
      ignoreResult: false,
      lang: 'js',
      extraHeaders: {},
      replyTo: '',
      correlationId: 'id-1',
      priority: 0,
      deliveryMode: 2,
      expiration: null,
      extraProperties: {},
      protocol: 2,
    });
    expect(newTaskMessage({ id: 'a', name: 'n', rootId: null }).rootId).toBeNull();
    expect(newTaskMessage({ id: 'a', name: 'n', kwargs: { y: 5 } }).kwargsrepr).toBe("{'y': 5}");
  });
});

describe('encodeTaskMessage', () => {
  it('writes headers in Python order with custom headers last, and AMQP-style properties', async () => {
    const msg = newTaskMessage({
      id: 'id-1',
      name: 'capapp.add',
      args: [2, 3],
      timeLimit: [60, 50],
      expiration: '600000',
      priority: 5,
      replyTo: 'oid',
      extraHeaders: { custom_header: 'x', retries: 7 },
      extraProperties: { replaced_task_nesting: 0 },
    });
    const wire = await encodeTaskMessage(msg, { serializer: jsonSerializer });
    expect(Object.keys(wire.headers)).toEqual([
      'lang', 'task', 'id', 'shadow', 'eta', 'expires', 'group', 'group_index', 'retries', 'timelimit',
      'root_id', 'parent_id', 'argsrepr', 'kwargsrepr', 'origin', 'ignore_result', 'custom_header',
    ]);
    expect(wire.headers.retries).toBe(7);
    expect(wire.headers.timelimit).toEqual([60, 50]);
    expect(wire.properties).toEqual({
      correlationId: 'id-1',
      replyTo: 'oid',
      deliveryMode: 2,
      priority: 5,
      expiration: '600000',
      extra: { replaced_task_nesting: 0 },
    });
    expect(wire.contentType).toBe('application/json');
    expect(wire.contentEncoding).toBe('utf-8');
    expect(new TextDecoder().decode(wire.body)).toBe('[[2, 3], {}, {"callbacks": null, "errbacks": null, "chain": null, "chord": null}]');
    expect(wire.headers.compression).toBeUndefined();
  });

  it('compresses with a codec and names it in the compression header (last)', async () => {
    const wire = await encodeTaskMessage(newTaskMessage({ id: 'i', name: 'n' }), { serializer: jsonSerializer, codec: zlibCodec });
    expect(Object.keys(wire.headers).at(-1)).toBe('compression');
    expect(wire.headers.compression).toBe('application/x-gzip');
    expect(wire.body[0]).toBe(0x78); // zlib framing, as Python's zlib.compress
    expect(new TextDecoder().decode(await zlibCodec.decode(wire.body))).toMatch(/^\[\[\], \{\}, /);
  });
});
