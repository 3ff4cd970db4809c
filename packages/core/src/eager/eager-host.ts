/**
 * What running tasks in the calling process needs from the app ({@link EagerHost}), and the two things every eager
 * run does with it besides running: firing the hooks that mirror Celery's signals (as Celery's eager tracer sends
 * `task_prerun`, `task_success`, …) and storing states when the app stores eager results.
 */
import type { ResolvedConfig } from '../config/options.js';
import type { HookName, HookPayloads } from '../contracts/hooks.js';
import type { Logger } from '../contracts/logger.js';
import type { TaskMeta } from '../contracts/result-backend.js';
import type { WireSignature } from '../protocol/task-message.js';
import { naiveUtcIso } from '../protocol/time.js';
import type { ApplyInput } from '../canvas/apply-canvas.js';
import type { ResultBase, ResultHost } from '../result/result-base.js';
import type { AnyTask } from '../task/registry.js';

/** The app, as eager runs see it. */
export interface EagerHost extends ResultHost {
  readonly conf: ResolvedConfig;
  /** The app's oid (`replyTo` of eager requests) and node name (`hostname`, `origin`). */
  readonly oid: string;
  readonly origin: string;
  readonly log: Logger;
  readonly tasks: { require(name: string): AnyTask };
  /** The plugins' hooks (set up first by {@link EagerHost.loadPlugins}). */
  readonly plugins: {
    hasHook(name: HookName): boolean;
    runHook<N extends HookName>(name: N, payload: HookPayloads[N]): Promise<void>;
  };
  /** Sets up the configured plugins (once), so their hooks see eager runs. */
  loadPlugins(): Promise<void>;
  /** Applies a signature of any kind eagerly (callbacks, errbacks, a replacement). */
  applyEagerly(sig: WireSignature, input: ApplyInput): Promise<ResultBase>;
}

/** Runs hook `name` when a plugin listens to it. */
export async function runEagerHook<N extends HookName>(host: EagerHost, name: N, payload: () => HookPayloads[N]): Promise<void> {
  if (host.plugins.hasHook(name)) await host.plugins.runHook(name, payload());
}

/** Celery's ready states: `date_done` is set for these. */
const READY: ReadonlySet<string> = new Set(['SUCCESS', 'FAILURE', 'REVOKED']);

/** What one eager run stores, and for whom. */
export interface EagerStoreInit {
  readonly taskId: string;
  readonly name: string;
  readonly args: readonly unknown[];
  readonly kwargs: Readonly<Record<string, unknown>>;
  readonly retries: number;
  readonly parentId: string | null;
  readonly groupId: string | null;
}

/**
 * Stores a state of an eager run in the result backend (Celery's documents, as a worker writes them). A backend
 * error is logged, not thrown: storing must not change the run's outcome. Nothing happens without a backend.
 */
export async function storeEagerState(
  host: EagerHost,
  run: EagerStoreInit,
  state: { status: string; result: unknown; traceback?: string | null; children?: unknown[] },
): Promise<void> {
  try {
    const backend = await host.getBackend();
    if (!backend) return;
    const meta: TaskMeta = {
      taskId: run.taskId,
      status: state.status,
      result: state.result,
      traceback: state.traceback ?? null,
      children: state.children ?? [],
      dateDone: READY.has(state.status) ? naiveUtcIso(new Date()) : null,
    };
    if (run.parentId !== null) meta.parentId = run.parentId;
    if (run.groupId !== null) meta.groupId = run.groupId;
    if (host.conf.result.extended) {
      meta.extended = { name: run.name, args: [...run.args], kwargs: { ...run.kwargs }, worker: host.origin, retries: run.retries, queue: null };
    }
    const expires = host.conf.result.expires;
    await backend.storeResult(meta, { expiresMs: expires === null ? null : expires * 1000, replyTo: host.oid, correlationId: run.taskId });
  } catch (err) {
    host.log.error({ err, taskId: run.taskId, state: state.status }, `could not store ${state.status} of ${run.name}[${run.taskId}] (eager)`);
  }
}
