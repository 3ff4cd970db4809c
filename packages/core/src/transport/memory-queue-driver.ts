/**
 * The in-process queue driver (`memory://`). State is shared by namespace, so an app and a worker running in
 * the same process see the same queues. Priorities use kombu's steps (0, 3, 6, 9; 0 served first), `reserve`
 * blocks until a message arrives, bindings are kept per namespace, and fanout is left to the core to emulate.
 */
import type {
  Lease,
  NativeDelay,
  PutOptions,
  QueueDriver,
  QueueDriverCapabilities,
  ReserveOptions,
  StoredBinding,
} from '../contracts/queue-driver.js';
import { markRedelivered } from '../protocol/envelope.js';
import { PRIORITY_STEPS, priorityStep, type PriorityStep } from './priority-steps.js';

/** Options of {@link memoryQueueDriver}. */
export interface MemoryQueueDriverOptions {
  /** Drivers with the same namespace share queues and bindings (default `default`). */
  namespace?: string;
  /**
   * Honour `put`'s `delayMs` (up to `maxDelayMs`), as a broker with delayed delivery does (SQS `DelaySeconds`):
   * for testing code paths that use `nativeDelay`. Default `false`: no delay, ETA tasks are held by the worker.
   */
  nativeDelay?: NativeDelay;
}

interface Entry {
  payload: string;
  tag: string;
}

/** One queue: a FIFO per priority step. */
type StepLists = Record<PriorityStep, Entry[]>;

interface NamespaceState {
  queues: Map<string, StepLists>;
  bindings: Map<string, StoredBinding[]>;
  /** Woken on every put. */
  waiters: Set<() => void>;
  /** Messages put with a native delay, not yet in their queue: their timers, by queue (a purge cancels them). */
  delayed: Map<string, Set<ReturnType<typeof setTimeout>>>;
}

const namespaces = new Map<string, NamespaceState>();

function namespaceState(name: string): NamespaceState {
  let state = namespaces.get(name);
  if (!state) {
    state = { queues: new Map(), bindings: new Map(), waiters: new Set(), delayed: new Map() };
    namespaces.set(name, state);
  }
  return state;
}

function lists(state: NamespaceState, queue: string): StepLists {
  let q = state.queues.get(queue);
  if (!q) {
    q = { 0: [], 3: [], 6: [], 9: [] };
    state.queues.set(queue, q);
  }
  return q;
}

interface Held {
  step: PriorityStep;
}

const CAPABILITIES: QueueDriverCapabilities = Object.freeze({
  priorities: 'steps',
  nativeDelay: false,
  fanout: false,
  blockingReserve: true,
  persistentBindings: true,
});

/** Create an in-process queue driver. */
export function memoryQueueDriver(options: MemoryQueueDriverOptions = {}): QueueDriver {
  const namespace = options.namespace ?? 'default';
  const state = namespaceState(namespace);
  const held = new Map<Lease, Held>();
  const capabilities: QueueDriverCapabilities =
    options.nativeDelay === undefined || options.nativeDelay === false ? CAPABILITIES : Object.freeze({ ...CAPABILITIES, nativeDelay: options.nativeDelay });

  function take(queues: readonly string[], max: number): Lease[] {
    const out: Lease[] = [];
    for (const step of PRIORITY_STEPS) {
      for (const queue of queues) {
        const list = state.queues.get(queue)?.[step];
        while (list && list.length > 0 && out.length < max) {
          const entry = list.shift() as Entry;
          const lease: Lease = Object.freeze({ queue, payload: entry.payload, tag: entry.tag });
          held.set(lease, { step });
          out.push(lease);
        }
        if (out.length >= max) return out;
      }
    }
    return out;
  }

  function wake(): void {
    for (const waiter of [...state.waiters]) waiter();
  }

  function restore(lease: Lease, info: Held): void {
    lists(state, lease.queue)[info.step].unshift({ payload: markRedelivered(lease.payload), tag: lease.tag });
  }

  return {
    capabilities,
    async connect() {},
    async close() {
      for (const [lease, info] of held) restore(lease, info);
      if (held.size > 0) wake();
      held.clear();
    },
    async put(queue: string, payload: string, putOptions: PutOptions) {
      const enqueue = (): void => {
        lists(state, queue)[priorityStep(putOptions.priority)].push({ payload, tag: putOptions.tag });
        wake();
      };
      const delay = capabilities.nativeDelay === false ? 0 : Math.min(putOptions.delayMs ?? 0, capabilities.nativeDelay.maxDelayMs);
      if (delay <= 0) return enqueue();
      const timers = state.delayed.get(queue) ?? new Set();
      state.delayed.set(queue, timers);
      const timer = setTimeout(() => {
        timers.delete(timer);
        enqueue();
      }, delay);
      timer.unref();
      timers.add(timer);
    },
    async reserve(queues: readonly string[], reserveOptions: ReserveOptions) {
      const max = Math.max(1, reserveOptions.max);
      const now = take(queues, max);
      if (now.length > 0 || reserveOptions.waitMs <= 0 || reserveOptions.signal?.aborted) return now;
      const deadline = Date.now() + reserveOptions.waitMs;
      while (Date.now() < deadline && !reserveOptions.signal?.aborted) {
        await waitForPut(state, deadline - Date.now(), reserveOptions.signal);
        const got = take(queues, max);
        if (got.length > 0) return got;
      }
      return [];
    },
    async ack(lease: Lease) {
      held.delete(lease);
    },
    async release(lease: Lease) {
      const info = held.get(lease);
      if (!info) return;
      held.delete(lease);
      restore(lease, info);
      wake();
    },
    async purge(queue: string) {
      // As SQS's PurgeQueue: delayed messages go too.
      const timers = state.delayed.get(queue);
      let n = timers?.size ?? 0;
      for (const timer of timers ?? []) clearTimeout(timer);
      state.delayed.delete(queue);
      const q = state.queues.get(queue);
      if (!q) return n;
      for (const step of PRIORITY_STEPS) {
        n += q[step].length;
        q[step] = [];
      }
      return n;
    },
    async size(queue: string) {
      const q = state.queues.get(queue);
      return q ? PRIORITY_STEPS.reduce<number>((n, step) => n + q[step].length, 0) : 0;
    },
    async extendLease() {
      // Leases never expire in memory: nothing to do.
    },
    async bind(exchange: string, binding: StoredBinding) {
      const list = state.bindings.get(exchange) ?? [];
      if (!list.some((b) => b.queue === binding.queue && b.routingKey === binding.routingKey && b.pattern === binding.pattern)) {
        list.push({ ...binding });
      }
      state.bindings.set(exchange, list);
    },
    async bindings(exchange: string) {
      return (state.bindings.get(exchange) ?? []).map((b) => ({ ...b }));
    },
    describe() {
      return `memory://${namespace}`;
    },
  };
}

function waitForPut(state: NamespaceState, ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      state.waiters.delete(done);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    state.waiters.add(done);
    signal?.addEventListener('abort', done, { once: true });
  });
}
