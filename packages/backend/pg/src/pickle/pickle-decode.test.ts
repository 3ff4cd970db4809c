import { describe, expect, it } from 'vitest';
import { SerializationError } from '@q/core';
import { readVector } from '@q/test-services';
import { decodePickle } from './index.js';
import { FORBIDDEN_OPCODES } from './opcodes.js';

const fromHex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));
const ascii = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'latin1'));

function failure(bytes: Uint8Array): SerializationError {
  try {
    decodePickle(bytes);
  } catch (err) {
    expect(err).toBeInstanceOf(SerializationError);
    return err as SerializationError;
  }
  throw new Error('decodePickle did not throw');
}

interface DbRows {
  celery_taskmeta_rows: { status: string; result_pickle_hex: string; result_unpickled: unknown }[];
  celery_tasksetmeta_rows: { result_pickle_hex: string }[];
  small_pickle_examples: Record<string, string>;
}

describe('decodePickle: the vectors Celery wrote', () => {
  const rows = readVector<DbRows>('db-rows-postgres.json');

  it.each(rows.celery_taskmeta_rows.map((r) => [r.status, r] as const))('reads the %s row result', (_s, row) => {
    expect(decodePickle(fromHex(row.result_pickle_hex))).toEqual(row.result_unpickled);
  });

  it('reads the small examples', () => {
    expect(decodePickle(fromHex(rows.small_pickle_examples['int 2 (result of add(1,1))'] ?? ''))).toBe(2);
  });

  it('refuses the pickled GroupResult of a taskset row, naming the opcode and its offset', () => {
    // the vector keeps only the row's first bytes ("…<truncated>"): the refusal comes before the data runs out
    const hex = (rows.celery_tasksetmeta_rows[0]?.result_pickle_hex ?? '').replace(/[^0-9a-f].*$/, '');
    const err = failure(fromHex(hex.slice(0, hex.length - (hex.length % 2))));
    expect(err.code).toBe('Q_ERR_PICKLE_UNSAFE');
    expect(err.message).toMatch(/opcode STACK_GLOBAL \(0x93\) at byte offset \d+/);
    expect(err.message).toContain('ran no code');
  });
});

// Written by CPython 3.11 for {'a': [1, 2.5, 'héllo€\ud800', None, True, False, (1, 2), 2**70, -5, -2**40],
// 'b': {}, 'c': (), 'd': ('x',) * 5} with protocols 0–4 (protocol 5 is covered by the vectors).
const PROTOCOLS: [number, string][] = [
  [0, '286470300a56610a70310a286c70320a49310a6146322e350a615668e96c6c6f5c75323061635c75643830300a70330a614e614930310a614930300a612849310a49320a7470340a614c313138303539313632303731373431313330333432344c0a61492d350a614c2d313039393531313632373737364c0a617356620a70350a286470360a7356630a70370a28747356640a70380a2856780a70390a67390a67390a67390a67390a747031300a732e'],
  [1, '7d71002858010000006171015d7102284b01474004000000000000580c00000068c3a96c6c6fe282aceda08071034e4930310a4930300a284b014b027471044c313138303539313632303731373431313330333432344c0a4afbffffff4c2d313039393531313632373737364c0a6558010000006271057d71065801000000637107295801000000647108285801000000787109680968096809680974710a752e'],
  [2, '80027d71002858010000006171015d7102284b01474004000000000000580c00000068c3a96c6c6fe282aceda08071034e88894b014b028671048a090000000000000000404afbffffff8a060000000000ff6558010000006271057d71065801000000637107295801000000647108285801000000787109680968096809680974710a752e'],
  [3, '80037d71002858010000006171015d7102284b01474004000000000000580c00000068c3a96c6c6fe282aceda08071034e88894b014b028671048a090000000000000000404afbffffff8a060000000000ff6558010000006271057d71065801000000637107295801000000647108285801000000787109680968096809680974710a752e'],
  [4, '80049566000000000000007d94288c0161945d94284b014740040000000000008c0c68c3a96c6c6fe282aceda080944e88894b014b0286948a090000000000000000404afbffffff8a060000000000ff658c0162947d948c016394298c016494288c01789468096809680968097494752e'],
];
const PROTOCOL_VALUE = {
  a: [1, 2.5, 'héllo€\ud800', null, true, false, [1, 2], 2n ** 70n, -5, -(2 ** 40)],
  b: {},
  c: [],
  d: ['x', 'x', 'x', 'x', 'x'],
};

describe('decodePickle: protocols 0–5', () => {
  it.each(PROTOCOLS)('reads what Python writes with protocol %i', (_p, hex) => {
    expect(decodePickle(fromHex(hex))).toEqual(PROTOCOL_VALUE);
  });

  it('reads sets, frozensets (as arrays) and bytearray (as bytes)', () => {
    const out = decodePickle(fromHex('8005951e000000000000005d94288f94284b014b0290284b039194960200000000000000616294652e'));
    expect(out).toEqual([[1, 2], [3], Uint8Array.from([0x61, 0x62])]);
  });

  it('turns int, float, bool and None dict keys into strings', () => {
    const out = decodePickle(fromHex('80059531000000000000007d94284b018c0161944740040000000000008c0162944e8c016394898c0164948a090000000000000000408c016594752e'));
    expect(out).toEqual({ 1: 'a', '2.5': 'b', null: 'c', false: 'd', [String(2n ** 70n)]: 'e' });
  });

  it.each([
    ['tuple', '8005950c000000000000007d944b014b0286944b01732e'],
    ['bytes', '8005950a000000000000007d9443016b944b01732e'],
  ])('refuses a %s dict key', (_kind, hex) => {
    const err = failure(fromHex(hex));
    expect(err.code).toBe('Q_ERR_DESERIALIZE_FAILED');
    expect(err.message).toContain('dict key');
  });

  it('keeps memo references: one Python list read twice is one JS array', () => {
    const out = decodePickle(fromHex('80027d71002858010000007871015d71024b016158010000007971036802752e')) as { x: unknown; y: unknown };
    expect(out).toEqual({ x: [1], y: [1] });
    expect(out.x).toBe(out.y);
  });

  it('reads a self-containing list as a cyclic array', () => {
    const out = decodePickle(fromHex('80059506000000000000005d946800612e')) as unknown[];
    expect(out[0]).toBe(out);
  });

  it('reads a "__proto__" key as an own property', () => {
    const out = decodePickle(fromHex('80057d948c095f5f70726f746f5f5f944b01732e')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__']);
  });

  it.each([
    ["S'a\\x41\\n\\'q\\101'\\n. (STRING, escapes)", "S'a\\x41\\n\\'q\\101'\n.", "aA\n'qA"],
    ['S"x" (STRING, double quotes)', 'S"x"\n.', 'x'],
    ['T (BINSTRING, latin-1)', 'T\x02\x00\x00\x00\xe9\xff.', 'éÿ'],
    ['U (SHORT_BINSTRING, latin-1)', 'U\x02\xe9\xff.', 'éÿ'],
    ['V (UNICODE, raw-unicode-escape)', 'V\\u00e9\\\\u0041\\U0001f600x\n.', 'é\\\\u0041😀x'],
    ['I01 (True)', 'I01\n.', true],
    ['I00 (False)', 'I00\n.', false],
    ['I-42', 'I-42\n.', -42],
    ['L123L (LONG)', 'L123456789012345678901234567890L\n.', 123456789012345678901234567890n],
    ['F (FLOAT)', 'F-1.25e3\n.', -1250],
    ['F inf', 'Finf\n.', Infinity],
    ['(lp0 … LIST, PUT, GET, APPEND)', '(lp0\nI1\nag0\na.', 'cyclic'],
    ['(dp0 (DICT, SETITEM)', '(dp0\nVk\np1\nI7\ns.', { k: 7 }],
    ['(I1 I2 t (TUPLE)', '(I1\nI2\nt.', [1, 2]],
    ['DUP, POP, POP_MARK', 'N2(I1\n1I3\n0.', null],
    ['BININT2 and LONG_BINPUT/LONG_BINGET', ']r\x00\x01\x00\x00M\x01\x01aj\x00\x01\x00\x00a.', 'cyclic'],
  ])('reads %s', (_name, text, expected) => {
    const out = decodePickle(ascii(text));
    if (expected === 'cyclic') expect((out as unknown[])[(out as unknown[]).length - 1]).toBe(out);
    else expect(out).toEqual(expected);
  });
});

describe('decodePickle: refuses unsafe opcodes', () => {
  it.each([...FORBIDDEN_OPCODES].map(([op, name]) => [name, op] as const))('%s', (name, op) => {
    const err = failure(Uint8Array.from([0x80, 0x05, 0x4e, op, 0x2e]));
    expect(err.code).toBe('Q_ERR_PICKLE_UNSAFE');
    expect(err.message).toContain(`opcode ${name} (0x${op.toString(16)}) at byte offset 3`);
  });

  it('refuses the classic os.system protocol 0 payload before reading its argument', () => {
    const err = failure(ascii("cos\nsystem\n(S'echo pwned'\ntR."));
    expect(err.code).toBe('Q_ERR_PICKLE_UNSAFE');
    expect(err.message).toContain('opcode GLOBAL (0x63) at byte offset 0');
  });
});

describe('decodePickle: malformed input', () => {
  const valid = fromHex(PROTOCOLS[4]?.[1] ?? '');

  it('refuses every truncation of a valid pickle', () => {
    for (let n = 0; n < valid.length; n++) expect(failure(valid.subarray(0, n)).code).toBe('Q_ERR_DESERIALIZE_FAILED');
  });

  it.each([
    ['an unknown opcode', '8005ff2e', /unknown pickle opcode 0xff \(at byte offset 2\)/],
    ['an unsupported protocol', '80062e', /unsupported pickle protocol: 6/],
    ['STOP on an empty stack', '80052e', /stack underflow/],
    ['a missing memo entry', '80056805 2e', /memo key 5 not found/],
    ['APPENDS without MARK', '80055d4b01652e', /could not find MARK/],
    ['APPEND to a tuple', '8005294b01612e', /not a list/],
    ['SETITEM on a list', '80055d4b014b02732e', /not a dict/],
    ['an odd SETITEMS', '80057d284b01752e', /odd number/],
    ['reaching below a MARK', '80054e28612e', /stack underflow/],
    ['invalid UTF-8', '80058c02c3282e', /not valid UTF-8/],
    ['an overlong UTF-8 form', '80058c02c0af2e', /not valid UTF-8/],
    ['a 4 GiB BINUNICODE in 10 bytes', '800558ffffffff2e', /truncated/],
    ['a huge BINUNICODE8', '80058dffffffffffffff7f2e', /truncated|does not fit/],
    ['a huge BINBYTES8', '80058e00000000ffff00002e', /truncated/],
    ['a FRAME longer than the data, then a read past the end', '800595ffffffffffff0000584000000061', /truncated/],
    ['a FRAME length beyond 2**53', '800595ffffffffffffffff4e2e', /does not fit/],
    ['a negative LONG4 length', '80058bffffffff2e', /negative/],
    ['an int literal with too many digits', `49${'31'.repeat(5000)}0a2e`, /invalid int/],
  ])('refuses %s', (_name, hex, message) => {
    const err = failure(fromHex(hex.replace(/ /g, '')));
    expect(err.code).toBe('Q_ERR_DESERIALIZE_FAILED');
    expect(err.message).toMatch(message);
  });

  it('reads lone surrogates (surrogatepass) and keeps a BOM', () => {
    expect(decodePickle(fromHex('80058c0861eda080efbbbf62942e'))).toBe('a\ud800\ufeffb');
  });
});

describe('decodePickle: bounded work', () => {
  it('caps int dict keys at 2**1024, so one huge key reused through the memo cannot cost per use', () => {
    const key = (x: bigint): number[] => {
      const hex = x.toString(16).padStart(Math.ceil((x.toString(16).length + 1) / 2) * 2, '0');
      const le = [...Buffer.from(hex, 'hex').reverse()];
      return [0x8b, ...[le.length & 0xff, (le.length >> 8) & 0xff, 0, 0], ...le];
    };
    const reuse = (x: bigint, times: number): Uint8Array =>
      Uint8Array.from([0x80, 0x05, 0x7d, ...key(x), 0x94, 0x30, ...Array.from({ length: times }, () => [0x68, 0x00, 0x4e, 0x73]).flat(), 0x2e]);
    expect(failure(reuse(2n ** 100_000n, 200_000)).message).toContain('beyond 2**1024');
    expect(Object.keys(decodePickle(reuse(2n ** 1000n, 50_000)) as object)).toEqual([String(2n ** 1000n)]);
  });

  it('rejects a long malformed float literal', () => {
    expect(failure(ascii(`F${'1'.repeat(200_000)}x\n.`)).message).toContain('invalid float');
  });

  it('returns bytes that do not alias a Buffer input', () => {
    const input = Buffer.from('80054302616294' + '2e', 'hex');
    const out = decodePickle(input) as Uint8Array;
    input[4] = 0;
    expect([...out]).toEqual([0x61, 0x62]);
  });
});
