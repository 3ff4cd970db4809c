/**
 * The in-process key-value driver (`memory://` results). State is shared by namespace, so an app and an
 * in-process worker see the same results. Keys expire (checked on read) and `subscribe` is supported; `close()`
 * ends this driver's subscriptions (their `onEnd` gets `ConnectionError` `Q_ERR_CONNECTION_LOST` "memory backend
 * memory://<namespace> is closed"). The keys stay, and the driver works again without `connect()`.
 */
import type { KeyValueDriver, KeyValueSetOptions } from '../contracts/result-backend.js';
import { BackendError, ConnectionError } from '../errors/q-error.js';
import { LiveSubscriptions } from './live-subscriptions.js';

/** Options of {@link memoryKeyValueDriver}. */
export interface MemoryKeyValueDriverOptions {
  /** Drivers with the same namespace share keys (default `default`). */
  namespace?: string;
}

interface Entry {
  value: string;
  /** Epoch ms, or `null` to keep forever. */
  expiresAt: number | null;
}

interface NamespaceState {
  entries: Map<string, Entry>;
  listeners: Map<string, Set<(value: string) => void>>;
}

const namespaces = new Map<string, NamespaceState>();

function namespaceState(name: string): NamespaceState {
  let state = namespaces.get(name);
  if (!state) {
    state = { entries: new Map(), listeners: new Map() };
    namespaces.set(name, state);
  }
  return state;
}

/** Create an in-process key-value driver. */
export function memoryKeyValueDriver(options: MemoryKeyValueDriverOptions = {}): KeyValueDriver {
  const namespace = options.namespace ?? 'default';
  const state = namespaceState(namespace);
  /** This driver's active subscriptions: each one's end removes its listener, then calls its `onEnd`. */
  const live = new LiveSubscriptions();

  function read(key: string): string | null {
    const entry = state.entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt !== null && entry.expiresAt <= Date.now()) {
      state.entries.delete(key);
      return null;
    }
    return entry.value;
  }

  function expiry(ttlMs: number | null): number | null {
    return ttlMs === null ? null : Date.now() + ttlMs;
  }

  return {
    capabilities: Object.freeze({ subscribe: true, atomicIncr: true }),
    async connect() {},
    async close() {
      if (live.size === 0) return;
      live.endAll(new ConnectionError('Q_ERR_CONNECTION_LOST', `memory backend memory://${namespace} is closed`, { retryable: true }));
    },
    async get(key: string) {
      return read(key);
    },
    async mget(keys: readonly string[]) {
      return keys.map(read);
    },
    async set(key: string, value: string, setOptions: KeyValueSetOptions) {
      state.entries.set(key, { value, expiresAt: expiry(setOptions.ttlMs) });
      if (!setOptions.publish) return;
      for (const listener of state.listeners.get(key) ?? []) {
        queueMicrotask(() => listener(value));
      }
    },
    async delete(key: string) {
      state.entries.delete(key);
    },
    async incr(key: string, by: number, ttlMs: number | null) {
      const current = read(key);
      const n = current === null ? 0 : Number(current);
      if (!Number.isInteger(n)) {
        throw new BackendError('Q_ERR_BACKEND_FAILED', `value of ${key} is not an integer`);
      }
      const next = n + by;
      const previous = state.entries.get(key);
      state.entries.set(key, {
        value: String(next),
        expiresAt: ttlMs === null ? (previous?.expiresAt ?? null) : expiry(ttlMs),
      });
      return next;
    },
    async subscribe(key: string, onValue: (value: string) => void, onEnd?: (error: Error) => void) {
      let set = state.listeners.get(key);
      if (!set) {
        set = new Set();
        state.listeners.set(key, set);
      }
      // Wrap so that subscribing the same function twice gives two independent subscriptions. (A value already
      // queued for it when the subscription ends is not delivered.)
      let active = true;
      const listener = (value: string): void => {
        if (active) onValue(value);
      };
      set.add(listener);
      const remove = (): void => {
        active = false;
        const current = state.listeners.get(key);
        current?.delete(listener);
        if (current && current.size === 0) state.listeners.delete(key);
      };
      const forget = live.add((error) => {
        remove();
        onEnd?.(error);
      });
      return async () => {
        forget();
        remove();
      };
    },
    describe() {
      return `memory://${namespace}`;
    },
  };
}
