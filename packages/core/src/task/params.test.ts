import { describe, expect, it } from 'vitest';
import { QError } from '../errors/q-error.js';
import { bindArguments, declaredParams, parseParams } from './params.js';

describe('parseParams', () => {
  it('reads names from arrows, functions, async and methods without evaluating them', () => {
    expect(parseParams((x: number, y: number) => x + y).names).toEqual(['x', 'y']);
    expect(parseParams(async function add(a: number, b = 2) { return a + b; })).toEqual({ names: ['a', 'b'], required: 1, rest: false });
    expect(parseParams((x: number) => x).names).toEqual(['x']);
    const obj = { m(first: string, /* c, */ second: { a: number } = { a: 1 }) { return [first, second]; } };
    expect(parseParams(obj.m).names).toEqual(['first', 'second']);
  });

  it('marks rest and destructured parameters', () => {
    const spec = parseParams((a: number, { b }: { b: number }, ...rest: number[]) => a + b + rest.length);
    expect(spec.names).toEqual(['a', null]);
    expect(spec.rest).toBe(true);
  });

  it('skips the bound context parameter', () => {
    const spec = parseParams((_ctx: unknown, x: number, y: number) => x + y, 1);
    expect(spec).toEqual({ names: ['x', 'y'], required: 2, rest: false });
  });

  it('handles defaults containing parentheses, commas and strings', () => {
    const fn = (a: string, b = Math.max(1, 2), c = '),(', d = [1, 2]) => a + b + c + d.length;
    expect(parseParams(fn).names).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('bindArguments', () => {
  const add = (x: number, y: number) => x + y;
  const spec = parseParams(add);

  it("binds a Python-style call add.apply_async((4,), kwargs={'y': 5})", () => {
    const positional = bindArguments('tasks.add', spec, [4], { y: 5 }, false);
    expect(positional).toEqual([4, 5]);
    expect(add(...(positional as [number, number]))).toBe(9);
  });

  it('binds all-keyword calls in declaration order regardless of key order', () => {
    expect(bindArguments('tasks.add', spec, [], { y: 1, x: 2 }, false)).toEqual([2, 1]);
  });

  it('rejects unknown keywords, duplicates and missing required arguments with Q_ERR_TASK_ARGUMENTS', () => {
    const call = (args: unknown[], kwargs: Record<string, unknown>) => () => bindArguments('tasks.add', spec, args, kwargs, false);
    expect(call([1, 2], { z: 3 })).toThrow("tasks.add() got an unexpected keyword argument 'z'");
    expect(call([1], { x: 3 })).toThrow("tasks.add() got multiple values for argument 'x'");
    expect(call([], { y: 3 })).toThrow("tasks.add() missing 1 required positional argument: 'x'");
    expect(call([], {})).toThrow("missing 2 required positional arguments: 'x' and 'y'");
    const three = parseParams((x: number, y: number, z: number) => x + y + z);
    expect(() => bindArguments('tasks.sum3', three, [], {}, false)).toThrow("tasks.sum3() missing 3 required positional arguments: 'x', 'y', and 'z'");
    try {
      call([], {})();
    } catch (err) {
      expect(err).toBeInstanceOf(QError);
      expect((err as QError).code).toBe('Q_ERR_TASK_ARGUMENTS');
    }
  });

  it('binds a positional-only call to a copy of its args, and still requires the required ones', () => {
    const args = [1, 2];
    const bound = bindArguments('tasks.add', spec, args, {}, false);
    expect(bound).toEqual([1, 2]);
    expect(bound).not.toBe(args);
    expect(() => bindArguments('tasks.add', spec, [1], {}, false)).toThrow("tasks.add() missing 1 required positional argument: 'y'");
  });

  it('leaves optional parameters undefined so JS defaults apply', () => {
    const fn = (a: number, b = 10, c = 100) => a + b + c;
    const bound = bindArguments('t', parseParams(fn), [1], { c: 0 }, false);
    expect(bound).toEqual([1, undefined, 0]);
    expect(fn(...(bound as [number, number, number]))).toBe(11);
  });

  it('with acceptsKwargs, collects unknown keywords into one object as the last parameter', () => {
    const fn = (x: number, rest: Record<string, unknown>) => [x, rest];
    const bound = bindArguments('t', parseParams(fn), [], { x: 1, a: 2, b: 3 }, true);
    expect(bound).toEqual([1, { a: 2, b: 3 }]);
    expect(bindArguments('t', parseParams(fn), [7], {}, true)).toEqual([7, {}]);
  });

  it('uses declared names when given (minified code)', () => {
    const minified = (a: number, b: number) => a - b;
    const declared = declaredParams(['total', 'minus'], minified);
    expect(bindArguments('t', declared, [], { minus: 1, total: 5 }, false)).toEqual([5, 1]);
  });
});
