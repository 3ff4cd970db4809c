import { createApp } from '@q/core';
import type { AsyncResult } from '@q/core';
import { expectTypeOf, test } from 'vitest';
import { outbox, sendInTransaction } from './outbox.js';
import type { PgQueryable } from './outbox-executor.js';

test('results are typed by the task', () => {
  const app = createApp();
  const add = app.task('tasks.add', (x: number, y: number) => x + y);
  const trx = {} as PgQueryable;
  expectTypeOf(outbox(app).send(trx, add, [1, 2])).toEqualTypeOf<Promise<AsyncResult<number>>>();
  expectTypeOf(sendInTransaction(trx, add, [1, 2])).toEqualTypeOf<Promise<AsyncResult<number>>>();
  expectTypeOf(outbox(app).send<string>(trx, 'remote', [])).toEqualTypeOf<Promise<AsyncResult<string>>>();
  // @ts-expect-error: a string is not a number argument
  void sendInTransaction(trx, add, ['1', 2]);
});
