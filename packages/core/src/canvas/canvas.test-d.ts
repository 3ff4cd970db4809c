/**
 * Type tests of the canvas (checked by `tsc -p tsconfig.json`): partial signatures keep their remaining
 * parameters, a chain step must accept the previous step's result, a chord body must accept the header's
 * results, and result handles carry the value types.
 */
import { expectTypeOf } from 'vitest';
import { createApp } from '../app/app.js';
import type { AsyncResult } from '../result/async-result.js';
import type { GroupResult } from '../result/group-result.js';
import { chain, type Chain } from './chain.js';
import { chord } from './chord.js';
import { group, type Group } from './group.js';
import type { Signature } from './signature.js';

const app = createApp({ broker: 'memory://canvas-types', backend: 'memory://canvas-types' });
const add = app.task('tasks.add', (x: number, y: number) => x + y);
const mul = app.task('tasks.mul', (x: number, y: number) => x * y);
const xsum = app.task('tasks.xsum', (xs: number[]) => xs.reduce((a, b) => a + b, 0));
const shout = app.task('tasks.shout', (text: string) => text.toUpperCase());
const len = app.task('tasks.len', (text: string) => text.length);
const none = app.task('tasks.none', () => 1);
const opt = app.task('tasks.opt', (x: number, y = 2) => x * y);

// Partials: what is left to pass.
expectTypeOf(add.s()).toEqualTypeOf<Signature<[x: number, y: number], number>>();
expectTypeOf(add.s(2)).toEqualTypeOf<Signature<[y: number], number>>();
expectTypeOf(add.s(2, 2)).toEqualTypeOf<Signature<[], number>>();
expectTypeOf(add.si(2, 2)).toEqualTypeOf<Signature<[], number, true>>();
// @ts-expect-error a partial argument of the wrong type
void add.s('2');
// @ts-expect-error more arguments than the task takes
void add.s(1, 2, 3);
expectTypeOf(add.s(2).delay).parameters.toEqualTypeOf<[y: number]>();
// @ts-expect-error delay() takes exactly the remaining parameters
void add.s(2).delay('x');
expectTypeOf(opt.s(1).delay).parameters.toEqualTypeOf<[y?: number]>();

// Results of single signatures.
expectTypeOf(add.s(1, 2).applyAsync()).toEqualTypeOf<Promise<AsyncResult<number>>>();
expectTypeOf(shout.s('a').freeze()).toEqualTypeOf<AsyncResult<string>>();

// Chains: each step takes the previous result first; the handle gives the last step's value.
const c = chain(add.s(1, 2), mul.s(4));
expectTypeOf(c).toEqualTypeOf<Chain<[], number, AsyncResult<number>>>();
expectTypeOf(c.applyAsync()).toEqualTypeOf<Promise<AsyncResult<number>>>();
expectTypeOf(chain(shout.s('a'), len.s(), mul.s(2)).applyAsync()).toEqualTypeOf<Promise<AsyncResult<number>>>();
// An immutable step ignores what it would get.
expectTypeOf(chain(shout.s('a'), add.si(1, 1)).applyAsync()).toEqualTypeOf<Promise<AsyncResult<number>>>();
// A chain's first step may take its arguments at delay().
expectTypeOf(chain(add.s(1), mul.s(3)).delay).parameters.toEqualTypeOf<[y: number]>();

// @ts-expect-error the number add gives is not the string len takes
void chain(add.s(1, 2), len.s());
// @ts-expect-error a step with nothing left to take cannot receive the previous result
void chain(add.s(1, 2), add.s(3, 4));
// @ts-expect-error a step that takes nothing at all cannot receive it either
void chain(add.s(1, 2), none.s());
// @ts-expect-error the third step is checked against the second one's result
void chain(shout.s('a'), len.s(), shout.s());

// Groups: the values of the members, in order.
const g = group([add.s(1, 1), shout.s('x')]);
expectTypeOf(g).toEqualTypeOf<Group<[number, string]>>();
expectTypeOf(g.applyAsync()).toEqualTypeOf<Promise<GroupResult<[number, string]>>>();
expectTypeOf(group([1, 2, 3].map((i) => add.s(i, i))).applyAsync()).toEqualTypeOf<Promise<GroupResult<number[]>>>();
// A chain ending in a group gives a group's handle.
expectTypeOf(chain(add.s(1, 1), group([add.s(1), mul.s(2)])).applyAsync()).toEqualTypeOf<Promise<GroupResult<[number, number]>>>();

// Chords: the body takes the list of header results; the handle is the body's.
expectTypeOf(chord([add.s(1, 1), add.s(2, 2)], xsum.s()).applyAsync()).toEqualTypeOf<Promise<AsyncResult<number>>>();
expectTypeOf(chord(group([add.s(1, 1)]), xsum.s()).applyAsync()).toEqualTypeOf<Promise<AsyncResult<number>>>();
// @ts-expect-error the body takes a string, the header gives numbers
void chord([add.s(1, 1), add.s(2, 2)], shout.s());
// @ts-expect-error a body with nothing left to take
void chord([add.s(1, 1)], add.s(1, 2));

// map / starmap / chunks.
expectTypeOf(shout.map(['a', 'b']).applyAsync()).toEqualTypeOf<Promise<AsyncResult<string[]>>>();
expectTypeOf(add.starmap([[1, 2], [3, 4]]).applyAsync()).toEqualTypeOf<Promise<AsyncResult<number[]>>>();
expectTypeOf(add.chunks([[1, 2], [3, 4]], 1).applyAsync()).toEqualTypeOf<Promise<GroupResult<number[][]>>>();
// @ts-expect-error starmap items are the task's argument tuples
void add.starmap([['1', 2]]);

// By name: untyped.
expectTypeOf(app.signature<number>('tasks.add', [1]).applyAsync([2])).toEqualTypeOf<Promise<AsyncResult<number>>>();
