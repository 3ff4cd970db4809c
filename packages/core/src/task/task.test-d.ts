/**
 * Type tests (checked by `tsc -p tsconfig.json`, which includes `src/**`): task typing flows from the
 * function to `delay`, `applyAsync`, `s` and the result.
 */
import { expectTypeOf } from 'vitest';
import { createApp } from '../app/app.js';
import type { RemoteError } from '../errors/q-error.js';
import type { AsyncResult } from '../result/async-result.js';
import type { Signature } from '../canvas/signature.js';
import type { Task } from './task.js';
import type { TaskContext } from './types.js';

const app = createApp({ broker: 'memory://types', backend: 'memory://types' });

const add = app.task('tasks.add', (x: number, y: number) => x + y);
expectTypeOf(add).toEqualTypeOf<Task<[x: number, y: number], number>>();
expectTypeOf(add.delay(2, 2)).toEqualTypeOf<Promise<AsyncResult<number>>>();
// @ts-expect-error a wrong argument type is a compile error
void add.delay('2', 2);
// @ts-expect-error a missing argument is a compile error
void add.delay(2);
expectTypeOf(add.applyAsync([4], { y: 5 })).toEqualTypeOf<Promise<AsyncResult<number>>>();
// @ts-expect-error applyAsync args are typed too
void add.applyAsync(['x']);
expectTypeOf(add.s(2)).toEqualTypeOf<Signature<[y: number], number>>();

const fetchTitle = app.task({ name: 'tasks.title', queue: 'io' }, async (url: string) => url.length > 3);
expectTypeOf(fetchTitle.delay('https://x')).toEqualTypeOf<Promise<AsyncResult<boolean>>>();

const bound = app.task({ name: 'tasks.bound', bind: true }, (ctx: TaskContext, n: number) => `${ctx.id}:${n}`);
expectTypeOf(bound.delay(1)).toEqualTypeOf<Promise<AsyncResult<string>>>();
// @ts-expect-error the context is not part of the call signature
void bound.delay({} as TaskContext, 1);

// Optional parameters stay optional and keep their inferred type.
const withDefault = app.task('tasks.default', (x: number, y = 1) => x + y);
expectTypeOf(withDefault.delay(1)).toEqualTypeOf<Promise<AsyncResult<number>>>();
// @ts-expect-error the default's type is inferred, not unknown
void withDefault.delay(1, 'one');

// The context of a bound task is typed without an annotation.
const ctxInferred = app.task({ name: 'tasks.ctx', bind: true }, (ctx, n: number) => {
  expectTypeOf(ctx).toEqualTypeOf<TaskContext>();
  return n;
});
expectTypeOf(ctxInferred.delay(1)).toEqualTypeOf<Promise<AsyncResult<number>>>();

// Keyword arguments without declared names: any name, but only values of the parameter types.
// @ts-expect-error 'str' is not a value any parameter of (x: number, y: number) takes
void add.applyAsync([1], { y: 'str', z: 3 });
void add.applyAsync([1], { y: 2 });
// Names are not known to the type system without `params`: an unknown name with a fitting value compiles.
void add.applyAsync([1], { z: 3 });

// Declared `params` type the keyword arguments by name and position.
const named = app.task({ name: 'tasks.named', params: ['x', 'label'] }, (x: number, label: string) => `${label}${x}`);
expectTypeOf(named).toEqualTypeOf<Task<[x: number, label: string], string, { readonly x?: number; readonly label?: string }>>();
void named.applyAsync([1], { label: 'n=' });
void named.applyAsync([], { x: 1, label: 'n=' });
// @ts-expect-error an unknown keyword is a compile error (the worker would fail the task with TypeError)
void named.applyAsync([1, 'a'], { z: 3 });
// @ts-expect-error a keyword's value has its parameter's type
void named.applyAsync([1], { label: 2 });
// @ts-expect-error signature kwargs are typed the same way
void named.signature([1], { lable: 'typo' });

// A bound task declares the names after the context.
const boundNamed = app.task({ name: 'tasks.boundNamed', bind: true, params: ['n'] }, (ctx: TaskContext, n: number) => `${ctx.id}${n}`);
void boundNamed.applyAsync([], { n: 1 });
// @ts-expect-error n is a number
void boundNamed.applyAsync([], { n: '1' });

// acceptsKwargs: the last declared name receives the extra keywords, so any other name is allowed.
const extras = app.task(
  { name: 'tasks.extras', params: ['x', 'rest'], acceptsKwargs: true },
  (x: number, rest: Record<string, unknown>) => ({ x, ...rest }),
);
void extras.applyAsync([], { x: 1, anything: 'goes' });
// @ts-expect-error x is still a number
void extras.applyAsync([], { x: 'one' });
const extrasUnnamed = app.task({ name: 'tasks.extrasUnnamed', acceptsKwargs: true }, (x: number, rest: Record<string, string>) => x + Object.keys(rest).length);
void extrasUnnamed.applyAsync([1], { any: 'thing', n: 2 });

// A params list that is not literal (a string[] variable) types nothing by name.
const names: string[] = ['x', 'y'];
const loose = app.task({ name: 'tasks.loose', params: names }, (x: number, y: number) => x * y);
void loose.applyAsync([1], { anything: 2 });
// @ts-expect-error values still have a parameter's type
void loose.applyAsync([1], { y: 'two' });

async function usage(): Promise<void> {
  const result = await add.delay(1, 2);
  expectTypeOf(await result.get({ timeout: 1 })).toEqualTypeOf<number>();
  expectTypeOf(await result.get()).toEqualTypeOf<number>();
  expectTypeOf(await result.get({ propagate: true })).toEqualTypeOf<number>();
  // propagate: false returns the task's error instead of throwing it.
  expectTypeOf(await result.get({ timeout: 1, propagate: false })).toEqualTypeOf<number | RemoteError>();
  const propagate = Math.random() > 0.5;
  expectTypeOf(await result.get({ propagate })).toEqualTypeOf<number | RemoteError>();
  // @ts-expect-error with propagate: false the value may be a RemoteError, not a number
  const n: number = await result.get({ propagate: false });
  void n;
  expectTypeOf(app.tasks.get('tasks.add')).not.toBeAny();
}
void usage;
