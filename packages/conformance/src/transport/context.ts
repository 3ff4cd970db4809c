/** What each transport behaviour group receives. */
import type { Transport } from '@q/core';
import { onTestFinished } from 'vitest';

/** Options of `transportSuite`. */
export interface TransportSuiteOptions {
  /**
   * Open another connection to the broker the last factory call created (a second process, in effect). Needed for
   * "redelivery after a consumer closes without acking"; those tests are skipped without it.
   */
  peer?: () => Promise<Transport>;
  /** How long to wait before concluding that nothing (more) will arrive (default 300 ms). */
  quietMs?: number;
  /** How long to wait for an expected delivery (default 5000 ms). */
  timeoutMs?: number;
  /** The transport's capabilities, to pick the groups that apply (default: read from a first instance). */
  capabilities?: Transport['capabilities'];
}

/** Shared state of one suite run. */
export interface TransportContext {
  /** A fresh, connected transport, closed when the test ends. */
  open(): Promise<Transport>;
  /** A connected peer of the last `open()`ed transport, closed when the test ends; `null` without `peer`. */
  openPeer(): Promise<Transport | null>;
  readonly hasPeer: boolean;
  readonly quietMs: number;
  readonly timeoutMs: number;
}

/** Build the context from the suite's arguments. */
export function transportContext(factory: () => Promise<Transport>, options: TransportSuiteOptions): TransportContext {
  const connected = async (make: () => Promise<Transport>): Promise<Transport> => {
    const transport = await make();
    await transport.connect();
    onTestFinished(() => transport.close());
    return transport;
  };
  return {
    open: () => connected(factory),
    openPeer: async () => (options.peer ? connected(options.peer) : null),
    hasPeer: options.peer !== undefined,
    quietMs: options.quietMs ?? 300,
    timeoutMs: options.timeoutMs ?? 5000,
  };
}

/** Declare a durable queue named `name`. */
export async function declareQueue(transport: Transport, name: string, maxPriority?: number): Promise<void> {
  await transport.declareQueue({
    name,
    durable: true,
    exclusive: false,
    autoDelete: false,
    ...(maxPriority === undefined ? {} : { maxPriority, arguments: { 'x-max-priority': maxPriority } }),
  });
}
