import { describe, expect, it } from 'vitest';
import { SerializationError } from '../errors/q-error.js';
import { pyJsonParse, pyJsonStringify, shareSerialized } from './python-json.js';

describe('pyJsonStringify (Python json.dumps)', () => {
  it('matches json.dumps byte for byte', () => {
    // Output of CPython 3.11 json.dumps for the same value (floats that Python keeps as floats).
    const value = {
      a: 'texté',
      emoji: '😀',
      ctl: '\x00\x1f\x7f"\\\n\t\b\f\r/',
      f: [1.5, 1e-5, 0.0001, 1.5e-7, 123456789.123, NaN, Infinity, -Infinity],
      big: 2n ** 64n,
      neg: -(2n ** 60n),
      e: [],
      o: {},
    };
    expect(pyJsonStringify(value)).toBe(
      '{"a": "text\\u00e9", "emoji": "\\ud83d\\ude00", "ctl": "\\u0000\\u001f\\u007f\\"\\\\\\n\\t\\b\\f\\r/", ' +
        '"f": [1.5, 1e-05, 0.0001, 1.5e-07, 123456789.123, NaN, Infinity, -Infinity], ' +
        '"big": 18446744073709551616, "neg": -1152921504606846976, "e": [], "o": {}}',
    );
  });

  it('reproduces the captured v2 body', () => {
    expect(pyJsonStringify([[2, 3], {}, { callbacks: null, errbacks: null, chain: null, chord: null }])).toBe(
      '[[2, 3], {}, {"callbacks": null, "errbacks": null, "chain": null, "chord": null}]',
    );
  });

  it('skips undefined members, writes undefined array items as null, and uses Map/Set/toJSON', () => {
    expect(pyJsonStringify({ a: undefined, b: 1 })).toBe('{"b": 1}');
    expect(pyJsonStringify([undefined])).toBe('[null]');
    expect(pyJsonStringify(undefined)).toBe('null');
    expect(pyJsonStringify(new Map([['k', 1]]))).toBe('{"k": 1}');
    expect(pyJsonStringify(new Set([1, 2]))).toBe('[1, 2]');
    expect(pyJsonStringify({ toJSON: () => 'x' })).toBe('"x"');
    expect(pyJsonStringify(-0)).toBe('0');
    expect(pyJsonStringify(1e21)).toBe('1000000000000000000000');
  });

  it('writes dates as kombu does (isoformat, +00:00 → Z)', () => {
    expect(pyJsonStringify(new Date(Date.UTC(2026, 10, 22, 2, 39, 32, 295)))).toBe('"2026-11-22T02:39:32.295000Z"');
    expect(pyJsonStringify([new Date(Date.UTC(2030, 0, 2, 3, 4, 5))])).toBe('["2030-01-02T03:04:05Z"]');
  });

  it('rejects what Python cannot encode', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => pyJsonStringify(cyclic)).toThrow(SerializationError);
    expect(() => pyJsonStringify({ f: () => 1 })).toThrow(/function/);
    expect(() => pyJsonStringify(new Date(NaN))).toThrow(/invalid Date/);
    // shared (non-cyclic) references are fine
    const shared = [1];
    expect(pyJsonStringify([shared, shared])).toBe('[[1], [1]]');
  });
});

describe('pyJsonParse', () => {
  it('parses NaN, Infinity and -Infinity', () => {
    const v = pyJsonParse('{"a": NaN, "b": [Infinity, -Infinity], "c": -1.5}') as Record<string, unknown>;
    expect(v.a).toBeNaN();
    expect(v.b).toEqual([Infinity, -Infinity]);
    expect(v.c).toBe(-1.5);
  });

  it('returns integers beyond 2^53 as bigint and safe ones as number', () => {
    const v = pyJsonParse('[18446744073709551616, -9007199254740993, 9007199254740991, 12345678901234567.5, 1e400]');
    expect(v).toEqual([18446744073709551616n, -9007199254740993n, 9007199254740991, Number('12345678901234567.5'), Infinity]);
    expect(pyJsonParse('{"big": 9007199254740992}')).toEqual({ big: 9007199254740992n });
  });

  it('handles long digit runs inside strings and unicode escapes', () => {
    expect(pyJsonParse('{"id": "12345678901234567890", "s": "text\\u00e9 \\ud83d\\ude00 \\" \\\\ \\/ \\n"}')).toEqual({
      id: '12345678901234567890',
      s: 'texté 😀 " \\ / \n',
    });
    // the slow path (long digits) keeps "__proto__" an own key, as JSON.parse does
    const v = pyJsonParse('{"__proto__": {"x": 1}, "n": 12345678901234567890}') as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(['__proto__', 'n']);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(v.n).toBe(12345678901234567890n);
  });

  it('finds unsafe integers wherever JSON.parse put them (nested, negative, top level)', () => {
    expect(pyJsonParse('{"a": [1, {"b": [2, 9007199254740993]}], "c": "x"}')).toEqual({ a: [1, { b: [2, 9007199254740993n] }], c: 'x' });
    expect(pyJsonParse('[[[-9007199254740992]]]')).toEqual([[[-9007199254740992n]]]);
    expect(pyJsonParse('18446744073709551616')).toBe(18446744073709551616n);
    // huge floats stay numbers; safe integers written with 16 digits stay numbers
    expect(pyJsonParse('{"f": 1e300, "g": -2.5e20, "s": 1234567890123456}')).toEqual({ f: 1e300, g: -2.5e20, s: 1234567890123456 });
  });

  it('writes repeated keys, escaped keys and shared (non-circular) values, and still rejects cycles', () => {
    const shared = { 'k\u00e9': 1 };
    const rows = [{ 'é"': shared, n: 1 }, { 'é"': shared, n: 2 }];
    expect(pyJsonStringify(rows)).toBe('[{"\\u00e9\\"": {"k\\u00e9": 1}, "n": 1}, {"\\u00e9\\"": {"k\\u00e9": 1}, "n": 2}]');
    const loop: Record<string, unknown> = { a: 1 };
    loop.self = { inner: loop };
    expect(() => pyJsonStringify(loop)).toThrow(/circular/);
  });

  it('round-trips Python output', () => {
    const text = '{"a": [1, 2.5, null, true, false], "b": {"c": "\\u00e9"}, "n": NaN, "big": 123456789012345678901234567890}';
    expect(pyJsonStringify(pyJsonParse(text))).toBe(text);
  });

  it('rejects invalid JSON with a position', () => {
    for (const bad of ['', '[1, 2', '{"a" 1}', '[1,]', 'nan', '"\x01"', '{"a": 1} x', '[NaN, 1e]', '"\\x41"']) {
      expect(() => pyJsonParse(bad), bad).toThrow(SyntaxError);
    }
    expect(() => pyJsonParse('[NaN, oops]')).toThrow(/position 6/);
  });
});

describe('shareSerialized', () => {
  it('freezes a value deep and writes it the same everywhere it appears, as if not shared', () => {
    const body = shareSerialized({ task: 'x', args: [1, { a: 'é' }], options: { task_id: 't' } });
    expect(Object.isFrozen(body) && Object.isFrozen(body.args) && Object.isFrozen(body.args[1])).toBe(true);
    const plain = { task: 'x', args: [1, { a: 'é' }], options: { task_id: 't' } };
    const expected = pyJsonStringify([plain, { chord: plain }]);
    expect(pyJsonStringify([body, { chord: body }])).toBe(expected);
    expect(pyJsonStringify({ again: body })).toBe(pyJsonStringify({ again: plain }));
  });
});
