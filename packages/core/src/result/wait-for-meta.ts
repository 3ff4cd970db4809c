/**
 * `waitForMeta`: waits for one task's final state document, by the backend's push (`watch`) when it has one, by
 * polling otherwise. `AsyncResult.get()` waits with it, and so does a set's join for each member on a push backend.
 */
import type { ResultBackend, TaskMeta } from '../contracts/result-backend.js';
import { isReady } from './states.js';

/** How {@link waitForMeta} waits. */
export interface MetaWait {
  /** Epoch ms after which the wait fails with `timeout()`, or `null` to wait forever. */
  deadline: number | null;
  /** Builds the error of a wait past its deadline. */
  timeout: () => Error;
  /** Ends the wait with the signal's reason (the caller's signal, a join ending, …). */
  signal?: AbortSignal | undefined;
  /** The host's close signal: ends a poll with its reason (a push wait is ended by its backend instead). */
  closeSignal?: AbortSignal | undefined;
  /** Milliseconds between polls, and between `onInterval` calls while a push wait waits. */
  intervalMs: number;
  /** Called with every stored document the wait reads or is sent, with whether it is final. May throw: the wait fails. */
  observe?: ((meta: TaskMeta, ready: boolean) => void) | undefined;
  /** Called between polls, and every `intervalMs` of a push wait (Celery's `on_interval`). A rejection fails the wait. */
  onInterval?: (() => Promise<void>) | undefined;
}

/** Waits until `taskId` is SUCCESS, FAILURE or REVOKED and returns that document. */
export function waitForMeta(backend: ResultBackend, taskId: string, wait: MetaWait): Promise<TaskMeta> {
  // A push backend ends its waits itself when it closes (`onEnd`, naming the backend); a poll ends with the app.
  if (backend.capabilities.push && backend.watch) return watchMeta(backend, backend.watch.bind(backend), taskId, wait);
  return pollMeta(backend, taskId, wait);
}

async function pollMeta(backend: ResultBackend, taskId: string, wait: MetaWait): Promise<TaskMeta> {
  const { closeSignal, deadline, intervalMs } = wait;
  const signal = closeSignal && wait.signal ? AbortSignal.any([wait.signal, closeSignal]) : (wait.signal ?? closeSignal);
  for (;;) {
    if (signal?.aborted) throw signal.reason;
    const meta = await backend.getTaskMeta(taskId);
    if (meta) {
      const ready = isReady(meta.status);
      wait.observe?.(meta, ready);
      if (ready) return meta;
    }
    if (signal?.aborted) throw signal.reason;
    await wait.onInterval?.();
    const left = deadline === null ? intervalMs : deadline - Date.now();
    if (left <= 0) throw wait.timeout();
    await sleep(Math.min(intervalMs, left), signal);
  }
}

async function watchMeta(
  backend: ResultBackend,
  watch: NonNullable<ResultBackend['watch']>,
  taskId: string,
  wait: MetaWait,
): Promise<TaskMeta> {
  const { deadline, signal } = wait;
  let settle: ((meta: TaskMeta) => void) | null = null;
  const arrived = new Promise<TaskMeta>((resolve) => {
    settle = resolve;
  });
  // The backend ended the subscription (it closed, or lost it for good), or `observe` threw: the wait fails.
  let fail: ((error: unknown) => void) | null = null;
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  failed.catch(() => undefined); // raced below, or not at all when the first read finds the result
  const observe = (meta: TaskMeta): boolean => {
    const ready = isReady(meta.status);
    try {
      wait.observe?.(meta, ready);
    } catch (error) {
      fail?.(error);
    }
    return ready;
  };
  // Subscribe and read the stored state at the same time (one round trip, not two, when the task is done).
  const subscribing = watch(
    taskId,
    (meta) => {
      if (observe(meta)) settle?.(meta);
    },
    (error) => fail?.(error),
  );
  // Handled now: the subscription may fail while the read below is pending (the app closing in the same turn),
  // which must not be an unhandled rejection. `await subscribing` below still throws its error.
  subscribing.catch(() => undefined);
  let early: TaskMeta | null;
  try {
    early = await backend.getTaskMeta(taskId);
  } catch (err) {
    await dropWatch(subscribing);
    throw err;
  }
  if (early && isReady(early.status)) {
    // Nothing to wait for. The subscription is ended as soon as it is made; its confirmation is not waited for.
    void dropWatch(subscribing);
    wait.observe?.(early, true);
    return early;
  }
  let unsubscribe: () => Promise<void>;
  try {
    if (early) observe(early);
    unsubscribe = await subscribing;
  } catch (err) {
    void dropWatch(subscribing);
    throw err;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  let ticker: ReturnType<typeof setTimeout> | undefined;
  let over = false;
  let onAbort: (() => void) | undefined;
  try {
    // That read may have run before the subscription was active: read again now that it is (no lost result).
    // Whichever comes first wins: that read finding the result, or the result's message.
    const reread = backend.getTaskMeta(taskId).then((stored) => (stored && observe(stored) ? stored : arrived));
    const racers: Promise<TaskMeta>[] = [arrived, reread, failed];
    if (deadline !== null) {
      racers.push(
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(wait.timeout()), Math.max(0, deadline - Date.now()));
        }),
      );
    }
    if (signal) {
      racers.push(
        new Promise<never>((_, reject) => {
          onAbort = () => reject(signal.reason);
          if (signal.aborted) onAbort();
          else signal.addEventListener('abort', onAbort, { once: true });
        }),
      );
    }
    const onInterval = wait.onInterval;
    if (onInterval) {
      const tick = (): void => {
        ticker = setTimeout(() => {
          onInterval().then(
            () => {
              if (!over) tick();
            },
            (error: unknown) => fail?.(error),
          );
        }, wait.intervalMs);
      };
      tick();
    }
    return await Promise.race(racers);
  } finally {
    over = true;
    if (timer) clearTimeout(timer);
    if (ticker) clearTimeout(ticker);
    if (signal && onAbort) signal.removeEventListener('abort', onAbort);
    // The listener is gone now; the backend's UNSUBSCRIBE goes out in this turn, its reply is not waited for
    // (it is not on the caller's path; a backend closed meanwhile has nothing left to end).
    void dropWatch(Promise.resolve(unsubscribe));
  }
}

/** Ends a subscription that is no longer needed, whether or not it was set up. */
export async function dropWatch(subscribing: Promise<() => Promise<void>>): Promise<void> {
  try {
    await (await subscribing)();
  } catch {
    // The subscription failed or the backend is closing: there is nothing left to end.
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
