import { describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { SignatureError } from '../errors/q-error.js';
import { chain } from './chain.js';
import { chord } from './chord.js';
import { group } from './group.js';
import { Signature } from './signature.js';

const app = createApp({ broker: 'memory://signature-test', backend: 'memory://signature-test' });
const add = app.task('tasks.add', (x: number, y: number) => x + y);
const xsum = app.task('tasks.xsum', (xs: number[]) => xs.reduce((a, b) => a + b, 0));

describe('Signature', () => {
  it('serializes to Celery\'s dict, options under Celery\'s names', () => {
    const s = add.s(1).set({ queue: 'math', countdown: 5, taskId: 'fixed', expires: new Date('2030-01-01T00:00:00Z') });
    expect(s.toWire()).toEqual({
      task: 'tasks.add',
      args: [1],
      kwargs: {},
      options: { queue: 'math', countdown: 5, task_id: 'fixed', expires: '2030-01-01T00:00:00.000Z' },
      subtask_type: null,
      immutable: false,
    });
    expect(JSON.parse(JSON.stringify(add.si(1, 2)))).toMatchObject({ immutable: true, args: [1, 2] });
  });

  it('link and onError add to the dict and return the linked signature; set changes it in place', () => {
    const s = add.s(1, 1);
    const cb = add.s(10);
    expect(s.link(cb)).toBe(cb);
    s.onError(add.si(0, 0));
    s.link(add.s(20));
    expect((s.options.link as { args: number[] }[]).map((l) => l.args)).toEqual([[10], [20]]);
    expect((s.options.link_error as { immutable: boolean }[])[0]?.immutable).toBe(true);
    expect(s.set({ priority: 3 })).toBe(s);
    expect(s.options.priority).toBe(3);
  });

  it('clone: partials append args, merge kwargs, set options; an immutable one keeps its arguments', () => {
    const base = app.signature('tasks.echo', [1], { a: 1 }, { queue: 'q1' });
    const c = base.clone([2], { b: 2 }, { queue: 'q2' });
    expect([c.args, c.kwargs, c.options.queue]).toEqual([[1, 2], { a: 1, b: 2 }, 'q2']);
    expect([base.args, base.kwargs, base.options.queue]).toEqual([[1], { a: 1 }, 'q1']);
    expect(add.si(1, 2).clone([3]).args).toEqual([1, 2]);
  });

  it('freeze assigns the ids once; composites freeze every task and keep them', () => {
    const s = add.s(1, 2);
    const r = s.freeze();
    expect(s.id).toBe(r.id);
    expect(s.freeze().id).toBe(r.id);
    const c = chord([add.s(1, 1), add.s(2, 2)], xsum.s());
    const body = c.freeze();
    const header = (c.kwargs.header as { kwargs: { tasks: { options: Record<string, unknown> }[] } }).kwargs.tasks;
    expect(header.map((t) => t.options.group_index)).toEqual([0, 1]);
    expect(header.every((t) => (t.options.chord as { options: { task_id: string } }).options.task_id === body.id)).toBe(true);
    expect(c.freeze().id).toBe(body.id);
  });

  it('reads any Celery dict back into a signature bound to an app, and round-trips it', () => {
    const wire = chain(add.s(1, 1), group([add.s(1), add.s(2)])).toWire();
    const back = Signature.fromWire(JSON.parse(JSON.stringify(wire)), app);
    expect(back.subtaskType).toBe('chain');
    expect(back.toWire()).toEqual(wire);
    expect(app.signature(wire).toWire()).toEqual(wire);
    expect(() => Signature.fromWire({ task: 1 })).toThrow(SignatureError);
  });

  it('refuses to send or freeze a signature that belongs to no app, naming the fix', async () => {
    const unbound = Signature.of('tasks.add', [1, 2]);
    expect(() => unbound.freeze()).toThrow(/belongs to no app/);
    await expect(unbound.delay()).rejects.toMatchObject({ code: 'Q_ERR_SIGNATURE_UNBOUND' });
  });

  it('chunks/map/starmap are Celery\'s dicts', () => {
    expect(add.chunks([[1, 2], [3, 4], [5, 6]], 2).toWire()).toMatchObject({ task: 'celery.chunks', subtask_type: 'chunks', kwargs: { n: 2, it: [[1, 2], [3, 4], [5, 6]], task: { task: 'tasks.add' } } });
    expect(xsum.map([[1], [2]]).toWire()).toMatchObject({ task: 'celery.map', subtask_type: 'xmap', immutable: true, kwargs: { it: [[1], [2]] } });
    expect(add.starmap([[1, 2]]).toWire()).toMatchObject({ task: 'celery.starmap', subtask_type: 'xstarmap' });
    expect(() => add.chunks([], 0)).toThrow(RangeError);
  });
});
