/**
 * Type tests (checked by `tsc -p tsconfig.json`, which includes `src/**`): task typing flows from the
 * function to `delay`, `applyAsync`, `s` and the result.
 */
import { expectTypeOf } from 'vitest';
import { createApp } from '../app/app.js';
import type { AsyncResult } from '../result/async-result.js';
import type { Signature } from './signature.js';
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
expectTypeOf(add.s(2)).toEqualTypeOf<Signature>();

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

async function usage(): Promise<void> {
  const result = await add.delay(1, 2);
  expectTypeOf(await result.get({ timeout: 1 })).toEqualTypeOf<number>();
  expectTypeOf(app.tasks.get('tasks.add')).not.toBeAny();
}
void usage;
