/**
 * The messages between a pool and its child processes or threads. Every message is plain data (structured-clone
 * safe): jobs go down as descriptors (several in one message when the pool queues more than one in a child), outcomes
 * come up as data, and what a body asks of the main thread (`ctx.updateState`) comes up as a call the parent answers.
 *
 * A child runs its jobs one at a time in the order they arrived, and sends a job's `done` before it starts the next
 * one: the parent knows which job runs in a child (the first one not done nor handed back), and when it started.
 */
import type { ChildAppSource, JobDescriptor, RemoteOutcome, SerializedError } from '@q/core/adapter';

/** What a child needs to start: how to load the app, and the pool's name (for the process hooks). */
export interface ChildBoot {
  readonly app: ChildAppSource;
  readonly pool: string;
  /** Report the child's memory after each job (only `maxMemoryPerChild` needs it; reading it costs per task). */
  readonly reportMemory?: boolean;
  /**
   * Recycling limits: once a job's `done` shows the child reached `maxTasks` jobs or a memory above `maxMemoryKiB`,
   * it starts nothing more and hands its queue back (the parent decides alike from the same numbers, and retires it).
   */
  readonly maxTasks?: number | undefined;
  readonly maxMemoryKiB?: number | undefined;
}

/** Parent → child. */
export type ParentMessage =
  /** Queue these jobs, to run in this order after those already queued. */
  | { readonly t: 'run'; readonly jobs: readonly { readonly id: number; readonly job: JobDescriptor }[] }
  /** Hand back those of these jobs that have not started (answered by `handed-back`, with the ids taken out). */
  | { readonly t: 'cancel'; readonly ids: readonly number[] }
  /** The soft time limit of job `id` passed: its signal aborts with `SoftTimeLimitExceeded`. */
  | { readonly t: 'soft'; readonly id: number; readonly seconds: number }
  /** The answer to call `rid`. */
  | { readonly t: 'reply'; readonly rid: number; readonly error?: SerializedError }
  /** Hand back the jobs not started, finish the running one, run `workerProcessShutdown`, then exit. */
  | { readonly t: 'stop' };

/** Child → parent. */
export type ChildMessage =
  | { readonly t: 'ready' }
  | { readonly t: 'boot-failed'; readonly error: SerializedError }
  /**
   * Job `id` finished; `rss` is the child's resident memory in KiB afterwards; `children` are the result tuples of
   * what the body sent (absent when it sent nothing).
   */
  | { readonly t: 'done'; readonly id: number; readonly outcome: RemoteOutcome; readonly rss: number; readonly children?: readonly unknown[] }
  | { readonly t: 'call'; readonly rid: number; readonly id: number; readonly op: 'updateState'; readonly state: string; readonly meta: unknown }
  /** These queued jobs were taken out without running (a `cancel`, or a `stop`). */
  | { readonly t: 'handed-back'; readonly ids: readonly number[] };

/** Environment variable a child process reads its {@link ChildBoot} from (threads get it as `workerData`). */
export const CHILD_BOOT_ENV = 'Q_POOL_CHILD_BOOT';
