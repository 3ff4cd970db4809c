import { expectTypeOf, test } from 'vitest';
import type { App } from '../app/app.js';
import { chain } from '../canvas/chain.js';
import { group } from '../canvas/group.js';
import type { TaskState } from '../contracts/result-backend.js';
import type { RemoteError } from '../errors/q-error.js';
import type { AsyncResult } from '../result/async-result.js';
import type { GroupResult } from '../result/group-result.js';
import type { TaskContext } from '../task/types.js';
import type { EagerGroupResult } from './eager-group-result.js';
import type { EagerResult } from './eager-result.js';

declare const app: App;
const add = app.task({ name: 'tasks.add', params: ['x', 'y'] }, (x: number, y: number) => x + y);
const hello = app.task({ name: 'tasks.hello', bind: true }, async (_ctx: TaskContext, name: string) => `hi ${name}`);

test('apply() gives an EagerResult typed by the task result, usable as its AsyncResult', () => {
  expectTypeOf(add.apply([1, 2])).toEqualTypeOf<Promise<EagerResult<number>>>();
  expectTypeOf(hello.apply(['q'])).toEqualTypeOf<Promise<EagerResult<string>>>();
  expectTypeOf<EagerResult<number>>().toMatchTypeOf<AsyncResult<number>>();
  expectTypeOf<EagerGroupResult<[number, string]>>().toMatchTypeOf<GroupResult<[number, string]>>();
});

test('apply() takes the arguments and keyword arguments applyAsync takes, plus retries and throw', () => {
  add.apply([1], { y: 2 }, { retries: 1, throw: true, taskId: 'id' });
  // @ts-expect-error a string is not a number parameter
  add.apply(['1', 2]);
  // @ts-expect-error no parameter is named z
  add.apply([1], { z: 2 });
  // @ts-expect-error throw is a boolean
  add.apply([1, 2], {}, { throw: 'yes' });
});

test('an EagerResult reads as an AsyncResult does', async () => {
  const result = await add.apply([1, 2]);
  expectTypeOf(result.get()).toEqualTypeOf<Promise<number>>();
  expectTypeOf(result.get({ propagate: false })).toEqualTypeOf<Promise<number | RemoteError>>();
  expectTypeOf(result.state()).toEqualTypeOf<Promise<TaskState>>();
  expectTypeOf(result.ready()).toEqualTypeOf<Promise<boolean>>();
  expectTypeOf(result.traceback()).toEqualTypeOf<Promise<string | null>>();
});

test('a canvas apply() gives the handle its applyAsync gives', () => {
  expectTypeOf(chain(add.s(1, 2), add.s(3)).apply()).toEqualTypeOf<Promise<AsyncResult<number>>>();
  expectTypeOf(group([add.s(1, 2), hello.s('q')]).apply()).toEqualTypeOf<Promise<GroupResult<[number, string]>>>();
});
