/**
 * What the app calls for eager mode: {@link eagerHost} makes the {@link EagerHost} of an app, {@link applyTaskEagerly}
 * is `task.apply()` (and `applyAsync` with `task.alwaysEager`), {@link applySignatureEagerly} a canvas's
 * `applyAsync` with `task.alwaysEager`.
 */
import type { ApplyInput } from '../canvas/apply-canvas.js';
import type { WireSignature } from '../protocol/task-message.js';
import type { EagerApplyOptions } from '../task/types.js';
import { applyEager, recordChild } from './apply-eager.js';
import { applyCanvasEagerly, type EagerCanvasResult } from './eager-canvas.js';
import type { EagerHost } from './eager-host.js';
import type { EagerResult } from './eager-result.js';

/** The app as {@link eagerHost} reads it: everything an {@link EagerHost} has but the canvas applier. */
export type EagerApp = Omit<EagerHost, 'applyEagerly' | 'closeSignal' | 'control'> & Required<Pick<EagerHost, 'closeSignal' | 'control'>>;

/** The {@link EagerHost} of `app` (read through, so it follows the app). */
export function eagerHost(app: EagerApp): EagerHost {
  const host: EagerHost = {
    get conf() {
      return app.conf;
    },
    get oid() {
      return app.oid;
    },
    get origin() {
      return app.origin;
    },
    get log() {
      return app.log;
    },
    get tasks() {
      return app.tasks;
    },
    get plugins() {
      return app.plugins;
    },
    get closeSignal() {
      return app.closeSignal;
    },
    get control() {
      return app.control;
    },
    loadPlugins: () => app.loadPlugins(),
    getBackend: () => app.getBackend(),
    applyEagerly: (sig, input) => applyCanvasEagerly(host, sig, input),
  };
  return host;
}

/**
 * Runs task `name` here (`task.apply`, Celery's `Task.apply`): `options` are `applyAsync`'s (`taskId`, `link`,
 * `linkError`, `headers`, `priority`, … as the context shows them; `countdown`, `eta`, `expires` and routing have no
 * effect), plus `retries` and `throw`.
 */
export function applyTaskEagerly<T>(
  host: EagerHost,
  name: string,
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
  options: EagerApplyOptions,
): Promise<EagerResult<T>> {
  const { retries, throw: propagate, ...rest } = options;
  return applyEager<T>(host, {
    name,
    args,
    kwargs,
    options: rest,
    ...(retries !== undefined ? { retries } : {}),
    ...(propagate !== undefined ? { throw: propagate } : {}),
  });
}

/** Runs the canvas `sig` here and records its result as a child of the task running now, if any. */
export async function applySignatureEagerly(host: EagerHost, sig: WireSignature, input: ApplyInput): Promise<EagerCanvasResult> {
  const result = await applyCanvasEagerly(host, sig, input);
  recordChild(result);
  return result;
}
