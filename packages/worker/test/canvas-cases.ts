/**
 * The canvas, end to end through a real worker: one suite run on the memory transport and backend (chords by
 * `celery.chord_unlock`) and on Redis (native chords). `setup()` gives a fresh app (client and worker share it)
 * with the tasks below registered, and a started worker.
 */
import { RemoteError, chain, chord, group, Signature } from '@q/core';
import type { App, AsyncResult, GroupResult, TaskContext, TaskMeta } from '@q/core';
import { emptyEmbed, newTaskMessage, uuid } from '@q/core/internal';
import { expect, it } from 'vitest';

/** The tasks every case uses. */
export function registerCanvasTasks(app: App) {
  const add = app.task({ name: 'tasks.add', params: ['x', 'y'] }, (x: number, y: number) => x + y);
  const mul = app.task({ name: 'tasks.mul', params: ['x', 'y'] }, (x: number, y: number) => x * y);
  const xsum = app.task({ name: 'tasks.xsum', params: ['xs'] }, (xs: number[]) => xs.reduce((a, b) => a + b, 0));
  const fail = app.task({ name: 'tasks.fail', params: ['message'] }, (message: string | number): number => {
    throw new RangeError(String(message));
  });
  const record: string[][] = [];
  const errback = app.task({ name: 'tasks.errback', params: ['taskId'] }, (taskId: string) => {
    record.push(['errback', taskId]);
    return taskId;
  });
  const spawn = app.task({ name: 'tasks.spawn', params: ['n'] }, async (n: number) => {
    // Sends subtasks from inside a task: their parent is this task, and they are its children.
    const r1 = await add.delay(n, 1);
    const r2 = await group([add.s(n, 2), add.s(n, 3)]).applyAsync();
    return [r1.id, r2.id];
  });
  const replaced = app.task({ name: 'tasks.replaced', bind: true, params: ['n'] }, (ctx: TaskContext, n: number): number => {
    return ctx.replace(chain(add.s(n, 1), mul.s(10)));
  });
  const replacedByGroup = app.task({ name: 'tasks.replacedByGroup', bind: true, params: ['n'] }, (ctx: TaskContext, n: number): number[] => {
    return ctx.replace(group([add.s(n, 1), add.s(n, 2)]));
  });
  return { add, mul, xsum, fail, errback, spawn, replaced, replacedByGroup, record };
}

export type CanvasTasks = ReturnType<typeof registerCanvasTasks>;

/** What a case needs. */
export interface CanvasSetup {
  app: App;
  tasks: CanvasTasks;
  meta(id: string): Promise<TaskMeta | null>;
}

const T = { timeout: 10 };

/** The cases, for `setup` (called once per test). */
export function canvasCases(setup: () => Promise<CanvasSetup>): void {
  it('chain: each step gets the previous result; the handle is the last step with the others as parents', async () => {
    const { tasks, meta } = await setup();
    const { add, mul } = tasks;
    const r = await chain(add.s(2, 2), add.s(4), mul.s(3)).applyAsync();
    expect(await r.get(T)).toBe(24);
    const second = r.parent as AsyncResult<number>;
    const first = second.parent as AsyncResult<number>;
    expect(await second.get(T)).toBe(8);
    expect(await first.get(T)).toBe(4);
    expect(first.parent).toBeNull();
    // The first step's stored result lists the second as its child; the parent/root ids link them.
    expect((await meta(first.id))?.children).toEqual([[[second.id, null], null]]);
    expect(await meta(second.id)).toMatchObject({ parentId: first.id });
    expect(await meta(r.id)).toMatchObject({ parentId: second.id });
  });

  it('chain with an immutable step, and delay() giving the first step its arguments', async () => {
    const { tasks } = await setup();
    const { add, mul } = tasks;
    const r = await chain(add.s(1), mul.si(5, 5), add.s(1)).delay(1);
    expect(await r.get(T)).toBe(26);
  });

  it('group: every member in parallel, get() gives the values in order, members carry the group id', async () => {
    const { tasks, meta } = await setup();
    const { add } = tasks;
    const g = await group([add.s(1, 1), add.s(2, 2), add.s(3, 3)]).applyAsync();
    expect(await g.get(T)).toEqual([2, 4, 6]);
    expect(g.results).toHaveLength(3);
    for (const member of g.results) expect(await meta(member.id)).toMatchObject({ groupId: g.id });
    expect(await g.completedCount()).toBe(3);
    expect(await g.successful()).toBe(true);
  });

  it('group of an iterable, and a group result saved and restored', async () => {
    const { app, tasks } = await setup();
    const { add } = tasks;
    const g = await group((function* () {
      for (let i = 0; i < 4; i += 1) yield add.s(i, i);
    })()).applyAsync();
    await g.save();
    const restored = (await app.restoreGroupResult<number[]>(g.id)) as GroupResult<number[]>;
    expect(restored.results.map((m) => m.id)).toEqual(g.results.map((m) => m.id));
    expect(await restored.get(T)).toEqual([0, 2, 4, 6]);
  });

  it('chord: the body gets the list of header results, once, after the last', async () => {
    const { tasks, meta } = await setup();
    const { add, xsum } = tasks;
    const r = await chord([add.s(1, 1), add.s(2, 2), add.s(3, 3)], xsum.s()).applyAsync();
    expect(await r.get(T)).toBe(12);
    const header = r.parent as GroupResult<number[]>;
    expect(await header.get(T)).toEqual([2, 4, 6]);
    expect(await meta(r.id)).toMatchObject({ status: 'SUCCESS', result: 12 });
  });

  it('chord of a group header with extra body arguments, and an empty header running the body with []', async () => {
    const { tasks } = await setup();
    const { add, xsum } = tasks;
    const r = await chord(group([add.s(5, 5), add.s(6, 6)]), xsum.s()).applyAsync();
    expect(await r.get(T)).toBe(22);
    const empty = await chord([], xsum.s()).applyAsync();
    expect(await empty.get(T)).toBe(0);
  });

  it('chain of a group and a task is upgraded to a chord; a chord inside a chain passes its result on', async () => {
    const { tasks } = await setup();
    const { add, mul, xsum } = tasks;
    const upgraded = await chain(group([add.s(1, 1), add.s(2, 2)]), xsum.s()).applyAsync();
    expect(await upgraded.get(T)).toBe(6);
    const middle = await chain(add.s(1, 1), chord([add.s(1), add.s(2)], xsum.s()), mul.s(10)).applyAsync();
    // 2 → [3, 4] → 7 → 70
    expect(await middle.get(T)).toBe(70);
  });

  it('group of chains and chord of chains', async () => {
    const { tasks } = await setup();
    const { add, mul, xsum } = tasks;
    const g = await group([chain(add.s(1, 1), mul.s(10)), chain(add.s(2, 2), mul.s(10))]).applyAsync();
    expect(await g.get(T)).toEqual([20, 40]);
    const c = await chord([chain(add.s(1, 1), mul.s(10)), chain(add.s(2, 2), mul.s(10)), add.s(5, 5)], xsum.s()).applyAsync();
    expect(await c.get(T)).toBe(70);
  });

  it('a failing header task fails the body with ChordError naming it, and the body errback runs', async () => {
    const { app, tasks, meta } = await setup();
    const { add, fail, xsum, errback, record } = tasks;
    const body = xsum.s();
    body.onError(errback.s());
    const header = [add.s(1, 1), fail.s('boom')];
    const r = await chord(header, body).applyAsync();
    // As Celery's `get(follow_parents=True)`: the failed header (the body's parent) is raised first.
    await expect(r.get(T)).rejects.toMatchObject({ excType: 'ValueError', message: expect.stringContaining('boom') });
    const err = await r.get({ ...T, followParents: false }).catch((e: unknown) => e);
    expect(err).toMatchObject({ excType: 'ChordError', excModule: 'celery.exceptions' });
    const failedId = (r.parent as GroupResult).results[1]?.id as string;
    expect(String((err as Error).message)).toContain(`Dependency ${failedId} raised ValueError('boom')`);
    expect(await meta(r.id)).toMatchObject({ status: 'FAILURE', result: { exc_type: 'ChordError' } });
    const deadline = Date.now() + 5000;
    while (!record.some(([what, id]) => what === 'errback' && id === r.id) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    expect(record).toContainEqual(['errback', r.id]);
    await expect(r.get({ ...T, followParents: false })).rejects.toBeInstanceOf(RemoteError);
    void app;
  });

  it('a failing chain step fails every later step, so the chain handle does not wait forever', async () => {
    const { tasks } = await setup();
    const { add, fail, mul } = tasks;
    const r = await chain(add.s(1, 1), fail.s(), mul.s(2)).applyAsync();
    // The last step's own state is the failure (not only its parents'): a JS RangeError is Python's ValueError.
    await expect(r.get({ ...T, followParents: false })).rejects.toMatchObject({ excType: 'ValueError', message: expect.stringContaining('2') });
  });

  it('link and link_error: callbacks get the result, errbacks the failed id', async () => {
    const { tasks } = await setup();
    const { add, fail, errback, record, mul } = tasks;
    const cb = mul.s(3);
    const cbResult = cb.freeze();
    const r = await add.applyAsync([2, 2], undefined, { link: cb });
    expect(await r.get(T)).toBe(4);
    expect(await cbResult.get(T)).toBe(12);
    const f = await fail.applyAsync(['x'], undefined, { linkError: errback.s() });
    await expect(f.get(T)).rejects.toThrow();
    const deadline = Date.now() + 5000;
    while (!record.some(([, id]) => id === f.id) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
    expect(record).toContainEqual(['errback', f.id]);
  });

  it('freeze() pre-assigns the ids a later applyAsync sends', async () => {
    const { tasks } = await setup();
    const { add, xsum } = tasks;
    const c = chord([add.s(1, 2), add.s(3, 4)], xsum.s());
    const promised = c.freeze();
    const sent = await c.applyAsync();
    expect(sent.id).toBe(promised.id);
    expect(await promised.get(T)).toBe(10);
  });

  it('chunks, map and starmap', async () => {
    const { tasks } = await setup();
    const { add, xsum } = tasks;
    const chunks = await add.chunks([[1, 1], [2, 2], [3, 3], [4, 4], [5, 5]], 2).applyAsync();
    expect(await chunks.get(T)).toEqual([[2, 4], [6, 8], [10]]);
    const mapped = await xsum.map([[1, 2], [3, 4]]).applyAsync();
    expect(await mapped.get(T)).toEqual([3, 7]);
    const starmapped = await add.starmap([[1, 2], [3, 4]]).applyAsync();
    expect(await starmapped.get(T)).toEqual([3, 7]);
  });

  it('a task sent from inside a task has it as parent and root, and is recorded in its children', async () => {
    const { app, tasks, meta } = await setup();
    const r = await tasks.spawn.delay(10);
    const [childId, groupId] = (await r.get(T)) as string[];
    expect(await app.asyncResult(childId as string).get(T)).toBe(11);
    const child = await meta(childId as string);
    expect(child).toMatchObject({ parentId: r.id });
    const children = await r.children();
    expect(children.map((c) => c.id)).toEqual([childId, groupId]);
    expect(await (children[1] as GroupResult<number[]>).get(T)).toEqual([12, 13]);
  });

  it('Task.replace: the replacement runs under the task id; a group replacement gives the list', async () => {
    const { tasks } = await setup();
    const r = await tasks.replaced.delay(4);
    expect(await r.get(T)).toBe(50);
    const g = await tasks.replacedByGroup.delay(1);
    expect(await g.get(T)).toEqual([2, 3]);
  });

  it('app.signature by name, partials (args appended, kwargs merged, options set) and clone', async () => {
    const { app } = await setup();
    const partial = app.signature<number>('tasks.add', [2]);
    const r = await partial.applyAsync([3]);
    // Partial arguments passed to applyAsync go in front of the signature's own.
    expect(await r.get(T)).toBe(5);
    const byKw = await app.signature<number>('tasks.add', [], { x: 1 }).clone([], { y: 9 }).applyAsync();
    expect(await byKw.get(T)).toBe(10);
    const fromDict = Signature.fromWire(app.signature('tasks.mul', [6, 7]).toWire(), app);
    expect(await (await fromDict.delay()).get(T)).toBe(42);
  });

  it('a malformed signature in a message fails that task with a clear stored error; the worker goes on', async () => {
    const { app, tasks, meta } = await setup();
    // Messages as another client could send them (q's own client completes what it is given).
    const send = async (embed: Record<string, unknown>): Promise<TaskMeta> => {
      const message = newTaskMessage({ id: uuid(), name: 'tasks.add', args: [1, 1], kwargs: {}, embed: { ...emptyEmbed(), ...embed } as never });
      await app.publish(message, app.route('tasks.add'));
      return metaOfFinal(meta, message.id);
    };
    const badArgs = await send({ callbacks: [{ task: 'tasks.mul', args: 'nope' }] });
    expect(badArgs).toMatchObject({ status: 'FAILURE', result: { exc_type: 'SignatureError' } });
    const reason = (m: TaskMeta): string => String((m.result as { exc_message: unknown[] }).exc_message[0]);
    expect(reason(badArgs)).toMatch(/"args" of tasks.mul must be a list/);
    const unknownKind = await send({ callbacks: [{ task: 'x', args: [], kwargs: {}, options: {}, subtask_type: 'nope', immutable: false }] });
    expect(reason(unknownKind)).toMatch(/unknown subtask_type "nope"/);
    const chainNotList = await send({ chain: { task: 'tasks.mul' } });
    expect(chainNotList).toMatchObject({ status: 'FAILURE', result: { exc_type: 'SignatureError' } });
    expect(reason(chainNotList)).toMatch(/embed "chain" must be an array/);
    const badChord = await send({ chord: { task: 'celery.chord', args: [], kwargs: { header: 5 }, options: {}, subtask_type: 'chord', immutable: false } });
    expect(reason(badChord)).toMatch(/header/);
    expect(await (await tasks.add.delay(2, 3)).get(T)).toBe(5);
  });
}

async function metaOfFinal(meta: (id: string) => Promise<TaskMeta | null>, id: string): Promise<TaskMeta> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const m = await meta(id);
    if (m && ['SUCCESS', 'FAILURE', 'REVOKED'].includes(m.status)) return m;
    if (Date.now() > deadline) throw new Error(`no final state for ${id}`);
    await new Promise((res) => setTimeout(res, 20));
  }
}
