/**
 * The tasks every app has, as Celery's `celery.app.builtins`: what a canvas sends by name, so a worker of
 * either language runs them for a client of either language.
 *
 * - `celery.chord_unlock(group_id, callback, interval, max_retries, result)`: for backends that do not join chords
 *   themselves (memory, embedded, PostgreSQL, Python's database backend): retries itself every `interval` seconds
 *   (`result.chordRetryInterval` when null) until every header result is ready, then sends the body with the list
 *   of results, or fails it with a `ChordError` naming the first failed header task.
 * - `celery.map(task, it)` / `celery.starmap(task, it)`: call the task here once per item (`task(item)` /
 *   `task(*item)`) and return the list of values.
 * - `celery.chunks(task, it, n)`: send the chunks' group of `celery.starmap` tasks.
 * - `celery.accumulate(*args, index=None)`: `args[index]`, or all of them (the body `Task.replace` gives a group).
 * - `celery.backend_cleanup()`: deletes the results older than `result.expires` from a backend whose results do
 *   not expire by themselves (`ResultBackend.cleanup`, PostgreSQL); what beat runs daily. Nothing on the others.
 */
import type { ApplyInput, CanvasSender } from '../canvas/apply-canvas.js';
import { failChordBody, dependencyFailed } from '../canvas/chord-failure.js';
import type { ResultTuple } from '../canvas/freeze.js';
import { readSignature } from '../canvas/read-signature.js';
import { ChordError, RemoteError, SignatureError } from '../errors/q-error.js';
import { encodeException } from '../protocol/exceptions.js';
import type { WireSignature } from '../protocol/task-message.js';
import type { AsyncResult } from '../result/async-result.js';
import type { GroupResult } from '../result/group-result.js';
import type { AnyTask } from '../task/registry.js';
import type { Task } from '../task/task.js';
import type { TaskContext, TaskOptions } from '../task/types.js';
import type { ResultBackend } from '../contracts/result-backend.js';

/** What the builtin tasks need from the app. */
export interface BuiltinHost {
  task(options: TaskOptions & { bind: true }, fn: (ctx: TaskContext, ...args: never[]) => unknown): Task<never[]>;
  readonly tasks: { require(name: string): AnyTask };
  readonly conf: { readonly result: { readonly chordRetryInterval: number; readonly expires: number | null } };
  getBackend(): Promise<ResultBackend | null>;
  readonly log: { error(obj: object, msg: string): void };
  applySignature(sig: WireSignature, input: ApplyInput): Promise<ResultTuple>;
  resultFromTuple(tuple: ResultTuple): AsyncResult | GroupResult;
  groupResult(id: string, results: readonly (AsyncResult | GroupResult)[]): GroupResult;
}

const record = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

function itemsOf(it: unknown, task: string): unknown[] {
  if (!Array.isArray(it)) throw new SignatureError('Q_ERR_SIGNATURE_INVALID', `${task}: "it" must be a list of items`);
  return it;
}

/** Registers the builtin tasks on `app`; `sender` is how `chord_unlock` fails a chord body. */
export function registerBuiltinTasks(app: BuiltinHost, sender: CanvasSender): void {
  app.task(
    {
      name: 'celery.chord_unlock',
      bind: true,
      maxRetries: null,
      ignoreResult: true,
      params: ['group_id', 'callback', 'interval', 'max_retries', 'result', 'kwargs'],
      acceptsKwargs: true,
    },
    async (ctx: TaskContext, groupId: string, callback: unknown, interval: number | null, maxRetries: number | null, result: unknown) => {
      const body = readSignature(callback, 'celery.chord_unlock callback');
      if (!Array.isArray(result)) throw new SignatureError('Q_ERR_SIGNATURE_INVALID', 'celery.chord_unlock: "result" must be the list of header result tuples');
      const members = (result as ResultTuple[]).map((t) => app.resultFromTuple(t));
      const header = app.groupResult(groupId, members);
      const countdown = interval ?? app.conf.result.chordRetryInterval;
      let ready: boolean;
      try {
        ready = await header.ready();
      } catch (exc) {
        return ctx.retry({ exc, countdown, maxRetries });
      }
      if (!ready) return ctx.retry({ countdown, maxRetries });
      const log = (err: unknown, what: string): void => app.log.error({ err, groupId }, what);
      const values = (await header.join({ propagate: false })) as unknown[];
      const failed = values.findIndex((v) => v instanceof RemoteError);
      if (failed >= 0) {
        const culprit = members[failed] as AsyncResult | GroupResult;
        const error = dependencyFailed(culprit.id, encodeException(values[failed]));
        app.log.error({ groupId }, `Chord ${groupId} raised: ${error.message}`);
        await failChordBody(sender, body, error, log);
        return undefined;
      }
      try {
        await app.applySignature(body, { args: [values] });
      } catch (err) {
        app.log.error({ err, groupId }, `Chord ${groupId}: the body could not be sent`);
        await failChordBody(sender, body, new ChordError('Q_ERR_CHORD_FAILED', `Callback error: ${String(err)}`, { cause: err }), log);
      }
      return undefined;
    },
  );

  /** `celery.map` / `celery.starmap`: the task's function, here, once per item. */
  const mapTask = (name: string, star: boolean) =>
    app.task({ name, bind: true, params: ['task', 'it'] }, async (ctx: TaskContext, task: unknown, it: unknown) => {
      const sig = readSignature(task, `${name} task`);
      const fn = app.tasks.require(sig.task);
      const out: unknown[] = [];
      for (const item of itemsOf(it, name)) {
        const args = star ? itemsOf(item, name) : [item];
        out.push(await fn.run(ctx, args, {}));
      }
      return out;
    });
  mapTask('celery.map', false);
  mapTask('celery.starmap', true);

  app.task({ name: 'celery.chunks', bind: true, params: ['task', 'it', 'n'] }, async (_ctx: TaskContext, task: unknown, it: unknown, n: unknown) => {
    const wire: WireSignature = { task: 'celery.chunks', args: [], kwargs: { task, it, n }, options: {}, subtask_type: 'chunks', immutable: true };
    await app.applySignature(wire, {});
    return undefined;
  });

  app.task({ name: 'celery.backend_cleanup', bind: true, params: [] }, (_ctx: TaskContext) => cleanupBackend(app));

  app.task(
    { name: 'celery.accumulate', bind: true, params: ['kwargs'], acceptsKwargs: true },
    (_ctx: TaskContext, ...all: unknown[]) => {
      const { index } = record(all.pop());
      return typeof index === 'number' ? all[index] : all;
    },
  );
}

/**
 * Delete expired results (`celery.backend_cleanup`, `q cleanup`): `backend.cleanup` with `result.expires`; `null`
 * when there is nothing to do (no backend, one whose results expire by themselves, or `result.expires` null).
 */
export async function cleanupBackend(app: Pick<BuiltinHost, 'conf' | 'getBackend'>): Promise<{ deleted: number } | null> {
  const backend = await app.getBackend();
  const expires = app.conf.result.expires;
  if (!backend?.cleanup || expires === null) return null;
  const { deleted } = await backend.cleanup({ expiresMs: expires * 1000 });
  return { deleted };
}
