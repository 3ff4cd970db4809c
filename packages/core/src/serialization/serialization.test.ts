import * as zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { Codec } from '../contracts/index.js';
import { SerializationError } from '../errors/q-error.js';
import { MAX_DECOMPRESSED_BYTES, brotliCodec, zlibCodec, zstdCodec } from './codecs.js';
import { jsonSerializer } from './json-serializer.js';
import { SerializerRegistry, createDefaultRegistry } from './registry.js';

const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('jsonSerializer', () => {
  it('encodes Python-formatted UTF-8 JSON and decodes Python output', () => {
    expect(text(jsonSerializer.encode({ a: [1, 'é'] }))).toBe('{"a": [1, "\\u00e9"]}');
    expect(jsonSerializer.decode(bytes('{"x": NaN, "n": 123456789012345678901}'))).toEqual({ x: NaN, n: 123456789012345678901n });
    expect(jsonSerializer.decode(bytes('"tëxt"'))).toBe('tëxt');
  });

  it('fails with Q_ERR_DESERIALIZE_FAILED on bad input', () => {
    for (const bad of [bytes('{"a": '), new Uint8Array([0xff, 0xfe])]) {
      let err: unknown;
      try {
        jsonSerializer.decode(bad);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SerializationError);
      expect((err as SerializationError).code).toBe('Q_ERR_DESERIALIZE_FAILED');
    }
  });
});

describe('codecs', () => {
  const payload = bytes(JSON.stringify({ data: 'x'.repeat(1000) }));
  const available: Codec[] = [zlibCodec, brotliCodec, ...(zstdCodec() ? [zstdCodec() as Codec] : [])];

  it.each(available.map((c) => [c.name, c] as const))('%s round-trips and actually compresses', async (_n, codec) => {
    const packed = await codec.encode(payload);
    expect(packed.length).toBeLessThan(payload.length / 5);
    expect(await codec.decode(packed)).toEqual(payload);
  });

  it('application/x-gzip is zlib framing (Python zlib.compress), and decoding also takes real gzip', async () => {
    // base64 of Python zlib.compress(b'[[2, 3], {}, {"callbacks": null}]') and gzip.compress(b'hello', mtime=0)
    const fromPython = Buffer.from('eJyLjjbSUTCO1VGorgVipeTEnJykxOTsYiUrhbzSnJzaWACl4wqj', 'base64');
    expect(text(await zlibCodec.decode(fromPython))).toBe('[[2, 3], {}, {"callbacks": null}]');
    expect(text(await zlibCodec.decode(Buffer.from('H4sIAAAAAAACA8tIzcnJBwCGphA2BQAAAA==', 'base64')))).toBe('hello');
    expect((await zlibCodec.encode(payload))[0]).toBe(0x78);
  });

  it.each(available.map((c) => [c.name, c] as const))(
    '%s refuses a decompression bomb (a body expanding past MAX_DECOMPRESSED_BYTES) and still decodes one at the limit',
    async (_n, codec) => {
      // Packed at the fastest level (the codecs' own encode at brotli's default quality takes seconds for 128 MiB).
      const fast = (size: number): Uint8Array => {
        const zeros = new Uint8Array(size);
        if (codec.name === 'zlib') return zlib.deflateSync(zeros, { level: 1 });
        if (codec.name === 'brotli') return zlib.brotliCompressSync(zeros, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 1 } });
        return (zlib as unknown as { zstdCompressSync: (b: Uint8Array) => Uint8Array }).zstdCompressSync(zeros);
      };
      expect((await codec.decode(fast(MAX_DECOMPRESSED_BYTES))).length).toBe(MAX_DECOMPRESSED_BYTES);
      const bomb = fast(MAX_DECOMPRESSED_BYTES + 1);
      expect(bomb.length).toBeLessThan(1024 * 1024); // a small message
      await expect(codec.decode(bomb)).rejects.toMatchObject({ code: 'ERR_BUFFER_TOO_LARGE' });
    },
    30_000,
  );

  it('rejects corrupt input', async () => {
    await expect(zlibCodec.decode(bytes('not compressed'))).rejects.toThrow();
    await expect(brotliCodec.decode(bytes('not compressed'))).rejects.toThrow();
  });
});

describe('SerializerRegistry', () => {
  const registry = createDefaultRegistry();

  it('looks up serializers by name and content type', () => {
    expect(registry.byName('json')).toBe(jsonSerializer);
    expect(registry.byContentType('application/json')).toBe(jsonSerializer);
    expect(registry.byContentType('Application/JSON; charset=utf-8')).toBe(jsonSerializer);
    expect(registry.names()).toEqual(['json']);
  });

  it('names the known serializers when one is unknown', () => {
    expect(() => registry.byName('pickle')).toThrow(/unknown serializer "pickle"; known: json/);
    expect(() => registry.byName('pickle')).toThrow(expect.objectContaining({ code: 'Q_ERR_SERIALIZER_UNKNOWN' }) as Error);
    expect(() => registry.byContentType('application/x-yaml')).toThrow(/application\/x-yaml/);
  });

  it('finds codecs by name, kombu alias and content type', () => {
    expect(registry.codecByName('zlib')).toBe(zlibCodec);
    expect(registry.codecByName('gzip')).toBe(zlibCodec);
    expect(registry.codecByContentType('application/x-gzip')).toBe(zlibCodec);
    expect(registry.codecByName('brotli')).toBe(brotliCodec);
    expect(registry.codecByContentType('application/x-brotli')).toBe(brotliCodec);
  });

  it('gives Q_ERR_CODEC_UNKNOWN naming kombu codecs Node cannot do', () => {
    for (const [name, ct] of [
      ['bzip2', 'application/x-bz2'],
      ['lzma', 'application/x-lzma'],
      ['xz', 'application/x-lzma'],
    ] as const) {
      expect(() => registry.codecByName(name)).toThrow(new RegExp(`codec "${name}" \\(${ct.replace('/', '\\/')}\\): kombu's`));
      expect(() => registry.codecByContentType(ct)).toThrow(expect.objectContaining({ code: 'Q_ERR_CODEC_UNKNOWN' }) as Error);
    }
    if (!zstdCodec()) expect(() => registry.codecByName('zstd')).toThrow(/application\/zstd.*not available/);
    expect(() => registry.codecByName('snappy')).toThrow(/unknown compression; available: zlib \(application\/x-gzip\), brotli/);
  });

  it('checks accept lists of names and content types as kombu does', () => {
    expect(registry.isAccepted('application/json', ['json'])).toBe(true);
    expect(registry.isAccepted('application/json', ['application/json'])).toBe(true);
    expect(registry.isAccepted('application/x-python-serialize', ['json'])).toBe(false);
    expect(registry.isAccepted('application/x-python-serialize', ['pickle'])).toBe(true);
    expect(registry.isAccepted('application/x-msgpack', ['json', 'msgpack'])).toBe(true);
    expect(registry.isAccepted('', ['json'])).toBe(false);
  });

  it('takes plugin serializers and codecs', async () => {
    const r = new SerializerRegistry();
    const upper: Codec = { name: 'rev', contentType: 'application/x-rev', encode: async (b) => b.slice().reverse(), decode: async (b) => b.slice().reverse() };
    r.registerCodec(upper, ['reverse']);
    expect(r.codecByName('reverse')).toBe(upper);
    expect(r.codecNames()).toEqual(['rev']);
    expect(() => r.byName('json')).toThrow(/known: \(none\)/);
    r.register(jsonSerializer);
    expect(r.isAccepted('application/json', ['json'])).toBe(true);
    expect(text(await upper.encode(bytes('ab')))).toBe('ba');
  });
});
