/**
 * The field-table codec against bytes py-amqp 5.1.1 produced (`amqp.serialization.dumps('F', [table])`), both
 * ways, and against the encodings amqplib would pick on its own (which py-amqp misreads).
 */
import { describe, expect, it } from 'vitest';
import { decodeFieldTable, decodeFields, encodeFieldTable } from './field-table.js';

const hex = (h: string): Buffer => Buffer.from(h, 'hex');

/** Tables and the exact bytes py-amqp writes for them. */
const PY_AMQP: { table: Record<string, unknown>; bytes: string }[] = [
  { table: { timelimit: [300, 200] }, bytes: '000000190974696d656c696d6974410000000a490000012c49000000c8' },
  { table: { big: 1099511627776 }, bytes: '0000000d036269674c0000010000000000' },
  {
    table: { neg: -5, neg_big: -1099511627776, min32: -2147483647, min32m1: -2147483648, max32: 2147483647, max32p1: 2147483648 },
    bytes:
      '00000052036e656749fffffffb076e65675f6269674cffffff0000000000056d696e33324980000001076d696e33326d314cffffffff80000000' +
      '056d61783332497fffffff076d6178333270314c0000000080000000',
  },
  {
    table: { retries: 0, eta: null, ok: true, f: 1.5, s: 'hé', nested: { a: [1, [2, null]], b: {} } },
    bytes:
      '00000056077265747269657349000000000365746156026f6b74010166643ff80000000000000173530000000368c3a9066e6573746564460000001e' +
      '016141000000104900000001410000000649000000025601624600000000',
  },
];

describe('field tables', () => {
  it.each(PY_AMQP)('encodes $table byte for byte as py-amqp does', ({ table, bytes }) => {
    expect(encodeFieldTable(table).toString('hex')).toBe(bytes);
  });

  it.each(PY_AMQP)('decodes py-amqp bytes of $table', ({ table, bytes }) => {
    expect(decodeFieldTable(hex(bytes))).toEqual(table);
  });

  it('reads 64-bit values outside the safe range as bigint (L from Python, l from RabbitMQ), others as numbers', () => {
    // py-amqp: {'unsafe': 2**53 + 1, 'i64min': -2**63, 'i64max': 2**63 - 1}
    const py = '0000003006756e736166654c0020000000000001066936346d696e4c8000000000000000066936346d61784c7fffffffffffffff';
    expect(decodeFieldTable(hex(py))).toEqual({ unsafe: 9007199254740993n, i64min: -(2n ** 63n), i64max: 2n ** 63n - 1n });
    // `l` (what RabbitMQ writes, e.g. x-death count) is signed, like `L`.
    expect(decodeFields(hex('01786cfffffffffffffffe'))).toEqual({ x: -2 });
    expect(encodeFieldTable({ unsafe: 9007199254740993n, i64min: -(2n ** 63n), i64max: 2n ** 63n - 1n }).toString('hex')).toBe(py);
  });

  it('never emits amqplib\'s automatic b / s / l for integers', () => {
    // amqplib alone: 30 → b (py-amqp: unsigned), 300 → s (py-amqp: short string, FrameSyntaxError), 2**40 → l (unsigned).
    const bytes = encodeFieldTable({ a: 30, b: -1, c: 300, d: -300, e: 2 ** 40, f: -(2 ** 40) });
    const tags = [...bytes.toString('latin1').matchAll(/[a-f]([A-Za-z])/g)].map((m) => m[1]);
    expect(tags).toEqual(['I', 'I', 'I', 'I', 'L', 'L']);
  });

  it('sends whole numbers as integers, fractions as doubles, huge numbers as doubles', () => {
    expect(encodeFieldTable({ x: 2.0 }).toString('hex')).toBe('0000000701784900000002');
    expect(decodeFieldTable(encodeFieldTable({ x: 2.5, h: 1e30, m: -1e300 }))).toEqual({ x: 2.5, h: 1e30, m: -1e300 });
    // 2^60 is exact in a double and fits L.
    expect(decodeFieldTable(encodeFieldTable({ x: 2 ** 60 }))).toEqual({ x: 2n ** 60n });
  });

  it('refuses NaN and ±Infinity, naming the header (RabbitMQ closes the connection on a non-finite double)', () => {
    expect(() => encodeFieldTable({ n: Number.NaN })).toThrow(RangeError);
    expect(() => encodeFieldTable({ a: { b: [1, Infinity] } })).toThrow(/Infinity cannot be sent/);
    expect(() => encodeFieldTable({ i: -Infinity })).toThrow(/-Infinity/);
  });

  it('round-trips every other type (T as Date, x as bytes, undefined keys dropped, undefined in arrays as null)', () => {
    const when = new Date('2024-01-02T03:04:05Z');
    const table = { when, bytes: Buffer.from([1, 2, 3]), skip: undefined, list: [undefined, 'a'], deep: { k: [{ v: false }] } };
    expect(decodeFieldTable(encodeFieldTable(table))).toEqual({ when, bytes: Buffer.from([1, 2, 3]), list: [null, 'a'], deep: { k: [{ v: false }] } });
  });

  it('keeps amqplib\'s typed values and reads the tags it writes', () => {
    const typed = encodeFieldTable({ b: { '!': 'byte', value: -3 }, s: { '!': 'short', value: -300 }, l: { '!': 'long', value: -7 }, u: { '!': 'uint16', value: 65535 } });
    expect(typed.toString('latin1')).toContain('\x01bb');
    expect(decodeFieldTable(typed)).toEqual({ b: -3, s: -300, l: -7, u: 65535 });
    const dec = { '!': 'decimal', value: { places: 2, digits: -150 } };
    expect(decodeFieldTable(encodeFieldTable({ dec }))).toEqual({ dec });
  });

  it('reads the prototype of a table (amqplib wraps headers with Object.create) and keeps __proto__ as a plain key', () => {
    const headers = Object.create({ inherited: 1 }) as Record<string, unknown>;
    headers['own'] = 2;
    expect(decodeFieldTable(encodeFieldTable(headers))).toEqual({ own: 2, inherited: 1 });
    const evil = decodeFields(hex('095f5f70726f746f5f5f490000000a'));
    expect(Object.getPrototypeOf(evil)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(evil, '__proto__')?.value).toBe(10);
  });

  it('writes ASCII and non-ASCII keys and strings alike as UTF-8, long ones too', () => {
    const table = { clé: 'valeur é', k: 'x'.repeat(300), ['ü'.repeat(100)]: '中文 😀', ascii: 'plain', empty: '' };
    const bytes = encodeFieldTable(table);
    expect(decodeFieldTable(bytes)).toEqual(table);
    // Byte for byte: a key is its UTF-8 length then its UTF-8 bytes, a string `S`, its 4-byte length, its bytes.
    expect(bytes.subarray(4, 4 + 5).toString('hex')).toBe(`04${Buffer.from('clé').toString('hex')}`);
    expect(bytes.subarray(9, 9 + 14).toString('hex')).toBe(`5300000009${Buffer.from('valeur é').toString('hex')}`);
    // A key of 100 'ü' is 200 bytes: still a short string; 128 'ü' would be 256, too long.
    expect(() => encodeFieldTable({ ['ü'.repeat(128)]: 1 })).toThrow(/longer than 255 bytes/);
  });

  it('reads keys seen before as themselves and keeps different keys with the same length apart', () => {
    for (let round = 0; round < 3; round++) {
      expect(decodeFieldTable(encodeFieldTable({ ab: 1, ba: 2, abc: 3, 'é': 4 }))).toEqual({ ab: 1, ba: 2, abc: 3, 'é': 4 });
      expect(decodeFieldTable(encodeFieldTable({ ba: 5, ab: 6, ['k'.repeat(40)]: 7 }))).toEqual({ ba: 5, ab: 6, ['k'.repeat(40)]: 7 });
    }
    // Many distinct keys (more than the cache holds) all decode right.
    const many = Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`key-${i}`, i]));
    expect(decodeFieldTable(encodeFieldTable(many, 1 << 20))).toEqual(many);
    expect(decodeFieldTable(encodeFieldTable(many, 1 << 20))).toEqual(many);
  });

  it('rejects what a table cannot carry', () => {
    expect(() => encodeFieldTable({ f: () => 1 })).toThrow(/f: a function cannot be sent/);
    expect(() => encodeFieldTable({ n: [1, 2n ** 64n] })).toThrow(/n\[1\]: integer .* does not fit/);
    expect(() => encodeFieldTable({ s: 'x'.repeat(100) }, 50)).toThrow(RangeError);
    expect(() => decodeFields(hex('0178' + '5a'))).toThrow(/Unexpected type tag "Z"/);
  });
});
