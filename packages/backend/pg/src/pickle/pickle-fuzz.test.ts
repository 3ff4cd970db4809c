import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SerializationError } from '@q/core';
import { decodePickle, encodePickle, isPickleTuple, pickleTuple } from './index.js';

/** What decoding gives back for a value encoded by q: tuples → arrays, safe bigints → numbers, undefined → null. */
function normal(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  if (typeof v === 'number') return Object.is(v, -0) ? 0 : v;
  if (v instanceof Uint8Array) return Uint8Array.from(v);
  if (isPickleTuple(v)) return v.items.map(normal);
  if (Array.isArray(v)) return v.map(normal);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normal(x)]));
  return v;
}

const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, undefined, true, false, 0, -0, NaN, Infinity, -Infinity, '', 'a', 'é'),
    fc.integer(),
    fc.maxSafeInteger(),
    fc.double(),
    fc.bigInt({ min: -(2n ** 2100n), max: 2n ** 2100n }),
    fc.string({ unit: 'binary' }),
    fc.string({ unit: fc.constantFrom('a', 'é', '€', '😀', '\ud800', '\udc00'), maxLength: 10 }),
    fc.uint8Array({ maxLength: 300 }),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.array(tie('value'), { maxLength: 5 }).map((items) => pickleTuple(items)),
    fc.dictionary(fc.string(), tie('value'), { maxKeys: 5 }),
  ),
}));

function onlyNamedErrors(run: () => unknown): void {
  try {
    run();
  } catch (err) {
    if (!(err instanceof SerializationError)) throw err;
    expect(['Q_ERR_DESERIALIZE_FAILED', 'Q_ERR_PICKLE_UNSAFE']).toContain(err.code);
    // thrown on purpose by the decoder, not an unexpected JS error wrapped by its safety net
    expect(err.cause).toBeUndefined();
  }
}

describe('pickle codec properties', () => {
  it('decode(encode(v)) is v in its plain-data form', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(decodePickle(encodePickle(v))).toEqual(normal(v));
      }),
      { numRuns: 400, seed: 19 },
    );
  });

  it('decoding random bytes returns or throws a SerializationError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, withHeader) => {
        onlyNamedErrors(() => decodePickle(withHeader ? Uint8Array.from([0x80, 0x05, ...bytes]) : bytes));
      }),
      { numRuns: 2000, seed: 19 },
    );
  });

  it('decoding random opcode streams returns or throws a SerializationError, nothing else', () => {
    const opcodes = [0x28, 0x2e, 0x30, 0x31, 0x32, 0x4e, 0x88, 0x89, 0x5d, 0x7d, 0x29, 0x8f, 0x61, 0x65, 0x73, 0x75, 0x90, 0x91, 0x6c, 0x64, 0x74, 0x85, 0x86, 0x87, 0x94, 0x68, 0x4b, 0x71];
    const step = fc.oneof(
      fc.constantFrom(...opcodes).map((op) => (op === 0x68 || op === 0x4b || op === 0x71 ? [op, 0] : [op])),
      fc.tuple(fc.constantFrom(0x68, 0x4b, 0x71), fc.integer({ min: 0, max: 8 })),
      fc.string({ maxLength: 4 }).map((s) => [0x8c, Buffer.byteLength(s), ...Buffer.from(s)]),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        onlyNamedErrors(() => decodePickle(Uint8Array.from([0x80, 0x05, ...steps.flat(), 0x2e])));
      }),
      { numRuns: 2000, seed: 19 },
    );
  });

  it('decoding mutated valid pickles (flip, truncate, insert) returns or throws a SerializationError', () => {
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    );
    fc.assert(
      fc.property(value, fc.array(mutation, { minLength: 1, maxLength: 4 }), (v, mutations) => {
        let bytes = Array.from(encodePickle(v));
        for (const m of mutations) {
          const at = m.at % (bytes.length + 1);
          if (m.kind === 'flip' && at < bytes.length) bytes[at] = (bytes[at] as number) ^ (1 << m.bit);
          else if (m.kind === 'truncate') bytes = bytes.slice(0, at);
          else if (m.kind === 'insert') bytes.splice(at, 0, m.byte);
        }
        onlyNamedErrors(() => decodePickle(Uint8Array.from(bytes)));
      }),
      { numRuns: 600, seed: 19 },
    );
  });
});
