/**
 * Decode and re-encode every captured Celery 5.2.6 task message (`tools/test-services/vectors/task-*.json`, copied from the spec's `shared/spec/vectors/`).
 */
import { VECTORS_DIR } from '@q/test-services';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { jsonSerializer } from '../serialization/json-serializer.js';
import { createDefaultRegistry } from '../serialization/registry.js';
import { decodeTaskMessage } from './decode-task.js';
import { encodeTaskMessage } from './encode-task.js';
import { decodeEnvelope, encodeEnvelope } from './envelope.js';
import { pyJsonStringify } from './python-json.js';

const VECTORS = VECTORS_DIR;
const load = (name: string): unknown => JSON.parse(readFileSync(`${VECTORS}${name}`, 'utf8'));

interface Captured {
  envelope: Record<string, unknown>;
  decoded_body: unknown;
}

const cases: [string, Captured][] = readdirSync(VECTORS)
  .filter((f) => /^task-v2-.*\.json$/.test(f) && f !== 'task-v2-body-add.json')
  .flatMap((f) => {
    const v = load(f) as Captured | Captured[];
    return Array.isArray(v) ? v.map((c, i): [string, Captured] => [`${f}#${i}`, c]) : [[f, v] as [string, Captured]];
  });
const registry = createDefaultRegistry();
const opts = { registry, accept: ['json'] };

describe('captured task messages', () => {
  it('resolves the vectors folder', () => {
    expect(VECTORS.endsWith('/tools/test-services/vectors/')).toBe(true);
    expect(cases.length).toBeGreaterThanOrEqual(11);
  });

  it.each(cases)('%s: decodes as v2 and re-encodes byte-identically', async (_name, captured) => {
    const payload = pyJsonStringify(captured.envelope);
    const env = decodeEnvelope(payload);
    const msg = await decodeTaskMessage(env.message, opts);
    const headers = captured.envelope.headers as Record<string, unknown>;
    const [args, kwargs, embed] = captured.decoded_body as [unknown[], Record<string, unknown>, Record<string, unknown>];
    expect(msg.protocol).toBe(2);
    expect(msg.name).toBe(headers.task);
    expect(msg.id).toBe(headers.id);
    expect(msg.args).toEqual(args);
    expect(msg.kwargs).toEqual(kwargs);
    expect(msg.embed).toEqual(embed);
    expect(msg.rootId).toBe(headers.root_id);
    expect(msg.lang).toBe('py');

    const again = await encodeTaskMessage(msg, { serializer: jsonSerializer });
    expect(Buffer.from(again.body).toString('base64')).toBe(captured.envelope.body);
    expect(Object.keys(again.headers)).toEqual(Object.keys(headers));
    expect(encodeEnvelope(again, { exchange: env.exchange, routingKey: env.routingKey, deliveryTag: env.deliveryTag })).toBe(payload);
  });

  it('reads every header field of the all-options message', async () => {
    const captured = load('task-v2-alloptions.json') as Captured;
    const msg = await decodeTaskMessage(decodeEnvelope(pyJsonStringify(captured.envelope)).message, opts);
    expect(msg).toMatchObject({
      shadow: 'shadowname',
      eta: '2026-11-22T02:39:32.295378+00:00',
      expires: '2026-11-22T02:49:02.295378+00:00',
      timeLimit: [60, 50],
      priority: 5,
      expiration: '600000',
      extraHeaders: { custom_header: 'x' },
      replyTo: 'bb653c99-c390-3f57-997e-954391537131',
      argsrepr: '(2, 3)',
      origin: 'gen10703@vm',
    });
    expect(msg.embed.callbacks?.[0]?.task).toBe('capapp.mul');
    expect(msg.embed.errbacks?.[0]?.immutable).toBe(true);
  });

  it('keeps unknown properties of a retried message (replaced_task_nesting, origin)', async () => {
    const captured = load('task-v2-retry.json') as Captured;
    const msg = await decodeTaskMessage(decodeEnvelope(pyJsonStringify(captured.envelope)).message, opts);
    expect(msg.retries).toBe(1);
    expect(msg.parentId).toBe(msg.id);
    expect(msg.extraProperties).toEqual({ replaced_task_nesting: 0, origin: 'gen11177@vm' });
  });

  it('decodes the protocol v1 message into the v2 model', async () => {
    const captured = load('task-v1-add.json') as Captured;
    const env = decodeEnvelope(pyJsonStringify(captured.envelope));
    const msg = await decodeTaskMessage(env.message, opts);
    expect(msg).toMatchObject({
      protocol: 1,
      name: 'capapp.add',
      id: '0e4fde39-afc3-4e3e-a4c4-39414fd3f9ae',
      args: [2, 3],
      kwargs: {},
      eta: '2026-11-22T02:39:27.427976+00:00',
      expires: '2026-11-22T02:40:17.427976+00:00',
      groupId: null,
      retries: 0,
      timeLimit: [null, null],
      argsrepr: '[2, 3]',
      kwargsrepr: '{}',
      expiration: '60000',
      correlationId: '0e4fde39-afc3-4e3e-a4c4-39414fd3f9ae',
    });
    expect(msg.embed).toEqual({
      callbacks: [{ task: 'capapp.mul', args: [2], kwargs: {}, options: {}, subtask_type: null, immutable: false }],
      errbacks: null,
      chain: null,
      chord: null,
    });
  });

  it('decodes the captured body of add(2, 3)', () => {
    const body = load('task-v2-body-add.json');
    const text = readFileSync(`${VECTORS}redis-envelope-add.raw.txt`, 'utf8').trim();
    const env = decodeEnvelope(text);
    expect(jsonSerializer.decode(env.message.body)).toEqual(body);
  });
});
