import { describe, expect, it } from 'vitest';
import { PyTuple, argsRepr, kwargsRepr, pyStrRepr, pythonRepr } from './repr.js';

// Expected strings produced by Celery 5.2.6's saferepr (run under CPython 3.11).
describe('pythonRepr / argsRepr / kwargsRepr (Celery saferepr)', () => {
  it('formats tuples, lists and dicts as Python', () => {
    expect(argsRepr([2, 3])).toBe('(2, 3)');
    expect(argsRepr([1])).toBe('(1,)');
    expect(argsRepr([])).toBe('()');
    expect(pythonRepr([7, 8])).toBe('[7, 8]');
    expect(kwargsRepr({ y: 5 })).toBe("{'y': 5}");
    expect(kwargsRepr({})).toBe('{}');
    expect(argsRepr([1, 'two'])).toBe("(1, 'two')");
  });

  it('writes scalars like str() and quotes strings the saferepr way', () => {
    expect(argsRepr([null, true, false, 2.5, "it's", 'a"b', 'nl\nx'])).toBe(
      "(None, True, False, 2.5, 'it\\'s', 'a\"b', 'nl\nx')",
    );
    expect(argsRepr([1e-5, 1.5, NaN, Infinity, -Infinity, 10n ** 20n])).toBe(
      '(1e-05, 1.5, nan, inf, -inf, 100000000000000000000)',
    );
    expect(argsRepr([new Set(), new Set([1])])).toBe('(set(), {1})');
    expect(pythonRepr(undefined)).toBe('None');
  });

  it('shortens containers nested deeper than 3 levels', () => {
    expect(argsRepr([1, [2, [3, [4, [5]]]], { a: { b: { c: { d: 1 } } } }])).toBe("(1, [2, [3, [...]]], {'a': {'b': {...}}})");
    expect(argsRepr([[{ a: [1, { b: 2 }] }]])).toBe("([{'a': [...]}],)");
    expect(pythonRepr(new PyTuple([new PyTuple([1])]))).toBe('((1,),)');
  });

  it('truncates at maxLen exactly like saferepr, keeping open brackets', () => {
    expect(argsRepr(['hello world foo bar baz', 'qux'], 10)).toBe("('hello...', ...)");
    expect(argsRepr([1, [2, 3], 4], 5)).toBe('(1, [, ...])');
    expect(argsRepr([[1, 2, 3]], 7)).toBe('([1, 2, , ...],)');
    expect(argsRepr([{ a: [1, 2, 3] }], 12)).toBe("({'a': [1, 2..., ...]},)");
    expect(pythonRepr({ ['a'.repeat(30)]: 1, b: 2 }, 20)).toBe("{'aaaaaaaaaaaaaaaaaaa...', ...}");
    const dict100 = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, 'v'.repeat(10)]));
    const expected = `{${Array.from({ length: 10 }, (_, i) => `'k${i}': 'vvvvvvvvvv'`).join(', ')}, , ...}`;
    expect(pythonRepr(dict100, 200)).toBe(expected);
  });

  it('cuts long arguments at 1024 characters by default', () => {
    const long = argsRepr(['x'.repeat(2000)]);
    expect(long).toHaveLength(1034);
    expect(long.endsWith("xxx...', ...")).toBe(true);
    const range = argsRepr([Array.from({ length: 500 }, (_, i) => i)]);
    expect(range).toHaveLength(1035);
    expect(range.endsWith('224, 225, 22..., ...],)')).toBe(true);
    const words = argsRepr(['word '.repeat(300)]);
    expect(words).toHaveLength(1030);
    expect(words.endsWith("d word word word word word word...', ...")).toBe(true);
  });

  it('gives the same text on the direct path and the truncating path, around the maxLen boundary', () => {
    const value = [1, 'ab', { k: [2, 3] }];
    const full = "[1, 'ab', {'k': [2, 3]}]";
    expect(pythonRepr(value, 0)).toBe(full);
    expect(pythonRepr(value, full.length + 1)).toBe(full);
    expect(pythonRepr(value, full.length)).toBe(full);
    expect(pythonRepr(value, full.length - 1)).toBe("[1, 'ab', {'k': [2, 3]}, ..."); // as the streaming saferepr
    const shared = { a: 1 };
    expect(pythonRepr([shared, shared])).toBe("[{'a': 1}, {'a': 1}]");
    expect(pythonRepr(new Map<unknown, unknown>([[1, 'x'], [[2, 3], 'y'], ['k', new Set([true])]]))).toBe(
      "{1: 'x', [2, 3]: 'y', 'k': {True}}",
    );
    expect(argsRepr([new Uint8Array([104, 105]), 'z'])).toBe("(b'hi', 'z')");
  });

  it('survives cycles', () => {
    const a: unknown[] = [1];
    a.push(a);
    // Python adds the object id: `[1, <Recursion on list with id=…>]`.
    expect(pythonRepr(a)).toBe('[1, <Recursion on list>]');
  });

  it('pyStrRepr follows Python repr(str)', () => {
    expect(pyStrRepr("it's")).toBe(`"it's"`);
    expect(pyStrRepr('a"b')).toBe(`'a"b'`);
    expect(pyStrRepr(`both'"`)).toBe(`'both\\'"'`);
    expect(pyStrRepr('tab\tnl\n\x00é\u200b😀')).toBe("'tab\\tnl\\n\\x00é\\u200b😀'");
  });
});
