import { describe, expect, it } from 'vitest';
import type { Message } from '../contracts/index.js';
import { ProtocolError, SerializationError } from '../errors/q-error.js';
import { jsonSerializer } from '../serialization/json-serializer.js';
import { createDefaultRegistry } from '../serialization/registry.js';
import { decodeTaskMessage, decodeTaskMessageNow } from './decode-task.js';
import { encodeTaskMessage, newTaskMessage } from './encode-task.js';

const registry = createDefaultRegistry();
const opts = { registry, accept: ['json'] as const };
const EMBED = { callbacks: null, errbacks: null, chain: null, chord: null };

function raw(body: unknown, headers: Record<string, unknown> = { task: 'capapp.add', id: 'id-1' }, contentType = 'application/json'): Message {
  return { body: jsonSerializer.encode(body), contentType, contentEncoding: 'utf-8', headers, properties: {} };
}

async function reason(message: Message): Promise<ProtocolError> {
  const err: unknown = await decodeTaskMessage(message, opts).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProtocolError);
  return err as ProtocolError;
}

describe('decodeTaskMessage', () => {
  it('accepts the minimal message a Python worker accepts (headers task + id only)', async () => {
    const msg = await decodeTaskMessage(raw([[20, 22], {}, EMBED]), opts);
    expect(msg).toMatchObject({
      id: 'id-1',
      name: 'capapp.add',
      args: [20, 22],
      retries: 0,
      timeLimit: [null, null],
      rootId: null,
      argsrepr: '(20, 22)',
      kwargsrepr: '{}',
      correlationId: 'id-1',
      replyTo: '',
      priority: 0,
      deliveryMode: 2,
      protocol: 2,
    });
  });

  it('round-trips what encodeTaskMessage produces, compressed or not', async () => {
    const original = newTaskMessage({ id: 'abc', name: 'x.y', args: [1, 'two'], kwargs: { k: [1n << 70n] }, extraHeaders: { stamp: 1 } });
    for (const codec of [null, registry.codecByName('gzip'), registry.codecByName('brotli')]) {
      const wire = await encodeTaskMessage(original, { serializer: jsonSerializer, codec });
      expect(wire.headers.compression).toBe(codec?.contentType);
      expect(await decodeTaskMessage(wire, opts)).toEqual(original);
    }
  });

  it('decodeTaskMessageNow decodes an uncompressed message without a promise, a compressed one with one', async () => {
    const original = newTaskMessage({ id: 'now', name: 'x.y', args: [1], kwargs: {} });
    const plain = decodeTaskMessageNow(await encodeTaskMessage(original, { serializer: jsonSerializer, codec: null }), opts);
    expect(plain).not.toBeInstanceOf(Promise);
    expect(plain).toEqual(original);
    const gzip = decodeTaskMessageNow(await encodeTaskMessage(original, { serializer: jsonSerializer, codec: registry.codecByName('gzip') }), opts);
    expect(gzip).toBeInstanceOf(Promise);
    expect(await gzip).toEqual(original);
    expect(() => decodeTaskMessageNow(raw(['nope', {}, EMBED]), opts)).toThrow(ProtocolError);
    expect(() => decodeTaskMessageNow(raw([[], {}, EMBED], { task: 'a', id: 'i' }, 'application/x-yaml'), opts)).toThrow(SerializationError);
  });

  it('rejects bodies that are not exactly [args, kwargs, embed], naming the problem', async () => {
    expect((await reason(raw([[1, 2], {}]))).message).toMatch(/body must be a 3-element array .*got an array of 2/);
    expect((await reason(raw({ foo: 1 }))).message).toMatch(/3-element array/);
    expect((await reason(raw(['nope', {}, EMBED]))).message).toMatch(/body\[0\] \(args\) must be an array/);
    expect((await reason(raw([[], [], EMBED]))).message).toMatch(/body\[1\] \(kwargs\) must be an object/);
    expect((await reason(raw([[], {}, null]))).message).toMatch(/embed\) must be an object/);
  });

  it('decodes a message whose embed signatures are malformed, noting why in embed.invalid (the worker fails that task)', async () => {
    const invalid = async (embed: Record<string, unknown>): Promise<string | undefined> =>
      (await decodeTaskMessage(raw([[], {}, { ...EMBED, ...embed }]), opts)).embed.invalid;
    expect(await invalid({ callbacks: 'x' })).toMatch(/embed "callbacks" must be an array/);
    expect(await invalid({ chain: [{ args: [] }] })).toMatch(/embed "chain"\[0\] has no "task"/);
    expect(await invalid({ chord: 5 })).toMatch(/embed "chord" must be a signature/);
    expect(await invalid({})).toBeUndefined();
  });

  it('rejects bad headers with the header name', async () => {
    const body = [[], {}, EMBED];
    expect((await reason(raw(body, { task: 'a' }))).message).toMatch(/header "id" must be a non-empty string/);
    expect((await reason(raw(body, { task: 5, id: 'i' }))).message).toMatch(/header "task" must be a non-empty string/);
    expect((await reason(raw(body, { task: 'a', id: 'i', retries: '1' }))).message).toMatch(/"retries" must be an integer/);
    expect((await reason(raw(body, { task: 'a', id: 'i', timelimit: [1] }))).message).toMatch(/"timelimit" must be \[hard, soft\]/);
    expect((await reason(raw(body, { task: 'a', id: 'i', eta: 123 }))).message).toMatch(/"eta" must be a string or null/);
    expect((await reason(raw(body, { task: 'a', id: 'i', ignore_result: 'yes' }))).message).toMatch(/"ignore_result" must be a boolean/);
    const err = await reason(raw(body, { task: 'a', id: 'i', retries: 1.5 }));
    expect(err.code).toBe('Q_ERR_MESSAGE_MALFORMED');
    expect(err.message).toContain(' i:');
  });

  it('rejects a message that is neither v2 nor v1 as Q_ERR_PROTOCOL_UNKNOWN', async () => {
    const err = await reason(raw([1, 2, 3], {}));
    expect(err.code).toBe('Q_ERR_PROTOCOL_UNKNOWN');
    expect(err.message).toMatch(/no "task" header/);
  });

  it('reads a hybrid message (v2 headers over a v1-style body)', async () => {
    const body = { task: 'from.body', id: 'body-id', args: [1], kwargs: { a: 2 }, retries: 3, callbacks: [{ task: 'cb', args: [] }] };
    const msg = await decodeTaskMessage(raw(body, { task: 'from.header', id: 'hdr-id', custom: true }), opts);
    expect(msg).toMatchObject({ name: 'from.header', id: 'hdr-id', args: [1], kwargs: { a: 2 }, retries: 3, extraHeaders: { custom: true } });
    expect(msg.embed.callbacks).toEqual([{ task: 'cb', args: [] }]);
  });

  it('checks accept before deserializing', async () => {
    const err: unknown = await decodeTaskMessage(raw([[], {}, EMBED], undefined, 'application/x-python-serialize'), opts).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SerializationError);
    expect((err as SerializationError).code).toBe('Q_ERR_CONTENT_TYPE_NOT_ACCEPTED');
    await expect(decodeTaskMessage(raw([[], {}, EMBED]), { registry, accept: ['application/json'] })).resolves.toMatchObject({ name: 'capapp.add' });
    await expect(decodeTaskMessage(raw([[], {}, EMBED]), { registry, accept: [] })).rejects.toThrow(/not accepted/);
  });

  it('reports undecodable bodies and unknown compression', async () => {
    const bad: Message = { ...raw(null), body: new TextEncoder().encode('[[1, 2], {}, {') };
    await expect(decodeTaskMessage(bad, opts)).rejects.toMatchObject({ code: 'Q_ERR_DESERIALIZE_FAILED' });
    const bz2: Message = { ...raw([[], {}, EMBED]), headers: { task: 'a', id: 'i', compression: 'application/x-bz2' } };
    await expect(decodeTaskMessage(bz2, opts)).rejects.toMatchObject({ code: 'Q_ERR_CODEC_UNKNOWN' });
  });

  it('does not carry transport-level headers into extraHeaders', async () => {
    const msg = await decodeTaskMessage(raw([[], {}, EMBED], { task: 'a', id: 'i', redelivered: true, x: 1 }), opts);
    expect(msg.extraHeaders).toEqual({ x: 1 });
  });
});
