/**
 * The messages between a pool and its child processes or threads. Every message is plain data (structured-clone
 * safe): jobs go down as descriptors, outcomes come up as data, and what a body asks of the main thread
 * (`ctx.updateState`) comes up as a call the parent answers.
 */
import type { ChildAppSource, JobDescriptor, RemoteOutcome, SerializedError } from '@q/core/adapter';

/** What a child needs to start: how to load the app, and the pool's name (for the process hooks). */
export interface ChildBoot {
  readonly app: ChildAppSource;
  readonly pool: string;
  /** Report the child's memory after each job (only `maxMemoryPerChild` needs it; reading it costs per task). */
  readonly reportMemory?: boolean;
}

/** Parent → child. */
export type ParentMessage =
  | { readonly t: 'run'; readonly id: number; readonly job: JobDescriptor }
  /** The soft time limit of job `id` passed: its signal aborts with `SoftTimeLimitExceeded`. */
  | { readonly t: 'soft'; readonly id: number; readonly seconds: number }
  /** The answer to call `rid`. */
  | { readonly t: 'reply'; readonly rid: number; readonly error?: SerializedError }
  /** Run `workerProcessShutdown`, then exit. */
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
  | { readonly t: 'call'; readonly rid: number; readonly id: number; readonly op: 'updateState'; readonly state: string; readonly meta: unknown };

/** Environment variable a child process reads its {@link ChildBoot} from (threads get it as `workerData`). */
export const CHILD_BOOT_ENV = 'Q_POOL_CHILD_BOOT';
