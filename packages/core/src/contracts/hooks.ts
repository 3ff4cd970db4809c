/**
 * Hooks mirror Celery's signals. Each documents how handlers run:
 * - `sequential`: one after another, in registration order, awaited; a handler may change the payload.
 * - `parallel`: all at once, awaited together; payload is read-only.
 * An error thrown by a handler is wrapped in a `PluginError` naming the plugin and the hook.
 */
import type { Message } from './message.js';

/** Identifies the task a hook is about. */
export interface TaskHookInfo {
  taskId: string;
  taskName: string;
  args: readonly unknown[];
  kwargs: Readonly<Record<string, unknown>>;
  /**
   * The message's headers other than Celery's own (what a client's `beforePublish` hook or `headers` option added:
   * `traceparent`, a tenant id, …).
   */
  headers: Readonly<Record<string, unknown>>;
}

/** Payload of each hook. */
export interface HookPayloads {
  /** sequential — before a task message is published (Celery `before_task_publish`). May edit `message.headers`. */
  beforePublish: { taskId: string; taskName: string; message: Message; exchange: string; routingKey: string };
  /**
   * parallel — after a task message was published (Celery `after_task_publish`): where it went (`queue`: the queue it
   * was routed to) and its wire headers (protocol v2: `argsrepr`, `eta`, `expires`, `root_id`, …).
   */
  afterPublish: { taskId: string; taskName: string; exchange: string; routingKey: string; queue: string; headers: Readonly<Record<string, unknown>> };
  /** sequential — a worker is about to run a task (`task_prerun`). */
  taskPrerun: TaskHookInfo;
  /** sequential — a task finished, whatever the outcome (`task_postrun`). */
  taskPostrun: TaskHookInfo & { state: string; result: unknown };
  /** parallel — a task succeeded (`task_success`). */
  taskSuccess: TaskHookInfo & { result: unknown; runtimeMs: number };
  /** parallel — a task failed (`task_failure`). */
  taskFailure: TaskHookInfo & { error: unknown; traceback: string | null };
  /** parallel — a task will be retried (`task_retry`). */
  taskRetry: TaskHookInfo & { reason: unknown; countdownMs: number };
  /** parallel — a task was revoked or expired (`task_revoked`). */
  taskRevoked: TaskHookInfo & { expired: boolean; terminated: boolean };
  /** parallel — a message was rejected as unknown or malformed (`task_unknown`/`task_rejected`). */
  messageRejected: { reason: string; taskId: string | null; taskName: string | null };
  /** parallel — the worker consumes (`worker_ready`). */
  workerReady: { hostname: string };
  /** sequential — the worker is shutting down (`worker_shutdown`). */
  workerShutdown: { hostname: string; graceful: boolean };
  /** sequential — runs in each child process or thread of a pool once it loaded the app (`worker_process_init`). */
  workerProcessInit: { pid: number; pool: string; threadId: number };
  /** sequential — runs in each child process or thread of a pool before it exits (`worker_process_shutdown`). */
  workerProcessShutdown: { pid: number; pool: string; threadId: number };
  /**
   * sequential — `q` parsed its command line and is about to run `command` (Celery's `user_preload_options`):
   * `options` holds every global option's value, q's own and the plugins' (`api.cliOption`), keyed by the camel-cased
   * long flag. Runs before the command's action starts (the `-A` app is imported by then, nothing is connected), so a
   * plugin can apply what an option says.
   */
  userPreloadOptions: { command: string; options: Readonly<Record<string, unknown>> };
}

/** A hook name. */
export type HookName = keyof HookPayloads;
/** How each hook runs its handlers. */
export const HOOK_MODES: { readonly [N in HookName]: 'sequential' | 'parallel' } = {
  beforePublish: 'sequential',
  afterPublish: 'parallel',
  taskPrerun: 'sequential',
  taskPostrun: 'sequential',
  taskSuccess: 'parallel',
  taskFailure: 'parallel',
  taskRetry: 'parallel',
  taskRevoked: 'parallel',
  messageRejected: 'parallel',
  workerReady: 'parallel',
  workerShutdown: 'sequential',
  workerProcessInit: 'sequential',
  workerProcessShutdown: 'sequential',
  userPreloadOptions: 'sequential',
};
/** A hook handler. */
export type HookHandler<N extends HookName> = (payload: HookPayloads[N]) => void | Promise<void>;
