import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SerializationError } from '@q/core';
import { readVector } from '@q/test-services';
import { decodePickle, encodePickle, pickleTuple } from './index.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

interface DbRows {
  celery_taskmeta_rows: { status: string; result_pickle_hex: string; result_unpickled: Record<string, unknown> }[];
  small_pickle_examples: Record<string, string>;
}

describe('encodePickle: the vectors Celery wrote', () => {
  const rows = readVector<DbRows>('db-rows-postgres.json');

  it('writes the SUCCESS row result byte for byte', () => {
    const row = rows.celery_taskmeta_rows.find((r) => r.status === 'SUCCESS');
    expect(hex(encodePickle(row?.result_unpickled))).toBe(row?.result_pickle_hex);
  });

  it('writes the FAILURE row result byte for byte (exc_message as a tuple)', () => {
    const row = rows.celery_taskmeta_rows.find((r) => r.status === 'FAILURE');
    const value = { ...row?.result_unpickled, exc_message: pickleTuple(row?.result_unpickled['exc_message'] as unknown[]) };
    expect(hex(encodePickle(value))).toBe(row?.result_pickle_hex);
  });

  it('writes the small examples', () => {
    expect(hex(encodePickle(2))).toBe(rows.small_pickle_examples['int 2 (result of add(1,1))']);
  });
});

// Expected bytes are what Debian's /usr/bin/python3 (3.11, C pickler) writes for the Python value in the name.
const big = (prefix: string, fill: string, count: number, suffix: string): string => prefix + fill.repeat(count) + suffix;
const TABLE: [string, unknown, string][] = [
  ['None', null, '80054e2e'],
  ['None (undefined)', undefined, '80054e2e'],
  ['True', true, '8005882e'],
  ['False', false, '8005892e'],
  ['0', 0, '80054b002e'],
  ['-0 is the int 0', -0, '80054b002e'],
  ['1', 1, '80054b012e'],
  ['255', 255, '80054bff2e'],
  ['256', 256, '80059504000000000000004d00012e'],
  ['65535', 65535, '80059504000000000000004dffff2e'],
  ['65536', 65536, '80059506000000000000004a000001002e'],
  ['-1', -1, '80059506000000000000004affffffff2e'],
  ['-128', -128, '80059506000000000000004a80ffffff2e'],
  ['-256', -256, '80059506000000000000004a00ffffff2e'],
  ['2**31-1', 2 ** 31 - 1, '80059506000000000000004affffff7f2e'],
  ['-2**31', -(2 ** 31), '80059506000000000000004a000000802e'],
  ['2**31', 2 ** 31, '80059508000000000000008a0500000080002e'],
  ['-2**31-1', -(2 ** 31) - 1, '80059508000000000000008a05ffffff7fff2e'],
  ['2**53-1', Number.MAX_SAFE_INTEGER, '8005950a000000000000008a07ffffffffffff1f2e'],
  ['2**63 (bigint)', 2n ** 63n, '8005950c000000000000008a090000000000000080002e'],
  ['-2**63 (bigint)', -(2n ** 63n), '8005950b000000000000008a0800000000000000802e'],
  ['2**64', 2n ** 64n, '8005950c000000000000008a090000000000000000012e'],
  ['-2**64', -(2n ** 64n), '8005950c000000000000008a090000000000000000ff2e'],
  ['small bigint 5n', 5n, '80054b052e'],
  ['2**2040 (LONG1, 256 bytes → LONG4)', 2n ** 2040n, big('80059506010000000000008b00010000', '00', 255, '012e')],
  ['2**2048 (LONG4)', 2n ** 2048n, big('80059507010000000000008b01010000', '00', 256, '012e')],
  ['1.5', 1.5, '8005950a00000000000000473ff80000000000002e'],
  ['nan', NaN, '8005950a00000000000000477ff80000000000002e'],
  ['inf', Infinity, '8005950a00000000000000477ff00000000000002e'],
  ['-inf', -Infinity, '8005950a0000000000000047fff00000000000002e'],
  ['1e300', 1e300, '8005950a00000000000000477e37e43c8800759c2e'],
  ['5e-324', 5e-324, '8005950a000000000000004700000000000000012e'],
  ["''", '', '80059504000000000000008c00942e'],
  ["'a'", 'a', '80059505000000000000008c0161942e'],
  ['é€😀 (astral)', 'é€😀', '8005950d000000000000008c09c3a9e282acf09f9880942e'],
  ['lone high surrogate (surrogatepass)', 'a\ud800b', '80059509000000000000008c0561eda08062942e'],
  ['lone low surrogate', '\udc00', '80059507000000000000008c03edb080942e'],
  ['255-byte str (SHORT_BINUNICODE)', 'x'.repeat(255), big('80059503010000000000008cff', '78', 255, '942e')],
  ['256-byte str (BINUNICODE)', 'x'.repeat(256), big('80059507010000000000005800010000', '78', 256, '942e')],
  ["b''", new Uint8Array(0), '80059504000000000000004300942e'],
  ['bytes', Uint8Array.from([0, 1, 255]), '800595070000000000000043030001ff942e'],
  ['Buffer', Buffer.from([0, 1, 255]), '800595070000000000000043030001ff942e'],
  ['256 bytes (BINBYTES)', new Uint8Array(256).fill(7), big('80059507010000000000004200010000', '07', 256, '942e')],
  ['[]', [], '80055d942e'],
  ['{}', {}, '80057d942e'],
  ['()', pickleTuple([]), '8005292e'],
  ['(1,)', pickleTuple([1]), '80059505000000000000004b0185942e'],
  ['(1,2)', pickleTuple([1, 2]), '80059507000000000000004b014b0286942e'],
  ['(1,2,3)', pickleTuple([1, 2, 3]), '80059509000000000000004b014b024b0387942e'],
  ['(1,2,3,4)', pickleTuple([1, 2, 3, 4]), '8005950c00000000000000284b014b024b034b0474942e'],
  ['[1] (APPEND)', [1], '80059506000000000000005d944b01612e'],
  ["{'a':1} (SETITEM)", { a: 1 }, '8005950a000000000000007d948c0161944b01732e'],
  ['nested', { l: [[], {}, [null]], t: pickleTuple([pickleTuple([])]) }, '8005951c000000000000007d94288c016c945d94285d947d945d944e61658c017494298594752e'],
  ['CPython-shared strings', ['a', 'a', '', ''], '80059510000000000000005d94288c01619468018c00946802652e'],
];

describe('encodePickle: edge values, byte for byte as CPython', () => {
  it.each(TABLE)('%s', (_name, value, expected) => {
    expect(hex(encodePickle(value))).toBe(expected);
  });

  it('references an array reached twice with BINGET, as Python does for one list', () => {
    const a = [1, 2];
    expect(hex(encodePickle([a, a, { x: a }]))).toBe('80059518000000000000005d94285d94284b014b026568017d948c017894680173652e');
  });

  it('references a tuple reached twice', () => {
    const t = pickleTuple([1, 'xy']);
    expect(hex(encodePickle([t, t]))).toBe('80059510000000000000005d94284b018c0278799486946802652e');
  });

  it('writes equal strings of two or more characters afresh each time', () => {
    expect(hex(encodePickle(['ab', 'ab']))).toBe('8005950f000000000000005d94288c026162948c02616294652e');
  });

  // sha256 of what CPython writes for the same Python value (large outputs)
  const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

  it('uses LONG_BINGET past memo index 255', () => {
    const shared = [0];
    const items: unknown[] = Array.from({ length: 300 }, () => []);
    // memo 0 is the outer list, 1..300 the empty lists, 301 the shared one: LONG_BINGET 0x012d
    expect(hex(encodePickle([...items, shared, shared]).subarray(-12))).toBe('5d944b00616a2d010000652e');
  });

  it('batches APPENDS by 1000 (1000 → one batch, 1001 → two, the second with one item)', () => {
    const thousand = encodePickle(Array.from({ length: 1000 }, () => 1));
    const more = encodePickle(Array.from({ length: 1001 }, () => 1));
    expect(sha(thousand)).toBe('a7d318b4e16049a98f74e7c4f0a3c58577ac43d216691304b6bd783e12e67f9c');
    expect(sha(more)).toBe('f5b902ba586238fcd07b8739afc8139833f4671851f202425df8a9dbc9b02d4f');
    expect(hex(more.subarray(-12))).toBe('4b014b014b0165284b01652e');
  });

  it('batches SETITEMS by 1000', () => {
    const dict = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`k${i}`, i]));
    const bytes = encodePickle(dict);
    expect(sha(bytes)).toBe('b57fb0451f0769abeb6940f786e49ee2678829119b30333bf9ea414fe79acce3');
    expect(decodePickle(bytes)).toEqual(dict);
  });

  it('splits frames at 64 KiB and writes payloads ≥ 64 KiB outside frames', () => {
    const list = Array.from({ length: 30000 }, (_, i) => `ab${i}`);
    const bytes = encodePickle(list);
    expect(bytes.length).toBe(289000);
    expect(hex(bytes.subarray(0, 11))).toBe('8005950700010000000000'); // first frame: 65543 bytes
    expect(sha(bytes)).toBe('566c66358e5c4523cae43694d518f3d88d3c181beef378b92eafdd0e0eadbdf4');
    expect(decodePickle(bytes)).toEqual(list);
    const large = encodePickle('z'.repeat(65536));
    expect(hex(large.subarray(0, 7))).toBe('80055800000100'); // no FRAME: the str goes straight out
    expect(hex(large.subarray(-2))).toBe('942e'); // trailing frame < 4 bytes has no header
    expect(large.length).toBe(65545);
    const mixed = encodePickle(['a', new Uint8Array(70000).fill(0x79), 'b']);
    expect(hex(mixed.subarray(0, 27))).toBe('80059507000000000000005d94288c016194427011010079797979');
    expect(sha(mixed)).toBe('7bfa2d080be6034211c26549579ca05872f95c93f6f35307488fa468ec659090');
  });

  it('encodes toJSON() values (Date → ISO string)', () => {
    const d = new Date('2026-01-02T03:04:05.000Z');
    expect(decodePickle(encodePickle({ at: d }))).toEqual({ at: '2026-01-02T03:04:05.000Z' });
  });

  it('nests deeper than the JS call stack allows recursion', () => {
    let v: unknown = 1;
    for (let i = 0; i < 100_000; i++) v = [v];
    const bytes = encodePickle(v);
    let out = decodePickle(bytes);
    let depth = 0;
    while (Array.isArray(out)) {
      out = out[0];
      depth++;
    }
    expect([depth, out]).toEqual([100_000, 1]);
  });

  it.each([
    ['a function', () => 1],
    ['a symbol', Symbol('s')],
    ['a Map', new Map()],
    ['a class instance', new (class Thing {})()],
    ['an Int16Array', new Int16Array(2)],
    ['a nested function', { a: [1, { f: () => 1 }] }],
  ])('refuses %s with Q_ERR_SERIALIZE_FAILED', (_name, value) => {
    expect(() => encodePickle(value)).toThrow(expect.objectContaining({ code: 'Q_ERR_SERIALIZE_FAILED' }));
  });

  it('refuses cycles', () => {
    const a: unknown[] = [1];
    a.push({ back: a });
    let err: unknown;
    try {
      encodePickle(a);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SerializationError);
    expect(err).toMatchObject({ code: 'Q_ERR_SERIALIZE_FAILED', message: expect.stringContaining('cycle') });
  });

  it('writes protocol 4 when asked', () => {
    expect(hex(encodePickle(2, { protocol: 4 }))).toBe('80044b022e');
  });
});
