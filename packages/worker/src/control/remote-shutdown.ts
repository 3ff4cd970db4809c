/**
 * The remote `shutdown` command: a warm shutdown of the worker, started after the request is handled (the pidbox
 * stops with the worker). Whoever runs the worker — `q worker` — learns of it through {@link remoteShutdown}, as
 * it learns of a SIGTERM, to finish the same way.
 */

const requested = new WeakMap<object, { promise: Promise<void>; resolve: () => void }>();

function entry(worker: object): { promise: Promise<void>; resolve: () => void } {
  let e = requested.get(worker);
  if (e === undefined) {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => {
      resolve = r;
    });
    e = { promise, resolve };
    requested.set(worker, e);
  }
  return e;
}

/**
 * Resolves once a remote `shutdown` request has stopped `worker` (warm). Never rejects; a stop that fails is
 * logged by the worker.
 *
 * @example
 * const kind = await Promise.race([signals.done, remoteShutdown(worker).then(() => 'warm' as const)]);
 */
export function remoteShutdown(worker: object): Promise<void> {
  return entry(worker).promise;
}

/** Starts the warm shutdown of `worker` asked for remotely (on the next turn, once the request is handled). */
export function requestShutdown(worker: { stop(options?: { graceful?: boolean }): Promise<void>; readonly logger: { error(obj: object, msg: string): void } }): void {
  const e = entry(worker);
  setImmediate(() => {
    worker
      .stop({ graceful: true })
      .catch((err: unknown) => worker.logger.error({ err }, 'remote shutdown failed'))
      .finally(() => {
        e.resolve();
        requested.delete(worker);
      });
  });
}
