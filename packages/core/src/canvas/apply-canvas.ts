/**
 * Applying a canvas: the one way a signature of any kind is sent, by a client (`sig.applyAsync()`,
 * `chain(...).applyAsync()`) and by a worker (a `link`, the next chain step, a chord body, a builtin task),
 * so a chain or a chord built in Python runs in q exactly as one built in q. It freezes the canvas
 * (`freeze.ts`), then sends its tasks, each through the sender's one-call path (`buildTaskMessage`):
 *
 * - a task: one message, the partial arguments in front of its own (not when immutable);
 * - a chain: its first step, carrying the rest as the reversed `chain` stack; a chord step takes the rest of
 *   the chain into its body;
 * - a group: every member, each with the partial arguments;
 * - a chord: with a backend that counts chord parts natively (Redis), the header size first (`.s`), then the
 *   header; with one that does not (memory, embedded, PostgreSQL), a `celery.chord_unlock` task first (it polls
 *   the header and sends the body), then the header; the rpc backend and no backend refuse it
 *   (`Q_ERR_CHORD_UNSUPPORTED`), as Celery does; an empty header sends the body at once with `[]`.
 */
import type { ResultBackend } from '../contracts/result-backend.js';
import { ConfigError } from '../errors/q-error.js';
import type { TaskCall } from '../publish/build-task-message.js';
import type { CallLinks } from '../publish/send-task.js';
import { signatureCall } from '../publish/signature-call.js';
import type { WireSignature } from '../protocol/task-message.js';
import { appendOption, freezeCanvas, type FreezeContext, type Frozen, type ResultTuple } from './freeze.js';
import { frozenNode, readSignature } from './read-signature.js';
import { shareSerialized } from '../protocol/python-json.js';

export type { CallLinks };

/** What applying needs from the app (a client's or a worker's). */
export interface CanvasSender {
  /** `reply_to` of frozen tasks. */
  readonly oid: string;
  /** Route, build and publish one call; resolves to its id once the broker has it. */
  send(call: TaskCall, links: CallLinks): Promise<string>;
  /** The result backend (connected), or `null` when results are disabled. */
  backend(): Promise<ResultBackend | null>;
  /** The queue a task of this name is routed to (where `celery.chord_unlock` for its body goes). */
  queueOf(taskName: string): string;
  /** `result.expires` in ms (the chord size key's lifetime); `null`: never. */
  readonly resultExpiresMs: number | null;
}

/** How one signature is applied. */
export interface ApplyInput {
  /** Partial arguments, in front of the signature's own (a callback's parent result, a chain's input). */
  readonly args?: readonly unknown[];
  /** Keyword arguments merged over the signature's own. */
  readonly kwargs?: Readonly<Record<string, unknown>>;
  /** Wire options (Celery's names) over the signature's own. */
  readonly options?: Readonly<Record<string, unknown>>;
  readonly links?: CallLinks;
}

/** Options a caller may not give a whole group or chord: they belong to its members. */
export const MEMBER_OWNED: readonly string[] = ['task_id', 'group_id', 'group_index', 'chord', 'chain'];

/** `options` without `keys`. */
export function without(options: Readonly<Record<string, unknown>> | undefined, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(options ?? {}) };
  for (const key of keys) delete out[key];
  return out;
}

/**
 * Freeze and apply `sig`; resolves to the handle of its result (a task's, a chain's last step's with its
 * parents, a group's, a chord body's with the header as its parent) once every message is with the broker.
 * `freeze` may add to the context (a caller's `task_id`, a workflow's root).
 * @throws SignatureError `Q_ERR_SIGNATURE_INVALID` for a malformed signature; ConfigError
 *   `Q_ERR_CHORD_UNSUPPORTED` for a chord the backend cannot run.
 */
export async function applyCanvas(sender: CanvasSender, sig: WireSignature, input: ApplyInput = {}, freeze: Partial<FreezeContext> = {}): Promise<ResultTuple> {
  const { frozen, input: applied } = freezeForApply(sender.oid, sig, input, freeze);
  await applyFrozen(sender, frozen.sig, applied);
  return frozen.result;
}

/**
 * `sig` frozen for applying with `input` (by {@link applyCanvas}, and by eager mode): a caller's `task_id` is the
 * result's id, and a composite's `link`/`link_error` given with the call are moved where its own would go; returns
 * the input left to apply.
 */
export function freezeForApply(oid: string, sig: WireSignature, input: ApplyInput, freeze: Partial<FreezeContext> = {}): { frozen: Frozen; input: ApplyInput } {
  const taskId = typeof input.options?.task_id === 'string' ? input.options.task_id : undefined;
  let target = sig;
  let applied = input;
  if (sig.subtask_type !== null && input.options && ('link' in input.options || 'link_error' in input.options)) {
    // A composite's callbacks and errbacks given with the call go where its own would (see `pushDownLinks`).
    const { link, link_error: linkError, ...rest } = input.options;
    target = appendOption(appendOption(sig, 'link', link === undefined ? [] : Array.isArray(link) ? link : [link]), 'link_error',
      linkError === undefined ? [] : Array.isArray(linkError) ? linkError : [linkError]);
    applied = { ...input, options: rest };
  }
  return { frozen: freezeCanvas(target, { oid, ...(taskId ? { taskId } : {}), ...freeze }), input: applied };
}

/** How many messages of one group or chord header are sent at once (their publishes are batched by the broker). */
const SEND_WINDOW = 256;

/** Runs `fn` on every item, in order, at most `window` at a time; rejects with the first failure (after the rest settled). */
async function eachInWindow<T>(items: readonly T[], fn: (item: T) => Promise<void>, window = SEND_WINDOW): Promise<void> {
  const running = new Set<Promise<void>>();
  const failure: { error?: unknown; failed: boolean } = { failed: false };
  for (const item of items) {
    if (failure.failed) break;
    const p: Promise<void> = fn(item).then(
      () => {
        running.delete(p);
      },
      (error: unknown) => {
        running.delete(p);
        if (!failure.failed) Object.assign(failure, { failed: true, error });
      },
    );
    running.add(p);
    if (running.size >= window) await Promise.race(running);
  }
  await Promise.all(running);
  if (failure.failed) throw failure.error;
}

/**
 * Send a frozen signature (see the module comment). `sig` must come from `freezeCanvas` (every part read and
 * given its ids): it is not checked again.
 */
export async function applyFrozen(sender: CanvasSender, sig: WireSignature, input: ApplyInput): Promise<void> {
  const node = frozenNode(sig);
  const links = input.links ?? {};
  switch (node.type) {
    case 'task':
    case 'xmap':
    case 'xstarmap': {
      const options = { ...sig.options, ...(input.options ?? {}) };
      const call = signatureCall({ ...sig, options }, input.args ?? []);
      const kwargs = { ...call.kwargs, ...(input.kwargs ?? {}) };
      // A chord body carries the rest of its chain in its options (Celery's `body.options['chain']`).
      const carried = Array.isArray(options.chain) ? (options.chain as unknown[]).map((s, i) => readSignature(s, `chain[${i}]`)) : null;
      await sender.send({ ...call, kwargs }, { ...links, chain: links.chain && links.chain.length > 0 ? links.chain : carried });
      return;
    }
    case 'chain': {
      const [first, ...rest] = node.tasks;
      if (first === undefined) return;
      // The chain's own options go to its first step (as Celery's `first_task.apply_async(**options)`).
      const options = { ...without(sig.options, ['task_id', 'link', 'link_error']), ...(input.options ?? {}) };
      const chain = [...(links.chain ?? []), ...rest.reverse()];
      await applyFrozen(sender, first, { ...input, options, links: { ...links, chain } });
      return;
    }
    case 'group': {
      const options = { ...without(sig.options, MEMBER_OWNED), ...without(input.options, MEMBER_OWNED) };
      const memberInput: ApplyInput = { ...input, options, links: { ...links, chain: null } };
      await eachInWindow(node.tasks, (member) => applyFrozen(sender, member, memberInput));
      return;
    }
    case 'chord':
      return applyChord(sender, node.header, node.body, sig.options, input);
    case 'chunks':
      // Freezing turned every chunks into its group; an unfrozen one is frozen now.
      await applyCanvas(sender, sig, input);
      return;
  }
}

async function applyChord(
  sender: CanvasSender,
  header: WireSignature,
  frozenBody: WireSignature,
  chordOptions: Readonly<Record<string, unknown>>,
  input: ApplyInput,
): Promise<void> {
  const links = input.links ?? {};
  // Frozen: nested groups are unrolled already.
  const members = header.kwargs.tasks as WireSignature[];
  // The chord's own options and the caller's go to the body and to every header member (Celery's `chord.run`); the
  // rest of a chain travels in the body's options.
  const extra = { ...without(chordOptions, MEMBER_OWNED), ...without(input.options, MEMBER_OWNED) };
  const chain = links.chain && links.chain.length > 0 ? { chain: [...links.chain] } : {};
  const changed = Object.keys(extra).length > 0 || 'chain' in chain;
  // Shared by every header message (written to JSON once for all of them).
  // A copy of its own (frozen deep: nothing of the caller's may be frozen with it).
  const body: WireSignature = shareSerialized(structuredClone(changed ? { ...frozenBody, options: { ...frozenBody.options, ...extra, ...chain } } : frozenBody));
  const memberOptions = { ...without(chordOptions, [...MEMBER_OWNED, 'link', 'link_error']), ...without(input.options, [...MEMBER_OWNED, 'link', 'link_error']) };
  if (members.length === 0) {
    await applyFrozen(sender, body, { args: [[]], links: { ...links, chain: null } });
    return;
  }
  const backend = await sender.backend();
  const mode = backend?.capabilities.chords ?? 'none';
  if (backend === null || mode === 'none') {
    throw new ConfigError(
      'Q_ERR_CHORD_UNSUPPORTED',
      backend === null
        ? 'a chord needs a result backend to join its header, and this app has none (backend: null)'
        : `the result backend ${backend.describe()} does not support chords (its results reach only the caller); use Redis, PostgreSQL, embedded or memory results`,
    );
  }
  const groupId = typeof header.options.task_id === 'string' ? header.options.task_id : String(members[0]?.options.group_id);
  // Every member names the body it completes (the one shared object).
  const headerMembers = members.map((m) => rebindChord(m, body));
  if (mode === 'native') {
    if (!backend.setChordSize) throw new ConfigError('Q_ERR_CHORD_UNSUPPORTED', `the result backend ${backend.describe()} declares native chords but has no setChordSize`);
    await backend.setChordSize(groupId, headerMembers.length, { expiresMs: sender.resultExpiresMs });
  } else {
    const queue = typeof body.options.queue === 'string' ? body.options.queue : sender.queueOf(body.task);
    const priority = typeof body.options.priority === 'number' ? body.options.priority : undefined;
    await sender.send(
      {
        name: 'celery.chord_unlock',
        args: [groupId, body],
        kwargs: { interval: null, max_retries: null, result: headerMembers.map((m) => memberResult(m)) },
        options: { countdown: 1, queue, ignoreResult: true, ...(priority === undefined ? {} : { priority }) },
      },
      { parentId: links.parentId ?? null, rootId: links.rootId ?? null, chain: null },
    );
  }
  const memberInput: ApplyInput = { ...input, options: memberOptions, links: { ...links, chain: null } };
  await eachInWindow(headerMembers, (member) => applyFrozen(sender, member, memberInput));
}

/** A frozen header member with its `chord` option (and that of its last task, for a chain) set to `body`. */
function rebindChord(member: WireSignature, body: WireSignature): WireSignature {
  const node = frozenNode(member);
  if (node.type === 'chain') {
    const tasks = [...node.tasks];
    const last = tasks.at(-1);
    if (last) tasks[tasks.length - 1] = rebindChord(last, body);
    return { ...member, kwargs: { ...member.kwargs, tasks } };
  }
  if (node.type === 'chord') {
    return { ...member, kwargs: { ...member.kwargs, body: rebindChord(node.body, body) } };
  }
  return { ...member, options: { ...member.options, chord: body } };
}

/** The result tuple of a frozen header member (its last task's, for a chain). */
function memberResult(member: WireSignature): ResultTuple {
  const node = frozenNode(member);
  if (node.type === 'chain') return memberResult(node.tasks.at(-1) as WireSignature);
  if (node.type === 'chord') return memberResult(node.body);
  return [[String(member.options.task_id), null], null];
}
