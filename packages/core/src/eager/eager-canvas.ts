/**
 * Applying a canvas in the calling process (Celery's `Signature.apply`, `chain.apply`, `group.apply`,
 * `chord.apply`): the signature is frozen as for sending (`freezeForApply`: the same ids, links pushed down the
 * same way, chunks turned into their group of `celery.starmap` tasks), then each part runs here with
 * {@link applyEager}, in order:
 *
 * - a task (`celery.map`/`celery.starmap` included): one eager run, the partial arguments in front of its own;
 * - a chain: each step with the previous step's value; after a failed step the rest are FAILURE with the same error
 *   (as a worker fails the rest of a chain), nothing more runs;
 * - a group: every member, one after another; its result is an {@link EagerGroupResult};
 * - a chord: the header as a group, then the body with the list of its values, its result having the header's as
 *   its parent; a failed header member fails the body with a `ChordError` (`Dependency <id> raised …`) and runs the
 *   body's errbacks, as a worker's chord does (Celery's `chord.apply` would raise the member's error instead).
 *
 * With `task.eagerPropagates` the first failure is thrown and nothing after it runs.
 */
import { MEMBER_OWNED, freezeForApply, without, type ApplyInput } from '../canvas/apply-canvas.js';
import { dependencyFailed } from '../canvas/chord-failure.js';
import { freezeCanvas } from '../canvas/freeze.js';
import { frozenNode } from '../canvas/read-signature.js';
import { encodeException, formatTraceback } from '../protocol/exceptions.js';
import type { WireSignature } from '../protocol/task-message.js';
import { signatureCall } from '../publish/signature-call.js';
import type { ResultBase } from '../result/result-base.js';
import { currentTask } from '../task/current-task.js';
import { applyEager } from './apply-eager.js';
import { EagerGroupResult } from './eager-group-result.js';
import type { EagerHost } from './eager-host.js';
import { EagerResult } from './eager-result.js';

/** An eager canvas's result: a task's (a chain's last step's, a chord body's) or a group's. */
export type EagerCanvasResult = EagerResult | EagerGroupResult;

/**
 * Freezes and runs `sig` here (see the module comment); the result is not recorded as a child of the task running
 * now (the caller does that when it should).
 * @throws SignatureError `Q_ERR_SIGNATURE_INVALID` for a malformed signature; NotRegisteredError for a task this app
 *   does not have; with `task.eagerPropagates`, the first task error.
 */
export async function applyCanvasEagerly(host: EagerHost, sig: WireSignature, input: ApplyInput = {}): Promise<EagerCanvasResult> {
  const running = currentTask();
  const rootId = input.links?.rootId ?? running?.rootId;
  const { frozen, input: applied } = freezeForApply(host.oid, sig, input, rootId ? { rootId } : {});
  const links = { parentId: input.links?.parentId ?? running?.id ?? null, rootId: rootId ?? null };
  return runFrozen(host, frozen.sig, { ...applied, links }, null);
}

async function runFrozen(host: EagerHost, sig: WireSignature, input: ApplyInput, parent: ResultBase | null): Promise<EagerCanvasResult> {
  const node = frozenNode(sig);
  switch (node.type) {
    case 'task':
    case 'xmap':
    case 'xstarmap': {
      const options = { ...sig.options, ...(input.options ?? {}) };
      const call = signatureCall({ ...sig, options }, input.args ?? []);
      const links = input.links ?? {};
      const callOptions = { ...call.options };
      if (links.parentId != null && callOptions.parentId === undefined) callOptions.parentId = links.parentId;
      if (links.rootId != null && callOptions.rootId === undefined) callOptions.rootId = links.rootId;
      return applyEager(host, { ...call, kwargs: { ...call.kwargs, ...(input.kwargs ?? {}) }, options: callOptions, parent, record: false });
    }
    case 'chain': {
      // The chain's own options go to its first step (as Celery's `first_task.apply_async(**options)`).
      const options = { ...without(sig.options, ['task_id', 'link', 'link_error']), ...(input.options ?? {}) };
      let last: EagerCanvasResult | null = null;
      for (const [i, step] of node.tasks.entries()) {
        // A later step is the child of the one before it, as when a worker sends the next step.
        const stepInput: ApplyInput = last === null ? { ...input, options } : { args: [await last.get()], links: { ...input.links, parentId: last.id } };
        last = await runFrozen(host, step, stepInput, last ?? parent);
        const error = await failure(last);
        if (error !== undefined) {
          for (const rest of node.tasks.slice(i + 1)) last = failedResult(host, rest, error, last);
          return last;
        }
      }
      // An empty chain runs nothing (freezing gave it an id): an empty success.
      return last ?? new EagerResult(String(sig.options.task_id), { state: 'SUCCESS', value: null, traceback: null }, host, parent);
    }
    case 'group': {
      const options = { ...without(sig.options, MEMBER_OWNED), ...without(input.options, MEMBER_OWNED) };
      const members: EagerCanvasResult[] = [];
      for (const member of node.tasks) members.push(await runFrozen(host, member, { ...input, options }, null));
      return new EagerGroupResult(String(sig.options.task_id), members, host, parent);
    }
    case 'chord': {
      const extra = { ...without(sig.options, MEMBER_OWNED), ...without(input.options, MEMBER_OWNED) };
      const headerOptions = without(extra, ['link', 'link_error']);
      const header = (await runFrozen(host, node.header, { ...input, options: headerOptions }, parent)) as EagerGroupResult;
      const links = input.links ? { links: input.links } : {};
      for (const member of header.results as ResultBase[]) {
        const error = await failure(member);
        if (error === undefined) continue;
        // Header members are tasks or chains (whose result is their last task's): the member's id names the task.
        const failed = dependencyFailed(member.id, encodeException(error));
        await runErrbacks(host, node.body, input);
        return failedResult(host, node.body, failed, header);
      }
      return runFrozen(host, node.body, { args: [await header.get()], options: extra, ...links }, header);
    }
    case 'chunks':
      // Freezing turns every chunks into its group; one met here unfrozen is frozen now.
      return runFrozen(host, freezeCanvas(sig, { oid: host.oid }).sig, input, parent);
  }
}

/** The error of a failed result (a group's first failed member's), or `undefined`. */
async function failure(result: ResultBase): Promise<unknown> {
  try {
    await result.maybeThrow();
    return undefined;
  } catch (error) {
    return error;
  }
}

/** Runs the errbacks of a chord body that will not run (with its id, as a worker's chord does). */
async function runErrbacks(host: EagerHost, body: WireSignature, input: ApplyInput): Promise<void> {
  const node = frozenNode(body);
  const last = node.type === 'chain' ? node.tasks.at(-1) : body;
  const errbacks = last?.options.link_error;
  const list = Array.isArray(errbacks) ? (errbacks as WireSignature[]) : [];
  for (const errback of list) {
    try {
      await host.applyEagerly(errback, { args: [String(last?.options.task_id)], ...(input.links ? { links: input.links } : {}) });
    } catch (err) {
      host.log.error({ err, task: errback.task }, `errback ${errback.task} of a failed chord failed (eager)`);
    }
  }
}

/** The result of a part that did not run because `error` happened before it: FAILURE with that error, throughout. */
function failedResult(host: EagerHost, sig: WireSignature, error: unknown, parent: ResultBase | null): EagerCanvasResult {
  const node = frozenNode(sig);
  const id = String(sig.options.task_id);
  switch (node.type) {
    case 'group':
      return new EagerGroupResult(id, node.tasks.map((m) => failedResult(host, m, error, null)), host, parent);
    case 'chord':
      return failedResult(host, node.body, error, failedResult(host, node.header, error, parent));
    case 'chain': {
      let last: EagerCanvasResult | null = null;
      for (const step of node.tasks) last = failedResult(host, step, error, last ?? parent);
      return last ?? new EagerResult(id, { state: 'FAILURE', value: error, traceback: formatTraceback(error) }, host, parent);
    }
    default:
      return new EagerResult(id, { state: 'FAILURE', value: error, traceback: formatTraceback(error) }, host, parent);
  }
}
