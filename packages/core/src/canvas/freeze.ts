/**
 * Freezing a canvas (Celery's `Signature.freeze`, `chain.prepare_steps`, `group._freeze_gid`,
 * `chord.freeze`): every task of it gets its id before anything is sent, so the result handles exist at once
 * and every message can name the ones that follow (a chain's steps, a chord's body). Freezing is pure and
 * idempotent: ids already there are kept, so a frozen canvas applied later sends exactly the ids it promised.
 *
 * Chains are flattened (a chain of chains is one chain) and a group followed by another step becomes a chord
 * with that step as its body, as Celery upgrades `group | task`. A `chunks` becomes its group of
 * `celery.starmap` tasks.
 */
import { uuid } from '../protocol/ids.js';
import type { ResultTuple } from '../protocol/result-document.js';
import type { WireSignature } from '../protocol/task-message.js';
import { readCanvas, readSignature } from './read-signature.js';

export type { ResultTuple };

/** Where a signature is frozen. */
export interface FreezeContext {
  /** `reply_to` of every task (the sending app's oid). */
  readonly oid: string;
  /** The id to give (a task's own, a group's id, a chain's last task's, a chord's body's). */
  readonly taskId?: string;
  readonly groupId?: string;
  readonly groupIndex?: number;
  /** The chord body this signature is a header member of. */
  readonly chord?: WireSignature;
  readonly rootId?: string;
}

/** A frozen signature and the handle of its result. */
export interface Frozen {
  readonly sig: WireSignature;
  readonly result: ResultTuple;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The steps of a chain: nested chains flattened, `group` + next step upgraded to a chord. */
export function chainSteps(tasks: readonly WireSignature[]): WireSignature[] {
  const flat: WireSignature[] = [];
  for (const task of tasks) {
    const node = readCanvas(task, 'chain step');
    if (node.type === 'chain') flat.push(...chainSteps(node.tasks));
    else flat.push(node.sig);
  }
  const steps: WireSignature[] = [];
  for (let i = 0; i < flat.length; i += 1) {
    const step = flat[i] as WireSignature;
    const next = flat[i + 1];
    if (step.subtask_type === 'group' && next !== undefined) {
      steps.push(chordSignature(step, next, {}));
      i += 1;
    } else {
      steps.push(step);
    }
  }
  return steps;
}

/** Celery's chord dict: `celery.chord` with the header group and the body in its kwargs. */
export function chordSignature(header: WireSignature, body: WireSignature, options: Record<string, unknown>): WireSignature {
  return { task: 'celery.chord', args: [], kwargs: { kwargs: {}, header, body }, options, subtask_type: 'chord', immutable: false };
}

/** Celery's group dict. */
export function groupSignature(tasks: readonly WireSignature[], options: Record<string, unknown>): WireSignature {
  return { task: 'celery.group', args: [], kwargs: { tasks: [...tasks] }, options, subtask_type: 'group', immutable: false };
}

/** The members of a group, nested groups unrolled into it (as Celery's `_freeze_unroll`). */
export function groupMembers(tasks: readonly WireSignature[]): WireSignature[] {
  const out: WireSignature[] = [];
  for (const task of tasks) {
    const sig = readSignature(task, 'group member');
    if (sig.subtask_type === 'group') {
      const node = readCanvas(sig, 'group member');
      out.push(...groupMembers(node.type === 'group' ? node.tasks : []));
    } else {
      out.push(sig);
    }
  }
  return out;
}

/** `tuple` with `parent` put at the top of its parent chain (the first task of what `tuple` stands for). */
export function withParent(tuple: ResultTuple, parent: ResultTuple | null): ResultTuple {
  if (parent === null) return tuple;
  const [[id, own], members] = tuple;
  return [[id, own === null || own === undefined ? parent : withParent(own as ResultTuple, parent)], members];
}

/** A list option (`link`, `link_error`) as a list. */
function listOption(options: Readonly<Record<string, unknown>>, key: string): unknown[] {
  const v = options[key];
  return Array.isArray(v) ? [...(v as unknown[])] : v === undefined || v === null ? [] : [v];
}

/** `sig` with `items` appended to its list option `key`. */
export function appendOption(sig: WireSignature, key: 'link' | 'link_error', items: readonly unknown[]): WireSignature {
  if (items.length === 0) return sig;
  return { ...sig, options: { ...sig.options, [key]: [...listOption(sig.options, key), ...items] } };
}

/**
 * A composite's own `link` and `link_error` moved to the parts that carry them, as Celery's composites link:
 * a chain's callbacks to its last step and its errbacks to every step; a group's callback to its first member
 * (immutable) and its errbacks to every member; a chord's to its body. A task's stay where they are.
 */
export function pushDownLinks(sig: WireSignature): WireSignature {
  const links = listOption(sig.options, 'link');
  const errbacks = listOption(sig.options, 'link_error');
  if (sig.subtask_type === null || (links.length === 0 && errbacks.length === 0)) return sig;
  const options = { ...sig.options };
  delete options.link;
  delete options.link_error;
  const kwargs = { ...sig.kwargs };
  const node = readCanvas(sig);
  if (node.type === 'chain' || node.type === 'group') {
    kwargs.tasks = node.tasks.map((raw, i) => {
      const step = readSignature(raw, 'step');
      const target = node.type === 'chain' ? i === node.tasks.length - 1 : i === 0;
      const withLinks = target ? appendOption(step, 'link', node.type === 'group' ? links.map((l) => ({ ...(l as object), immutable: true })) : links) : step;
      return appendOption(withLinks, 'link_error', errbacks);
    });
  } else if (node.type === 'chord') {
    kwargs.body = appendOption(appendOption(node.body, 'link', links), 'link_error', errbacks);
  } else {
    return sig;
  }
  return { ...sig, kwargs, options };
}

/** Freeze `value` (a signature dict): see the module comment. */
export function freezeCanvas(value: WireSignature, ctx: FreezeContext): Frozen {
  return freezeRead(readSignature(value), ctx);
}

/** {@link freezeCanvas} of a dict already read (`readSignature`): not read (nor copied) again. */
function freezeRead(read: WireSignature, ctx: FreezeContext): Frozen {
  if (read.subtask_type === null) return freezeTask(read, ctx);
  const node = readCanvas(pushDownLinks(read));
  const { sig } = node;
  switch (node.type) {
    case 'task':
    case 'xmap':
    case 'xstarmap':
      return freezeTask(sig, ctx);
    case 'chain': {
      const steps = chainSteps(node.tasks);
      const frozen: WireSignature[] = [];
      let parent: ResultTuple | null = null;
      let result: ResultTuple | null = null;
      steps.forEach((step, i) => {
        const last = i === steps.length - 1;
        const lastId = ctx.taskId ?? str(sig.options.task_id);
        const stepCtx: FreezeContext = last ? { ...ctx, ...(lastId ? { taskId: lastId } : {}) } : { oid: ctx.oid, ...(ctx.rootId ? { rootId: ctx.rootId } : {}) };
        const f = freezeRead(step, stepCtx);
        frozen.push(f.sig);
        result = withParent(f.result, parent);
        parent = result;
      });
      if (result === null) {
        const id = ctx.taskId ?? str(sig.options.task_id) ?? uuid();
        return { sig: { ...sig, kwargs: { ...sig.kwargs, tasks: [] }, options: { ...sig.options, task_id: id } }, result: [[id, null], null] };
      }
      const lastId = (result as ResultTuple)[0][0];
      return { sig: { ...sig, kwargs: { ...sig.kwargs, tasks: frozen }, options: { ...sig.options, task_id: lastId } }, result };
    }
    case 'group':
      return freezeGroup(sig, node.tasks, ctx, false);
    case 'chord': {
      const body = freezeRead(node.body, {
        ...ctx,
        taskId: ctx.taskId ?? str(sig.options.task_id) ?? str(node.body.options.task_id) ?? uuid(),
      });
      const header = freezeGroup(node.header, node.header.kwargs.tasks as WireSignature[], {
        oid: ctx.oid,
        chord: body.sig,
        ...(ctx.rootId ? { rootId: ctx.rootId } : {}),
      }, true);
      const frozen = chordSignature(header.sig, body.sig, { ...sig.options, task_id: body.result[0][0] });
      return { sig: { ...frozen, kwargs: { ...sig.kwargs, ...frozen.kwargs } }, result: withParent(body.result, header.result) };
    }
    case 'chunks': {
      const parts: WireSignature[] = [];
      for (let i = 0; i < node.items.length; i += node.n) parts.push(starmapSignature(node.task, node.items.slice(i, i + node.n)));
      return freezeCanvas(groupSignature(parts, { ...sig.options }), ctx);
    }
  }
}

/** Celery's `xstarmap`: `celery.starmap` over `items` (each item the positional arguments of one call). */
export function starmapSignature(task: WireSignature, items: readonly unknown[]): WireSignature {
  return { task: 'celery.starmap', args: [], kwargs: { task, it: [...items] }, options: {}, subtask_type: 'xstarmap', immutable: true };
}

/** Celery's `xmap`: `celery.map` over `items` (each item the one argument of one call). */
export function mapSignature(task: WireSignature, items: readonly unknown[]): WireSignature {
  return { task: 'celery.map', args: [], kwargs: { task, it: [...items] }, options: {}, subtask_type: 'xmap', immutable: true };
}

function freezeTask(sig: WireSignature, ctx: FreezeContext): Frozen {
  const options: Record<string, unknown> = { ...sig.options };
  const id = str(options.task_id) ?? ctx.taskId ?? uuid();
  options.task_id = id;
  if (ctx.rootId !== undefined) options.root_id = ctx.rootId;
  if (typeof options.reply_to !== 'string') options.reply_to = ctx.oid;
  if (ctx.groupId !== undefined && typeof options.group_id !== 'string') options.group_id = ctx.groupId;
  if (ctx.chord !== undefined) options.chord = ctx.chord;
  if (ctx.groupIndex !== undefined) options.group_index = ctx.groupIndex;
  return { sig: { ...sig, options }, result: [[id, null], null] };
}

/**
 * A group frozen: its id (`ctx.taskId`, its own `task_id` or a new one) given to every member as `group_id`;
 * chord header members also get their `group_index` and the chord body.
 */
function freezeGroup(sig: WireSignature, tasks: readonly WireSignature[], ctx: FreezeContext, header: boolean): Frozen {
  const id = ctx.taskId ?? str(sig.options.task_id) ?? uuid();
  const members = groupMembers(tasks).map((member, i) =>
    freezeRead(member, {
      oid: ctx.oid,
      groupId: id,
      ...(ctx.rootId ? { rootId: ctx.rootId } : {}),
      ...(header ? { groupIndex: i } : {}),
      ...(ctx.chord ? { chord: ctx.chord } : {}),
    }),
  );
  const frozen = groupSignature(members.map((m) => m.sig), { ...sig.options, task_id: id });
  return { sig: { ...sig, kwargs: { ...sig.kwargs, tasks: frozen.kwargs.tasks }, options: frozen.options }, result: [[id, null], members.map((m) => m.result)] };
}
