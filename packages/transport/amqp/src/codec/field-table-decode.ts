/**
 * Reading AMQP field tables (see `field-table.ts` for the types and tags): every tag py-amqp, RabbitMQ or amqplib
 * writes. Made for the hot path (every delivery's headers): one cursor over the bytes, ASCII strings cut from the
 * table's latin1 text instead of being decoded one by one, and the keys of earlier tables reused.
 */

const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);
const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);

function int64(value: bigint): number | bigint {
  return value >= SAFE_MIN && value <= SAFE_MAX ? Number(value) : value;
}

/**
 * The table being decoded. Decoding is synchronous and does not call out, so one cursor serves every call: the
 * bytes, the offset, and the bytes as latin1 text (one character per byte, made on the first string), from
 * which an ASCII string is cut instead of being decoded on its own.
 */
const EMPTY = Buffer.alloc(0);
let bytes: Buffer = EMPTY;
let pos = 0;
let latin1: string | null = null;

/** V8 copies substrings shorter than this; longer ones would keep the whole table's text alive. */
const SLICE_MAX = 12;

/** The UTF-8 string in `bytes[start, end)`. */
function text(start: number, end: number): string {
  if (end - start <= SLICE_MAX) {
    let ascii = true;
    for (let i = start; i < end; i++) {
      if ((bytes[i] as number) > 0x7f) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      latin1 ??= bytes.toString('latin1');
      return latin1.slice(start, end);
    }
  }
  return bytes.toString('utf8', start, end);
}

/**
 * Keys decoded before, by a hash of their bytes: the same few keys come in every message (protocol 2 headers), and
 * a key found here costs neither a new string nor V8's lookup of a new property name. Keys up to
 * {@link KEY_CACHE_MAX} bytes; a slot holds the last key that hashed to it.
 */
const KEY_SLOTS = 512;
const KEY_CACHE_MAX = 32;
const keyBytes: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(KEY_SLOTS).fill(undefined);
const keyTexts: string[] = new Array<string>(KEY_SLOTS).fill('');

/** The key in `bytes[start, end)`. */
function key(start: number, end: number): string {
  const len = end - start;
  if (len > KEY_CACHE_MAX || end > bytes.length) return text(start, end);
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193);
  const slot = (h >>> 0) & (KEY_SLOTS - 1);
  const known = keyBytes[slot];
  if (known !== undefined && known.length === len) {
    let i = 0;
    while (i < len && known[i] === bytes[start + i]) i++;
    if (i === len) return keyTexts[slot] as string;
  }
  const k = text(start, end);
  keyBytes[slot] = Uint8Array.prototype.slice.call(bytes, start, end);
  keyTexts[slot] = k;
  return k;
}

/** Reads field-table contents (without the 4-byte length) into an object. */
export function decodeFields(slice: Buffer): Record<string, unknown> {
  bytes = slice;
  pos = 0;
  latin1 = null;
  try {
    return readTable(slice.length);
  } finally {
    bytes = EMPTY;
    latin1 = null;
  }
}

/** Reads key/value pairs up to `end`. */
function readTable(end: number): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  while (pos < end) {
    // `pos < end ≤ bytes.length`: the length byte is there.
    const len = bytes[pos] as number;
    pos++;
    const name = key(pos, pos + len);
    pos += len;
    const v = readValue();
    if (name === '__proto__') Object.defineProperty(fields, name, { value: v, enumerable: true, writable: true, configurable: true });
    else fields[name] = v;
  }
  return fields;
}

/** Reads one tagged value. */
function readValue(): unknown {
  const tag = bytes[pos] ?? 0;
  pos++;
  let v: unknown;
  switch (tag) {
    case 0x53: {
      // S
      const len = bytes.readUInt32BE(pos);
      pos += 4;
      v = text(pos, pos + len);
      pos += len;
      return v;
    }
    case 0x49: // I
      v = bytes.readInt32BE(pos);
      pos += 4;
      return v;
    case 0x4c: // L
    case 0x6c: // l
      v = int64(bytes.readBigInt64BE(pos));
      pos += 8;
      return v;
    case 0x74: // t
      v = bytes.readUInt8(pos) !== 0;
      pos++;
      return v;
    case 0x56: // V
      return null;
    case 0x64: // d
      v = bytes.readDoubleBE(pos);
      pos += 8;
      return v;
    case 0x46: {
      // F
      const len = bytes.readUInt32BE(pos);
      pos += 4;
      const end = pos + len;
      v = readTable(Math.min(end, bytes.length));
      pos = end;
      return v;
    }
    case 0x41: {
      // A
      const len = bytes.readUInt32BE(pos);
      pos += 4;
      const end = pos + len;
      const items: unknown[] = [];
      while (pos < end) items.push(readValue());
      return items;
    }
    case 0x62: // b
      v = bytes.readInt8(pos);
      pos++;
      return v;
    case 0x42: // B
      v = bytes.readUInt8(pos);
      pos++;
      return v;
    case 0x73: // s
    case 0x55: // U
      v = bytes.readInt16BE(pos);
      pos += 2;
      return v;
    case 0x75: // u
      v = bytes.readUInt16BE(pos);
      pos += 2;
      return v;
    case 0x69: // i
      v = bytes.readUInt32BE(pos);
      pos += 4;
      return v;
    case 0x66: // f
      v = bytes.readFloatBE(pos);
      pos += 4;
      return v;
    case 0x54: // T
      v = new Date(Number(bytes.readBigUInt64BE(pos)) * 1000);
      pos += 8;
      return v;
    case 0x44: {
      // D
      const places = bytes.readUInt8(pos);
      const digits = bytes.readInt32BE(pos + 1);
      pos += 5;
      return { '!': 'decimal', value: { places, digits } };
    }
    case 0x78: {
      // x
      const len = bytes.readUInt32BE(pos);
      pos += 4;
      v = Buffer.from(bytes.subarray(pos, pos + len));
      pos += len;
      return v;
    }
    default:
      throw new TypeError(`Unexpected type tag "${String.fromCharCode(tag)}"`);
  }
}

/** Decodes a table written by `encodeFieldTable` (or any length-prefixed field table). */
export function decodeFieldTable(table: Buffer): Record<string, unknown> {
  const len = table.readUInt32BE(0);
  return decodeFields(table.subarray(4, 4 + len));
}
