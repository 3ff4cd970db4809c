/**
 * `task.alwaysEager` (Celery's `task_always_eager`): `delay`/`applyAsync` of a task and of every canvas kind run in
 * the calling process and give eager results, `app.sendTask` still sends, `task.eagerPropagates` throws, and tasks
 * called from inside an eager task run eagerly too (as its children). The broker refuses to connect.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { chain } from '../canvas/chain.js';
import { chord } from '../canvas/chord.js';
import { group } from '../canvas/group.js';
import { ChordError, RemoteError } from '../errors/q-error.js';
import { GroupResult } from '../result/group-result.js';
import type { TaskContext } from '../task/types.js';
import type { AppOptions } from '../config/options.js';
import { EagerGroupResult } from './eager-group-result.js';
import { EagerResult } from './eager-result.js';
import { closeEagerApps, eagerApp } from '../../test/eager-apps.js';

afterEach(closeEagerApps);

class Boom extends Error {}

function setup(task: AppOptions['task'] = {}) {
  const made = eagerApp({ task: { alwaysEager: true, ...task } });
  const { app } = made;
  const add = app.task('tasks.add', (x: number, y: number) => x + y);
  const mul = app.task('tasks.mul', (x: number, y: number) => x * y);
  const sum = app.task('tasks.sum', (xs: number[]) => xs.reduce((a, b) => a + b, 0));
  const fail = app.task('tasks.fail', (why: string) => {
    throw new Boom(why);
  });
  return { ...made, add, mul, sum, fail };
}

describe('task.alwaysEager', () => {
  it('delay and applyAsync run the task here and return an EagerResult', async () => {
    const { add, broker } = setup();
    const a = await add.delay(2, 2);
    expect(a).toBeInstanceOf(EagerResult);
    expect(await a.get()).toBe(4);
    const b = await add.applyAsync([1], { y: 1 }, { countdown: 3600, taskId: 'given' });
    expect(b.id).toBe('given');
    expect(await b.get()).toBe(2);
    expect(broker.connects).toBe(0);
  });

  it('a signature applies eagerly, with its partial arguments', async () => {
    const { add } = setup();
    const result = await add.s(10).applyAsync([5]);
    expect(result).toBeInstanceOf(EagerResult);
    expect(await result.get()).toBe(15);
    expect(await (await add.s(1).delay(2)).get()).toBe(3);
  });

  it('app.sendTask still sends (Celery: always_eager has no effect on send_task)', async () => {
    const { app, broker } = setup();
    await expect(app.sendTask('tasks.add', [1, 2])).rejects.toThrow(/eager mode must not connect the broker/);
    expect(broker.connects).toBeGreaterThan(0);
  });

  it('a chain runs step by step, each with the previous value; the result has the earlier steps as parents', async () => {
    const { add, mul } = setup();
    const result = await chain(add.s(1, 2), mul.s(10), add.s(5)).applyAsync();
    expect(result).toBeInstanceOf(EagerResult);
    expect(await result.get()).toBe(35);
    expect(result.parent).toBeInstanceOf(EagerResult);
    expect(await result.parent?.get()).toBe(30);
    expect(await result.parent?.parent?.get()).toBe(3);
    expect(result.parent?.parent?.parent).toBeNull();
  });

  it('a chain step runs as the child of the step before it', async () => {
    const { app, add } = setup();
    const parents: (string | null)[] = [];
    const who = app.task({ name: 'tasks.who', bind: true }, (ctx: TaskContext, n: number) => {
      parents.push(ctx.parentId);
      return n;
    });
    const result = await chain(add.s(1, 1), who.s()).applyAsync();
    expect(parents).toEqual([result.parent?.id]);
  });

  it('a failed chain step fails the rest with the same error; nothing after it runs', async () => {
    const { app, add, fail } = setup();
    let after = 0;
    const count = app.task('tasks.count', () => ++after);
    const result = await chain(add.s(1, 1), fail.si('step 2'), count.si()).applyAsync();
    expect(after).toBe(0);
    expect(await result.failed()).toBe(true);
    await expect(result.get()).rejects.toThrow('step 2');
    expect(await result.parent?.failed()).toBe(true);
    expect(await result.parent?.parent?.successful()).toBe(true);
  });

  it('a group runs every member and gives an EagerGroupResult with GroupResult API', async () => {
    const { add, fail } = setup();
    const result = await group([add.s(1, 1), add.s(2, 2), add.s(3, 3)]).applyAsync();
    expect(result).toBeInstanceOf(EagerGroupResult);
    expect(result).toBeInstanceOf(GroupResult);
    expect(await result.get()).toEqual([2, 4, 6]);
    expect(await result.ready()).toBe(true);
    expect(await result.successful()).toBe(true);
    expect(await result.completedCount()).toBe(3);
    expect(result.results.every((m) => m instanceof EagerResult)).toBe(true);

    const mixed = await group([add.s(1, 1), fail.s('member')]).applyAsync();
    expect(await mixed.failed()).toBe(true);
    expect(await mixed.completedCount()).toBe(1);
    await expect(mixed.get()).rejects.toThrow('member');
    const settled = await mixed.join({ propagate: false });
    expect(settled[0]).toBe(2);
    expect(settled[1]).toBeInstanceOf(RemoteError);
  });

  it('a group with arguments passes them to every member (delay)', async () => {
    const { add } = setup();
    const result = await group([add.s(1), add.s(2)]).delay(10);
    expect(await result.get()).toEqual([11, 12]);
  });

  it('a chord runs the header, then the body with the list of values; the body result has the header as parent', async () => {
    const { add, sum } = setup();
    const result = await chord([add.s(1, 1), add.s(2, 2)], sum.s()).applyAsync();
    expect(result).toBeInstanceOf(EagerResult);
    expect(await result.get()).toBe(6);
    expect(result.parent).toBeInstanceOf(EagerGroupResult);
    expect(await result.parent?.get()).toEqual([2, 4]);
  });

  it('a chord whose header fails fails its body with a ChordError and runs the body errbacks', async () => {
    const { app, add, sum, fail } = setup();
    const errbacks: unknown[] = [];
    const onError = app.task('tasks.onError', (id: string) => void errbacks.push(id));
    const body = sum.s();
    body.onError(onError.s());
    const result = await chord([add.s(1, 1), fail.s('header')], body).applyAsync();
    expect(await result.failed()).toBe(true);
    const err = await result.get().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChordError);
    expect((err as ChordError).message).toMatch(/^Dependency .+ raised Boom\('header'\)$/);
    expect(errbacks).toEqual([result.id]);
  });

  it('a chain ending in a group then a task runs as a chord', async () => {
    const { add, sum } = setup();
    const result = await chain(add.s(1, 1), group([add.s(10), add.s(20)]), sum.s()).applyAsync();
    expect(await result.get()).toBe(34);
  });

  it('map, starmap and chunks run through their builtin tasks', async () => {
    const { app, add } = setup();
    const double = app.task('tasks.double', (x: number) => x * 2);
    expect(await (await double.map([1, 2, 3]).applyAsync()).get()).toEqual([2, 4, 6]);
    expect(await (await add.starmap([[1, 2], [3, 4]]).applyAsync()).get()).toEqual([3, 7]);
    const chunks = await add.chunks([[1, 1], [2, 2], [3, 3]], 2).applyAsync();
    expect(chunks).toBeInstanceOf(EagerGroupResult);
    expect(await chunks.get()).toEqual([[2, 4], [6]]);
  });

  it('task.eagerPropagates throws the first error from applyAsync, of a task and of a canvas', async () => {
    const { add, fail } = setup({ eagerPropagates: true });
    await expect(fail.delay('direct')).rejects.toThrow(Boom);
    await expect(chain(add.s(1, 1), fail.si('in chain')).applyAsync()).rejects.toThrow('in chain');
    await expect(group([fail.s('in group')]).applyAsync()).rejects.toThrow('in group');
  });

  it('tasks called from inside an eager task run eagerly, as its children, with its id as parent', async () => {
    const { app, add } = setup();
    const parents: (string | null)[] = [];
    const child = app.task({ name: 'tasks.child', bind: true }, (ctx: TaskContext, n: number) => {
      parents.push(ctx.parentId);
      return n;
    });
    const outer = app.task('tasks.outer', async () => {
      const a = await child.delay(1);
      const b = await group([add.s(1, 1), add.s(2, 2)]).applyAsync();
      return (await a.get()) + (await b.get()).reduce((x, y) => x + y, 0);
    });
    const result = await outer.delay();
    expect(await result.get()).toBe(7);
    expect(parents).toEqual([result.id]);
    const children = await result.children();
    expect(children).toHaveLength(2);
    expect(children[0]).toBeInstanceOf(EagerResult);
    expect(children[1]).toBeInstanceOf(EagerGroupResult);
    const walked: unknown[] = [];
    for await (const [, value] of result.collect()) walked.push(value);
    expect(walked).toEqual([7, 1, [2, 4], 2, 4]);
  });

  it('signature.apply() runs a canvas here without alwaysEager', async () => {
    const { app, broker } = eagerApp();
    const add = app.task('tasks.add', (x: number, y: number) => x + y);
    const result = await chain(add.s(1, 2), add.s(3)).apply();
    expect(await result.get()).toBe(6);
    expect(await (await group([add.s(1, 1)]).apply()).get()).toEqual([2]);
    expect(broker.connects).toBe(0);
  });
});
