/**
 * AMQP field tables (message headers, declare and consume arguments, client properties), written the way
 * py-amqp writes them and read the way py-amqp, RabbitMQ and amqplib write them (spec §3.2, pitfall 2).
 *
 * Encoding (what Python receives):
 * - an integer (a `number` without a fractional part, or a `bigint`) in ±2147483647 → `I` (signed 32-bit), else
 *   `L` (signed 64-bit, py-amqp's reading) — never amqplib's automatic `b`/`s`/`l`, which py-amqp misreads
 *   (`b`, `l` unsigned; `s` a short *string*). JavaScript cannot tell `2.0` from `2`: a whole number goes out
 *   as an integer, exactly as Python's `int` would. A number with a fraction and integers beyond 64 bits go out
 *   as `d` (double); `NaN`, `±Infinity` (RabbitMQ's parser fails on them and closes the connection) and a `bigint`
 *   beyond 64 bits are errors.
 * - string → `S`, boolean → `t`, `null` (and `undefined` inside arrays) → `V`, array → `A`, plain object → `F`
 *   (keys whose value is `undefined` are left out), `Date` → `T` (whole seconds), `Uint8Array` → `x`.
 * - amqplib's typed values `{ '!': type, value }` (`'int'`, `'long'`, `'timestamp'`, `'decimal'`, …) keep
 *   amqplib's meaning, so values read from the wire round-trip.
 *
 * Decoding: every tag py-amqp or RabbitMQ writes. `L` and `l` are both signed 64-bit (py-amqp writes `L`,
 * RabbitMQ and amqplib write `l`); 64-bit values outside `Number.MAX_SAFE_INTEGER` become `bigint` (as core's
 * JSON parser does for big integers), all other integers are numbers. `T` becomes a `Date`, `x` a `Buffer`,
 * `D` amqplib's `{ '!': 'decimal', value: { places, digits } }`, `s` and `U` signed 16-bit, `b` signed 8-bit.
 *
 * `encodeTable` and `decodeFields` (in `field-table-decode.ts`) have the signatures of amqplib's `lib/codec.js`,
 * which q's private copy of amqplib uses instead of its own (see `amqplib-loader.ts`).
 */

export { decodeFieldTable, decodeFields } from './field-table-decode.js';

const INT32_MAX = 2147483647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
/** 2^63 as a double: numbers at or above it (or below -2^63) do not fit `L`. */
const TWO_63 = 9223372036854775808;

/** A typed value, amqplib's trapdoor for choosing a wire type. */
interface TypedValue {
  '!': string;
  value: unknown;
}

function checkSpace(buffer: Buffer, offset: number, size: number): void {
  if (offset + size > buffer.length) {
    throw new RangeError(`Encoded field table (headers or arguments) exceeds the ${buffer.length} byte encoding buffer`);
  }
}

function isTyped(value: object): value is TypedValue {
  return Object.hasOwn(value, '!') && typeof (value as { '!': unknown })['!'] === 'string';
}

/**
 * Writes `value` as a field table (4-byte length, then key/value pairs) into `buffer` at `offset`; returns the
 * number of bytes written. Keys are read with `for…in` (amqplib passes tables whose prototype holds the values).
 */
export function encodeTable(buffer: Buffer, value: object, offset: number): number {
  const start = offset;
  checkSpace(buffer, offset, 4);
  offset += 4;
  const table = value as Record<string, unknown>;
  for (const key in table) {
    const v = table[key];
    if (v === undefined) continue;
    offset = encodeKey(buffer, key, offset);
    offset += encodeValue(buffer, v, offset, key);
  }
  buffer.writeUInt32BE(offset - start - 4, start);
  return offset - start;
}

/**
 * Writes the characters of `text` at `offset` if they are all ASCII (one byte each, the common case, without a
 * call into the runtime); returns false, having written part of them, if one is not. The caller checked the space.
 */
function writeAscii(buffer: Buffer, text: string, offset: number): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return false;
    buffer[offset + i] = c;
  }
  return true;
}

/** Writes a key (a short string: 1-byte length, then UTF-8); returns the offset after it. */
function encodeKey(buffer: Buffer, key: string, offset: number): number {
  let len = key.length;
  if (len > 255 || offset + 1 + len > buffer.length || !writeAscii(buffer, key, offset + 1)) {
    len = Buffer.byteLength(key);
    if (len > 255) throw new TypeError(`Field table key "${key.slice(0, 40)}…" is longer than 255 bytes`);
    checkSpace(buffer, offset, 1 + len);
    buffer.write(key, offset + 1, 'utf8');
  }
  buffer[offset] = len;
  return offset + 1 + len;
}

function encodeArray(buffer: Buffer, values: readonly unknown[], offset: number, path: string): number {
  const start = offset;
  checkSpace(buffer, offset, 4);
  offset += 4;
  for (let i = 0; i < values.length; i++) offset += encodeValue(buffer, values[i] ?? null, offset, `${path}[${i}]`);
  buffer.writeUInt32BE(offset - start - 4, start);
  return offset - start;
}

function tagged(buffer: Buffer, offset: number, tag: string, size: number): number {
  checkSpace(buffer, offset, 1 + size);
  buffer[offset] = tag.charCodeAt(0);
  return offset + 1;
}

function encodeInteger(buffer: Buffer, value: bigint, offset: number, path: string): number {
  if (value >= -BigInt(INT32_MAX) && value <= BigInt(INT32_MAX)) {
    buffer.writeInt32BE(Number(value), tagged(buffer, offset, 'I', 4));
    return 5;
  }
  if (value < INT64_MIN || value > INT64_MAX) throw new RangeError(`${path}: integer ${value} does not fit a signed 64-bit header value`);
  buffer.writeBigInt64BE(value, tagged(buffer, offset, 'L', 8));
  return 9;
}

function encodeNumber(buffer: Buffer, value: number, offset: number, path: string): number {
  if (Number.isInteger(value) && value >= -TWO_63 && value < TWO_63) {
    if (value >= -INT32_MAX && value <= INT32_MAX) {
      buffer.writeInt32BE(value, tagged(buffer, offset, 'I', 4));
      return 5;
    }
    return encodeInteger(buffer, BigInt(value), offset, path);
  }
  // RabbitMQ cannot read a non-finite double: its parser fails and the whole connection is closed (541 INTERNAL_ERROR).
  if (!Number.isFinite(value)) throw new RangeError(`${path}: ${value} cannot be sent as an AMQP header value (RabbitMQ closes the connection on it)`);
  buffer.writeDoubleBE(value, tagged(buffer, offset, 'd', 8));
  return 9;
}

function encodeValue(buffer: Buffer, value: unknown, offset: number, path: string): number {
  switch (typeof value) {
    case 'string': {
      // ASCII (one byte a character) is written directly; a string that is not is written again as UTF-8.
      let len = value.length;
      let at = tagged(buffer, offset, 'S', 4 + len);
      if (!writeAscii(buffer, value, at + 4)) {
        len = Buffer.byteLength(value, 'utf8');
        at = tagged(buffer, offset, 'S', 4 + len);
        buffer.write(value, at + 4, 'utf8');
      }
      buffer.writeUInt32BE(len, at);
      return 5 + len;
    }
    case 'number':
      return encodeNumber(buffer, value, offset, path);
    case 'bigint':
      return encodeInteger(buffer, value, offset, path);
    case 'boolean':
      buffer.writeUInt8(value ? 1 : 0, tagged(buffer, offset, 't', 1));
      return 2;
    case 'undefined':
      tagged(buffer, offset, 'V', 0);
      return 1;
    case 'object':
      return encodeObject(buffer, value, offset, path);
    default:
      throw new TypeError(`${path}: a ${typeof value} cannot be sent in an AMQP field table`);
  }
}

function encodeObject(buffer: Buffer, value: object | null, offset: number, path: string): number {
  if (value === null) {
    tagged(buffer, offset, 'V', 0);
    return 1;
  }
  if (Array.isArray(value)) {
    tagged(buffer, offset, 'A', 0);
    return 1 + encodeArray(buffer, value, offset + 1, path);
  }
  if (value instanceof Date) {
    const ms = value.getTime();
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`${path}: invalid or negative date cannot be sent as an AMQP timestamp`);
    buffer.writeBigUInt64BE(BigInt(Math.floor(ms / 1000)), tagged(buffer, offset, 'T', 8));
    return 9;
  }
  if (value instanceof Uint8Array) {
    const at = tagged(buffer, offset, 'x', 4 + value.length);
    buffer.writeUInt32BE(value.length, at);
    buffer.set(value, at + 4);
    return 5 + value.length;
  }
  if (isTyped(value)) return encodeTyped(buffer, value, offset, path);
  tagged(buffer, offset, 'F', 0);
  return 1 + encodeTable(buffer, value, offset + 1);
}

/** amqplib's typed values, with amqplib's tags (so what its decoder and ours return can be sent back). */
function encodeTyped(buffer: Buffer, typed: TypedValue, offset: number, path: string): number {
  const v = typed.value;
  const num = (): number => {
    if (typeof v !== 'number' && typeof v !== 'bigint') throw new TypeError(`${path}: typed value '${typed['!']}' needs a number`);
    return Number(v);
  };
  switch (typed['!']) {
    case 'string':
    case 'boolean':
    case 'object':
    case 'number':
      return encodeValue(buffer, v, offset, path);
    case 'double':
    case 'float64':
      buffer.writeDoubleBE(num(), tagged(buffer, offset, 'd', 8));
      return 9;
    case 'float':
      buffer.writeFloatBE(num(), tagged(buffer, offset, 'f', 4));
      return 5;
    case 'byte':
    case 'int8':
      buffer.writeInt8(num(), tagged(buffer, offset, 'b', 1));
      return 2;
    case 'unsignedbyte':
    case 'uint8':
      buffer.writeUInt8(num(), tagged(buffer, offset, 'B', 1));
      return 2;
    case 'short':
    case 'int16':
      buffer.writeInt16BE(num(), tagged(buffer, offset, 's', 2));
      return 3;
    case 'unsignedshort':
    case 'uint16':
      buffer.writeUInt16BE(num(), tagged(buffer, offset, 'u', 2));
      return 3;
    case 'int':
    case 'int32':
      buffer.writeInt32BE(num(), tagged(buffer, offset, 'I', 4));
      return 5;
    case 'unsignedint':
    case 'uint32':
      buffer.writeUInt32BE(num(), tagged(buffer, offset, 'i', 4));
      return 5;
    case 'long':
    case 'int64':
      buffer.writeBigInt64BE(BigInt(v as number | bigint), tagged(buffer, offset, 'l', 8));
      return 9;
    case 'timestamp':
      buffer.writeBigUInt64BE(BigInt(v as number | bigint), tagged(buffer, offset, 'T', 8));
      return 9;
    case 'decimal': {
      const d = v as { places?: unknown; digits?: unknown } | null;
      const places = d?.places;
      const digits = d?.digits;
      if (typeof places !== 'number' || typeof digits !== 'number' || places < 0 || places > 255 || !Number.isInteger(digits)) {
        throw new TypeError(`${path}: decimal value must be { places: 0..255, digits: int32 }`);
      }
      const at = tagged(buffer, offset, 'D', 5);
      buffer.writeUInt8(places, at);
      if (digits < 0) buffer.writeInt32BE(digits, at + 1);
      else buffer.writeUInt32BE(digits, at + 1);
      return 6;
    }
    default:
      throw new TypeError(`${path}: unknown typed value '${typed['!']}'`);
  }
}

/** Encodes `table` on its own (4-byte length + contents), for tests and tools. */
export function encodeFieldTable(table: Record<string, unknown>, maxBytes = 65_536): Buffer {
  const scratch = Buffer.alloc(maxBytes);
  const size = encodeTable(scratch, table, 0);
  return Buffer.from(scratch.subarray(0, size));
}
