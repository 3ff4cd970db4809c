/**
 * The jobs of the pool conformance suite. Each names a task of {@link suiteApp} and carries the same body: pools on
 * the event loop call `run(signal)`, pools with children call `runRemote(dispatch)` with the job as a descriptor.
 */
import { threadId } from 'node:worker_threads';
import type { JobDescriptor, PoolJob } from '@q/core/adapter';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The bodies, by task name. */
export const suiteBodies: Readonly<Record<string, (signal: AbortSignal, ...args: unknown[]) => unknown>> = {
  'suite.echo': (_signal, value) => value,
  'suite.fail': (_signal, message) => {
    throw new TypeError(String(message));
  },
  'suite.sleep': async (_signal, ms) => {
    await sleep(Number(ms));
    return ms;
  },
  /** Resolves with the code of the reason the signal aborts with. */
  'suite.waitAbort': (signal) =>
    new Promise((resolve) => signal.addEventListener('abort', () => resolve((signal.reason as { code?: string }).code ?? 'aborted'))),
  /** Computes for `ms` without yielding. */
  'suite.spin': (_signal, ms) => {
    const end = performance.now() + Number(ms);
    while (performance.now() < end) {
      // busy
    }
    return ms;
  },
  'suite.where': () => `${process.pid}/${threadId}`,
};

let seq = 0;

/** A job running suite task `name` with `args`. */
export function suiteJob(name: keyof typeof suiteBodies & string, args: unknown[] = []): PoolJob {
  seq += 1;
  const id = `suite-${process.pid}-${seq}`;
  const body = suiteBodies[name] as (signal: AbortSignal, ...args: unknown[]) => unknown;
  const descriptor: JobDescriptor = {
    taskName: name,
    args,
    kwargs: {},
    request: {
      id,
      name,
      retries: 0,
      eta: null,
      expires: null,
      parentId: null,
      rootId: id,
      groupId: null,
      groupIndex: null,
      hostname: 'suite@localhost',
      origin: 'suite',
      replyTo: '',
      correlationId: id,
      deliveryInfo: { exchange: '', routingKey: 'celery', priority: 0, redelivered: false },
      timeLimit: [null, null],
      headers: {},
      callbacks: null,
      errbacks: null,
      chain: null,
      chord: null,
      argsrepr: JSON.stringify(args),
      kwargsrepr: '{}',
    },
  };
  return {
    taskId: id,
    taskName: name,
    run: async (signal) => body(signal, ...args),
    runRemote: (dispatch) => dispatch(descriptor, { updateState: async () => undefined, accepted: () => undefined }),
  };
}
