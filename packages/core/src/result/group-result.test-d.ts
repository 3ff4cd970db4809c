import { expectTypeOf, test } from 'vitest';
import type { RemoteError } from '../errors/q-error.js';
import type { AsyncResult } from './async-result.js';
import type { GroupResult } from './group-result.js';
import type { ResultBase } from './result-base.js';
import type { ResultSet } from './result-set.js';

declare const g: GroupResult<[number, string]>;
declare const set: ResultSet;

test('a group result carries its members’ value types', () => {
  expectTypeOf(g.get()).toEqualTypeOf<Promise<[number, string]>>();
  expectTypeOf(g.join({ timeout: 1 })).toEqualTypeOf<Promise<[number, string]>>();
  expectTypeOf(g.get({ propagate: false })).toEqualTypeOf<Promise<[number | RemoteError, string | RemoteError]>>();
  expectTypeOf(g.results[0]).toEqualTypeOf<ResultBase<number>>();
  expectTypeOf(g.results[1]).toEqualTypeOf<ResultBase<string>>();
  expectTypeOf(set.get()).toEqualTypeOf<Promise<unknown[]>>();
});

test('task results fit as members and parents', () => {
  expectTypeOf<AsyncResult<number>>().toMatchTypeOf<ResultBase<number>>();
  expectTypeOf<GroupResult<[number]>>().toMatchTypeOf<ResultBase<[number]>>();
  // @ts-expect-error a member whose value is a string cannot stand where a number is expected
  const members: [ResultBase<number>] = [null as unknown as AsyncResult<string>];
  void members;
});
