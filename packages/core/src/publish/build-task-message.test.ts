import { VECTORS_DIR } from '@q/test-services';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeTaskMessage } from '../protocol/encode-task.js';
import type { TaskMessage, WireSignature } from '../protocol/task-message.js';
import { jsonSerializer } from '../serialization/json-serializer.js';
import type { ApplyOptions } from '../task/types.js';
import { buildTaskMessage, type MessageContext, type MessageOptions } from './build-task-message.js';
import { signatureCall } from './signature-call.js';

const NOW = new Date('2026-11-22T02:39:02.295Z');

function context(over: Partial<MessageContext> = {}): MessageContext {
  return {
    origin: 'gen1@test',
    replyTo: 'oid-1',
    priority: null,
    defaults: { ignoreResult: false, expires: null },
    deliveryMode: 'persistent',
    timezone: 'UTC',
    now: NOW,
    ...over,
  };
}

const wire = (task: string, args: unknown[], options: Record<string, unknown> = {}, immutable = false): WireSignature => ({
  task, args, kwargs: {}, options, subtask_type: null, immutable,
});

/** The same call written as `applyAsync` options and as a signature's wire options. */
const CASES: [label: string, camel: ApplyOptions, snake: Record<string, unknown>][] = [
  ['no options', {}, {}],
  [
    'every message option',
    {
      countdown: 30, expires: 600, priority: 5, timeLimit: 60, softTimeLimit: 50, shadow: 'shadowname',
      headers: { custom_header: 'x' }, groupId: 'g-1', groupIndex: 2, replyTo: 'reply-here', ignoreResult: true,
      link: wire('t.mul', [10]), linkError: [wire('t.echo', ['errored'], {}, true)],
    },
    {
      countdown: 30, expires: 600, priority: 5, time_limit: 60, soft_time_limit: 50, shadow: 'shadowname',
      headers: { custom_header: 'x' }, group_id: 'g-1', group_index: 2, reply_to: 'reply-here', ignore_result: true,
      link: wire('t.mul', [10]), link_error: [wire('t.echo', ['errored'], {}, true)],
    },
  ],
  ['a countdown of 0 is no eta', { countdown: 0 }, { countdown: 0 }],
  ['a countdown of 0 leaves an explicit eta', { countdown: 0, eta: '2030-01-02T03:04:05+00:00' }, { countdown: 0, eta: '2030-01-02T03:04:05+00:00' }],
  ['absolute eta and expiry, naive ones in the app time zone', { eta: '2030-01-02T03:04:05', expires: '2026-11-22T02:49:02.295+00:00' }, { eta: '2030-01-02T03:04:05', expires: '2026-11-22T02:49:02.295+00:00' }],
  ['an expiry in the past', { expires: -5 }, { expires: -5 }],
];

describe('buildTaskMessage', () => {
  it.each(CASES)('%s: applyAsync options and a wire signature give the same message', (_label, camel, snake) => {
    const fromClient = buildTaskMessage({ name: 't.add', args: [2, 3], kwargs: { y: 1 }, options: { ...camel, taskId: 'id-1' }, context: context() });
    const sig: WireSignature = { task: 't.add', args: [3], kwargs: { y: 1 }, options: { ...snake, task_id: 'id-1' }, subtask_type: null, immutable: false };
    const fromSignature = buildTaskMessage({ ...signatureCall(sig, [2]), context: context() });
    expect(fromSignature).toEqual(fromClient);
  });

  it('maps each option to its header, property or embed field', () => {
    const [, camel] = CASES[1] as (typeof CASES)[number];
    const msg = buildTaskMessage({ name: 't.add', args: [2, 3], kwargs: {}, options: { ...camel, taskId: 'id-1' }, context: context({ priority: 5 }) });
    expect(msg).toMatchObject({
      id: 'id-1', correlationId: 'id-1', rootId: 'id-1', parentId: null, retries: 0, lang: 'js', origin: 'gen1@test',
      eta: '2026-11-22T02:39:32.295000+00:00', expires: '2026-11-22T02:49:02.295000+00:00', expiration: '600000',
      timeLimit: [60, 50], shadow: 'shadowname', groupId: 'g-1', groupIndex: 2, replyTo: 'reply-here', ignoreResult: true,
      priority: 5, deliveryMode: 2, extraHeaders: { custom_header: 'x' }, argsrepr: '(2, 3)', kwargsrepr: '{}',
    });
    expect(msg.embed).toEqual({ callbacks: [wire('t.mul', [10])], errbacks: [wire('t.echo', ['errored'], {}, true)], chain: null, chord: null });
  });

  it('reads times as Celery does: no eta for countdown 0, naive strings in the app zone, expiration never negative', () => {
    const build = (options: MessageOptions, timezone = 'UTC'): TaskMessage =>
      buildTaskMessage({ name: 't', args: [], kwargs: {}, options, context: context({ timezone }) });
    expect(build({ countdown: 0 }).eta).toBeNull();
    expect(build({ countdown: 0.5 }).eta).toBe('2026-11-22T02:39:02.795000+00:00');
    expect(build({ eta: '2030-01-02T03:04:05' }, 'Europe/Berlin').eta).toBe('2030-01-02T02:04:05+00:00');
    expect(build({ expires: -5 })).toMatchObject({ expires: '2026-11-22T02:38:57.295000+00:00', expiration: '0' });
    expect(build({ expires: new Date(NOW.getTime() + 1500) })).toMatchObject({ expiration: '1500' });
  });

  it('delivers persistent or transient as task.deliveryMode says', () => {
    const call = { name: 't', args: [], kwargs: {}, options: {} };
    expect(buildTaskMessage({ ...call, context: context({ deliveryMode: 'persistent' }) }).deliveryMode).toBe(2);
    expect(buildTaskMessage({ ...call, context: context({ deliveryMode: 'transient' }) }).deliveryMode).toBe(1);
  });

  it("takes the sender's parent, root, chain, retries and properties; explicit ids in the options win", () => {
    const chain = [wire('t.last', []), wire('t.next', [])];
    const ctx = context({ parentId: 'p', rootId: 'r', chain, retries: 2, argsrepr: '(...)', extraProperties: { x: 1 } });
    const msg = buildTaskMessage({ name: 't', args: [1], kwargs: {}, options: { taskId: 'c' }, context: ctx });
    expect(msg).toMatchObject({ parentId: 'p', rootId: 'r', retries: 2, argsrepr: '(...)', kwargsrepr: '{}', extraProperties: { x: 1 } });
    expect(msg.embed.chain).toEqual(chain);
    const own = buildTaskMessage({ name: 't', args: [], kwargs: {}, options: { parentId: 'P', rootId: 'R' }, context: ctx });
    expect([own.parentId, own.rootId]).toEqual(['P', 'R']);
  });

  it("adds the call's `properties` to the sender's (SQS FIFO's MessageGroupId), the call's winning", () => {
    const ctx = context({ extraProperties: { x: 1, MessageGroupId: 'old' } });
    const options = { properties: { MessageGroupId: 'orders', MessageDeduplicationId: 'd1' } };
    const msg = buildTaskMessage({ name: 't', args: [], kwargs: {}, options, context: ctx });
    expect(msg.extraProperties).toEqual({ x: 1, MessageGroupId: 'orders', MessageDeduplicationId: 'd1' });
  });

  it("takes argsrepr and kwargsrepr from the call's options (Celery's apply_async options), over the sender's", () => {
    const ctx = context({ argsrepr: '(...)' });
    const msg = buildTaskMessage({ name: 't', args: [16, 16], kwargs: { key: 's3cr3t' }, options: { argsrepr: '[16, 16]', kwargsrepr: "{'key': '***'}" }, context: ctx });
    expect([msg.argsrepr, msg.kwargsrepr]).toEqual(['[16, 16]', "{'key': '***'}"]);
    expect(buildTaskMessage({ name: 't', args: [16, 16], kwargs: {}, options: {}, context: context() }).argsrepr).toBe('(16, 16)');
  });

  it('fills in the task defaults for what the call leaves out', () => {
    const defaults = { ignoreResult: true, expires: 10 };
    const msg = buildTaskMessage({ name: 't', args: [], kwargs: {}, options: {}, context: context({ defaults }) });
    expect(msg).toMatchObject({ ignoreResult: true, expiration: '10000' });
    const own = buildTaskMessage({ name: 't', args: [], kwargs: {}, options: { ignoreResult: false, expires: 1 }, context: context({ defaults }) });
    expect(own).toMatchObject({ ignoreResult: false, expiration: '1000' });
  });

  it('names the option that is not a time', () => {
    const build = (options: MessageOptions) => () => buildTaskMessage({ name: 't', args: [], kwargs: {}, options, context: context() });
    expect(build({ countdown: Number.NaN })).toThrow('applyAsync options.countdown');
    expect(build({ eta: 'tomorrow' })).toThrow('applyAsync options.eta');
    expect(build({ expires: new Date(Number.NaN) })).toThrow('applyAsync options.expires');
  });
});

describe('signatureCall', () => {
  it('prepends to a mutable signature only, and leaves out wire options of the wrong type', () => {
    expect(signatureCall(wire('t', [1]), ['r']).args).toEqual(['r', 1]);
    expect(signatureCall(wire('t', [1], {}, true), ['r']).args).toEqual([1]);
    const { options } = signatureCall(wire('t', [], { countdown: '5', priority: null, task_id: 7, link: [], ignore_result: 1, queue: 'q', routing_key: 'k', exchange: 'x' }));
    expect(options).toEqual({ queue: 'q', routingKey: 'k', exchange: 'x' });
  });

  it('takes a chord body and a single link', () => {
    const body = wire('t.xsum', []);
    const { options } = signatureCall(wire('t', [], { chord: body, link: wire('t.cb', []) }));
    expect(options).toEqual({ chord: body, link: [wire('t.cb', [])] });
  });
});

interface Captured {
  envelope: { body: string; headers: Record<string, unknown>; properties: Record<string, unknown> };
}

const load = (name: string): Captured => JSON.parse(readFileSync(`${VECTORS_DIR}${name}`, 'utf8')) as Captured;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?\+00:00$/;

/**
 * Builds the message of a captured Python call (both as `applyAsync` options and as the signature Celery would
 * write), and compares it with what Celery 5.2.6 put on the wire: header names in order, every header value
 * (`eta`/`expires` to the millisecond, as q keeps no microseconds), the body bytes and the properties.
 */
async function expectLikeCelery(
  file: string,
  index: number | null,
  call: { name: string; args: unknown[]; kwargs?: Record<string, unknown>; camel: MessageOptions; snake: Record<string, unknown>; now?: Date; context?: Partial<MessageContext> },
): Promise<void> {
  const raw = JSON.parse(readFileSync(`${VECTORS_DIR}${file}`, 'utf8')) as Captured | Captured[];
  const captured = index === null ? (raw as Captured) : ((raw as Captured[])[index] as Captured);
  const { headers, properties, body } = captured.envelope;
  const ctx = context({
    origin: headers.origin as string,
    replyTo: properties.reply_to as string,
    now: call.now ?? NOW,
    ...call.context,
  });
  const kwargs = call.kwargs ?? {};
  const id = headers.id as string;
  const messages = [
    buildTaskMessage({ name: call.name, args: call.args, kwargs, options: { ...call.camel, taskId: id }, context: ctx }),
    buildTaskMessage({ ...signatureCall({ task: call.name, args: call.args, kwargs, options: { ...call.snake, task_id: id }, subtask_type: null, immutable: false }), context: ctx }),
  ];
  for (const msg of messages) {
    const wireMsg = await encodeTaskMessage(msg, { serializer: jsonSerializer });
    expect(Object.keys(wireMsg.headers)).toEqual(Object.keys(headers));
    for (const [key, value] of Object.entries(headers)) {
      if (key === 'lang') expect(wireMsg.headers.lang).toBe('js');
      else if ((key === 'eta' || key === 'expires') && value !== null) {
        expect(wireMsg.headers[key]).toMatch(ISO);
        expect(Date.parse(wireMsg.headers[key] as string)).toBe(Math.floor(Date.parse(value as string)));
      } else expect([key, wireMsg.headers[key]]).toEqual([key, value]);
    }
    expect(Buffer.from(wireMsg.body).toString('base64')).toBe(body);
    expect(wireMsg.properties).toMatchObject({
      correlationId: properties.correlation_id,
      replyTo: properties.reply_to,
      deliveryMode: properties.delivery_mode,
      priority: properties.priority,
    });
    expect(wireMsg.properties.expiration).toBe(properties.expiration);
  }
}

/** The `now` of a Python call whose eta was `countdown` seconds after it (to the millisecond). */
const before = (iso: string, seconds: number): Date => new Date(Math.floor(Date.parse(iso)) - seconds * 1000);

describe('buildTaskMessage matches the messages Celery 5.2.6 sent', () => {
  it('apply_async((2, 3), countdown=30, expires=600, priority=5, time_limit=60, soft_time_limit=50, link, link_error, shadow, headers)', async () => {
    const eta = load('task-v2-alloptions.json').envelope.headers.eta as string;
    const link = wire('capapp.mul', [10]);
    const linkError = wire('capapp.echo', ['errored'], {}, true);
    await expectLikeCelery('task-v2-alloptions.json', null, {
      name: 'capapp.add',
      args: [2, 3],
      camel: { countdown: 30, expires: 600, priority: 5, timeLimit: 60, softTimeLimit: 50, link, linkError, shadow: 'shadowname', headers: { custom_header: 'x' } },
      snake: { countdown: 30, expires: 600, priority: 5, time_limit: 60, soft_time_limit: 50, link: [link], link_error: [linkError], shadow: 'shadowname', headers: { custom_header: 'x' } },
      now: before(eta, 30),
      context: { priority: 5 },
    });
  });

  it('apply_async((1, 1), eta=datetime(2030, 1, 2, 3, 4, 5, tzinfo=utc))', async () => {
    await expectLikeCelery('task-v2-eta.json', null, {
      name: 'capapp.add', args: [1, 1], camel: { eta: new Date('2030-01-02T03:04:05Z') }, snake: { eta: '2030-01-02T03:04:05+00:00' },
    });
  });

  it('apply_async(args=(4,), kwargs={"y": 5})', async () => {
    await expectLikeCelery('task-v2-kwargs.json', null, { name: 'capapp.add', args: [4], kwargs: { y: 5 }, camel: {}, snake: {} });
  });

  it('the first message of chain(add.s(1, 2), add.s(3), mul.s(4)): the rest of the chain in the embed', async () => {
    const { body } = load('task-v2-chain-first.json').envelope;
    const embed = (JSON.parse(Buffer.from(body, 'base64').toString('utf8')) as [unknown, unknown, { chain: WireSignature[] }])[2];
    await expectLikeCelery('task-v2-chain-first.json', null, { name: 'capapp.add', args: [1, 2], camel: {}, snake: {}, context: { chain: embed.chain } });
  });

  it.each([0, 1])('chord header member %i: group, group index and the chord body', async (index) => {
    const [captured] = (JSON.parse(readFileSync(`${VECTORS_DIR}task-v2-chord-header.json`, 'utf8')) as Captured[]).slice(index);
    if (!captured) throw new Error(`task-v2-chord-header.json has no message ${index}`);
    const { headers, body } = captured.envelope;
    const [args, , embed] = JSON.parse(Buffer.from(body, 'base64').toString('utf8')) as [unknown[], unknown, { chord: WireSignature }];
    const groupId = headers.group as string;
    const groupIndex = headers.group_index as number;
    await expectLikeCelery('task-v2-chord-header.json', index, {
      name: 'capapp.add', args, camel: { groupId, groupIndex, chord: embed.chord }, snake: { group_id: groupId, group_index: groupIndex, chord: embed.chord },
    });
  });

  it('beat: an entry with options {"expires": 10}', async () => {
    const { headers } = load('task-v2-beat-sent.json').envelope;
    // Python's `send_task` writes a list repr (`[16, 16]`); q always writes a tuple repr, so this one is kept.
    await expectLikeCelery('task-v2-beat-sent.json', null, {
      name: 'capapp.add', args: [16, 16], camel: { expires: 10 }, snake: { expires: 10 },
      now: before(headers.expires as string, 10), context: { argsrepr: headers.argsrepr as string },
    });
  });

  it('a retry (retrier.delay(42) → self.retry(countdown=1)): retries 1, parent_id = its own id, the same root', async () => {
    const { headers } = load('task-v2-retry.json').envelope;
    const id = headers.id as string;
    await expectLikeCelery('task-v2-retry.json', null, {
      name: 'capapp.retrier', args: [42], camel: { countdown: 1 }, snake: { countdown: 1 },
      now: before(headers.eta as string, 1), context: { parentId: id, rootId: id, retries: 1 },
    });
  });
});
