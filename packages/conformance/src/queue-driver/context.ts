/** What each queue-driver behaviour group receives. */
import type { QueueDriver } from '@q/core';
import { onTestFinished } from 'vitest';

/** Options a suite passes to the factory. */
export interface QueueDriverFactoryOptions {
  /** Visibility timeout to configure (only asked for when the suite option `visibilityTimeout` is set). */
  visibilityTimeoutMs?: number;
}

/** Options of `queueDriverSuite`. */
export interface QueueDriverSuiteOptions {
  /** The driver redelivers leases that are neither acked nor released after a visibility timeout given to the factory. */
  visibilityTimeout?: boolean;
  /** `reserve` waits up to `waitMs` for a message (polling inside) even though `blockingReserve` is false. */
  waitingReserve?: boolean;
  /** Visibility timeout used by those tests (default 400 ms). */
  visibilityTimeoutMs?: number;
  /** How long to wait for an expected message (default 5000 ms). */
  timeoutMs?: number;
  /** Open another driver on the store the last factory call created (tests across connections are skipped without it). */
  peer?: () => Promise<QueueDriver>;
  /**
   * `Lease.tag` is the store's receipt handle (SQS: a new one per receipt), not the envelope's delivery tag: the suite
   * then checks that the tags of a reserve are distinct non-empty strings instead of the published tags.
   */
  receiptTags?: boolean;
  /**
   * `first` (default): a released lease is delivered before the messages already waiting. `any`: it is delivered
   * again, flagged redelivered, but not necessarily first (SQS standard queues do not keep an order).
   */
  releaseOrder?: 'first' | 'any';
}

/** Shared state of one suite run. */
export interface QueueDriverContext {
  /** A fresh, connected driver, closed when the test ends. */
  open(options?: QueueDriverFactoryOptions): Promise<QueueDriver>;
  /** A connected peer of the last opened driver, closed when the test ends; `null` without `peer`. */
  openPeer(): Promise<QueueDriver | null>;
  readonly hasPeer: boolean;
  readonly visibilityTimeoutMs: number | null;
  readonly timeoutMs: number;
  readonly receiptTags: boolean;
  readonly releaseOrder: 'first' | 'any';
}

export function queueDriverContext(
  factory: (options: QueueDriverFactoryOptions) => Promise<QueueDriver>,
  options: QueueDriverSuiteOptions,
): QueueDriverContext {
  const connected = async (make: () => Promise<QueueDriver>): Promise<QueueDriver> => {
    const driver = await make();
    await driver.connect();
    onTestFinished(() => driver.close());
    return driver;
  };
  return {
    open: (factoryOptions = {}) => connected(() => factory(factoryOptions)),
    openPeer: async () => (options.peer ? connected(options.peer) : null),
    hasPeer: options.peer !== undefined,
    visibilityTimeoutMs: options.visibilityTimeout ? (options.visibilityTimeoutMs ?? 400) : null,
    timeoutMs: options.timeoutMs ?? 5000,
    receiptTags: options.receiptTags ?? false,
    releaseOrder: options.releaseOrder ?? 'first',
  };
}
