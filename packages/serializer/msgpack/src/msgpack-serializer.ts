/**
 * kombu's `msgpack` serializer (`application/x-msgpack`, content encoding `binary`): `msgpack.packb(value,
 * use_bin_type=True)` and `msgpack.unpackb(bytes, raw=False)`, with `@msgpack/msgpack`.
 */
import { Decoder, Encoder, ExtensionCodec, decodeTimestampExtension } from '@msgpack/msgpack';
import { SerializationError, type Serializer } from '@q/core';

/** msgpack's timestamp extension type. */
const TIMESTAMP_EXT = -1;

/** Thrown by the extension codec when a value holds a bigint: the value is then encoded by {@link encodeWide}. */
const HAS_BIGINT = Symbol('has bigint');

/**
 * Dates: Python's `packb` refuses a `datetime` (kombu's msgpack has no date rule), so encoding a `Date` fails here
 * too rather than sending what a Python worker receives as a `msgpack.Timestamp`. A timestamp from another writer
 * is read as a `Date`.
 */
const extensionCodec = new ExtensionCodec();
extensionCodec.register({
  type: TIMESTAMP_EXT,
  encode(input: unknown) {
    if (typeof input === 'bigint') throw HAS_BIGINT;
    if (input instanceof Date) {
      throw new SerializationError(
        'Q_ERR_SERIALIZE_FAILED',
        "msgpack: cannot serialize a Date (kombu's msgpack serializer has no date type either): pass date.toISOString()",
      );
    }
    return null;
  },
  decode: (data: Uint8Array) => decodeTimestampExtension(data),
});

// `ignoreUndefined`: an `undefined` member is left out, as `json` does. Integers are written in the smallest
// msgpack int format, 64-bit ones included, as Python's `packb` does.
const encoder = new Encoder({ extensionCodec, ignoreUndefined: true });
// For values holding bigints: `useBigInt64` writes a bigint as int64/uint64 but a number beyond 32 bits as a
// float, so {@link widen} first turns such numbers into bigints and safe bigints into numbers.
const wideEncoder = new Encoder({ extensionCodec, ignoreUndefined: true, useBigInt64: true });
// `useBigInt64`: 64-bit integers are read exactly; {@link toNumbers} turns those within the safe range into
// numbers, as `json` does.
const decoder = new Decoder({ extensionCodec, useBigInt64: true });

const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);
const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const isPlain = (v: object): boolean => {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
};

/** A copy of `value` with safe bigints as numbers and integers beyond 32 bits as bigints. */
function widen(value: unknown): unknown {
  if (typeof value === 'bigint') return value <= SAFE_MAX && value >= SAFE_MIN ? Number(value) : value;
  if (typeof value === 'number') {
    return Number.isSafeInteger(value) && (value > 0xffffffff || value < -0x80000000) ? BigInt(value) : value;
  }
  if (Array.isArray(value)) return value.map(widen);
  if (value !== null && typeof value === 'object' && isPlain(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = widen(v);
    return out;
  }
  return value;
}

/** Encode a value holding bigints. */
function encodeWide(value: unknown): Uint8Array {
  return wideEncoder.encode(widen(value));
}

/** Replace bigints within `Number.MAX_SAFE_INTEGER` by numbers, in place. */
function toNumbers(value: unknown): unknown {
  if (typeof value === 'bigint') return value <= SAFE_MAX && value >= SAFE_MIN ? Number(value) : value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = toNumbers(value[i]);
  } else if (value !== null && typeof value === 'object' && isPlain(value)) {
    const rec = value as Record<string, unknown>;
    for (const key of Object.keys(rec)) rec[key] = toNumbers(rec[key]);
  }
  return value;
}

const reasonOf = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause));

/**
 * The `msgpack` serializer, interoperable with kombu's (Python `msgpack`).
 *
 * | q | msgpack | Python (kombu) |
 * |---|---|---|
 * | `string` | str | `str` |
 * | `number` (integer / other) | int / float 64 | `int` / `float` |
 * | `bigint` | int 64 | `int` |
 * | `Uint8Array` (`Buffer`) | bin | `bytes` |
 * | array, plain object | array, map | `list`, `dict` |
 * | `Date` | refused (`Q_ERR_SERIALIZE_FAILED`) | `packb` refuses `datetime` |
 *
 * Decoding gives integers beyond `Number.MAX_SAFE_INTEGER` as `bigint`, `bin` as `Uint8Array`, a timestamp
 * extension as `Date`.
 */
export const msgpackSerializer: Serializer = {
  name: 'msgpack',
  contentType: 'application/x-msgpack',
  contentEncoding: 'binary',
  encode(value: unknown): Uint8Array {
    try {
      try {
        return encoder.encode(value);
      } catch (error) {
        if (error !== HAS_BIGINT) throw error;
        return encodeWide(value);
      }
    } catch (cause) {
      if (cause instanceof SerializationError) throw cause;
      throw new SerializationError('Q_ERR_SERIALIZE_FAILED', `msgpack: cannot serialize: ${reasonOf(cause)}`, { cause });
    }
  },
  decode(bytes: Uint8Array): unknown {
    try {
      return toNumbers(decoder.decode(bytes));
    } catch (cause) {
      throw new SerializationError('Q_ERR_DESERIALIZE_FAILED', `msgpack: cannot parse body: ${reasonOf(cause)}`, { cause });
    }
  },
};
