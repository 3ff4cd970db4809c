/**
 * Result backend contracts: the full {@link ResultBackend} (tier 1, e.g. SQL, rpc) and the small
 * {@link KeyValueDriver} (tier 2, e.g. Redis, filesystem, memory) that `keyValueBackend()` in core lifts
 * into the full contract, writing Celery's documents (`celery-task-meta-<id>`) exactly.
 */
import type { Logger } from './logger.js';
import type { Transport } from './transport.js';

/** Celery's task states, plus any custom state a task sets with `updateState`. */
export type BuiltinTaskState =
  | 'PENDING'
  | 'RECEIVED'
  | 'STARTED'
  | 'SUCCESS'
  | 'FAILURE'
  | 'RETRY'
  | 'REVOKED'
  | 'REJECTED'
  | 'IGNORED';
/** A task state: a builtin one or a custom string. */
export type TaskState = BuiltinTaskState | (string & {});

/** Celery's exception encoding (`exc_message` is the exception's args array). */
export interface EncodedException {
  exc_type: string;
  exc_message: unknown[];
  exc_module: string | null;
}

/** Extended result fields (`result_extended`). */
export interface ExtendedMeta {
  name: string | null;
  args: unknown[] | null;
  kwargs: Record<string, unknown> | null;
  worker: string | null;
  retries: number | null;
  queue: string | null;
}

/** One task's stored state, camelCased. For exception states `result` is an {@link EncodedException}. */
export interface TaskMeta {
  taskId: string;
  status: TaskState;
  result: unknown;
  traceback: string | null;
  /** Result tuples of tasks sent from inside the task (`[[id, parent], null]`). */
  children: unknown[];
  /** Naive UTC ISO string, `null` until ready. */
  dateDone: string | null;
  groupId?: string | null;
  parentId?: string | null;
  extended?: ExtendedMeta;
}

/** What a result backend supports. */
export interface ResultBackendCapabilities {
  /** Results are pushed to waiting clients (`watch`); otherwise the core polls. */
  push: boolean;
  /** Chords: `native` counter (Redis `.j/.s/.t`), `unlock` (`celery.chord_unlock` polling task), or none. */
  chords: 'native' | 'unlock' | 'none';
  /** Group results can be saved and restored. */
  groups: boolean;
  /** Stored results expire by themselves (`result_expires`). */
  autoExpire: boolean;
  /**
   * Who can read a stored result. `any` (the default when absent): every client of the store. `caller`: only the
   * client that sent the task — the result is a message to the sender's reply queue (`StoreOptions.replyTo`),
   * received by that client alone (Celery's `rpc://`).
   */
  readers?: 'any' | 'caller';
}

/**
 * What the app hands a backend that rides on its broker (`ResultBackend.attach`): the rpc backend publishes
 * results and consumes its reply queue through the app's transport.
 */
export interface BackendHost {
  /** This client's reply-to oid: the `reply_to` of every task message it sends, and its reply queue's name. */
  readonly oid: string;
  /** The app's transport, connected (connects on first use; the same instance until the app closes). */
  transport(): Promise<Transport>;
  readonly logger: Logger;
  /** `result.expires` in ms (`null`: results never expire). */
  readonly resultExpiresMs: number | null;
  /** `result.persistent`: result messages are persistent (delivery mode 2) rather than transient (1). */
  readonly resultPersistent: boolean;
}

/** Options of `storeResult`. */
export interface StoreOptions {
  /** Time to live in ms (`result_expires`); `null` keeps forever. */
  expiresMs: number | null;
  /** The task message's `reply_to`: where the rpc backend sends the result (the caller's reply queue). */
  replyTo?: string;
  /** The task message's `correlation_id` (the task id): the rpc result message's `correlation_id`. */
  correlationId?: string;
}

/** Chord header progress reported by a finished header task. */
export interface ChordPart {
  groupId: string;
  groupIndex: number | null;
  taskId: string;
  meta: TaskMeta;
  /** Chord size when the message carries it. */
  chordSize?: number;
}

/** Outcome of `onChordPartReturn`: `complete` carries every header result in order. */
export type ChordProgress =
  | { complete: false }
  | { complete: true; results: unknown[]; failed: { taskId: string; meta: TaskMeta } | null };

/** A revoked task id and when it was revoked (epoch ms), as {@link ResultBackend.loadRevoked} returns it. */
export interface RevokedId {
  /** The task id. */
  id: string;
  /** When it was revoked, epoch ms. */
  at: number;
}

/** Options of {@link ResultBackend.saveRevoked}. */
export interface SaveRevokedOptions {
  /** When the ids were revoked, epoch ms. */
  at: number;
  /** How long the backend keeps them, ms (the worker passes its `REVOKE_EXPIRES`: 3 h). */
  ttlMs: number;
}

/** Options of {@link ResultBackend.loadRevoked}. */
export interface LoadRevokedOptions {
  /** Only ids revoked at or after this time, epoch ms (default: every id still kept). */
  since?: number;
  /**
   * Read no more once this many ids were found, the most recently saved first (the worker passes its
   * `REVOKES_MAX`: 50,000). Default: no limit besides the store's expiry.
   */
  limit?: number;
}

/** Full result backend (tier 1). */
export interface ResultBackend {
  readonly capabilities: ResultBackendCapabilities;
  /**
   * Called by the app with its {@link BackendHost} before `connect` (again after the app reconnects), for
   * URL-resolved and instance backends alike. Only backends that need the app's broker implement it (rpc).
   */
  attach?(host: BackendHost): void;
  connect(): Promise<void>;
  close(): Promise<void>;
  /** Store a state. A stored SUCCESS is never overwritten. */
  storeResult(meta: TaskMeta, options: StoreOptions): Promise<void>;
  /** The stored meta, or `null` when nothing is stored (PENDING). */
  getTaskMeta(taskId: string): Promise<TaskMeta | null>;
  forget(taskId: string): Promise<void>;
  /**
   * Push: call `onMeta` on every stored state of `taskId`. Resolves, once the subscription is active, to the
   * function that ends it (safe to call more than once, and after `close()`).
   *
   * `onEnd` (optional for callers and backends alike): a backend that closes, or whose subscription is lost for
   * good (not a reconnect it recovers from), calls `onEnd` once for each active subscription, with the error a
   * waiting `AsyncResult.get()` then rejects with (e.g. `ConnectionError` `Q_ERR_CONNECTION_LOST`); no `onMeta`
   * follows. A subscription still being made when the backend closes rejects instead. A backend that never calls
   * `onEnd` is valid: a `get()` then waits for its `timeout`.
   */
  watch?(taskId: string, onMeta: (meta: TaskMeta) => void, onEnd?: (error: Error) => void): Promise<() => Promise<void>>;
  getMany?(taskIds: readonly string[]): Promise<(TaskMeta | null)[]>;
  saveGroup?(groupId: string, resultTuple: unknown, options: StoreOptions): Promise<void>;
  restoreGroup?(groupId: string): Promise<unknown | null>;
  deleteGroup?(groupId: string): Promise<void>;
  /** Record a finished chord header task; `complete` once the whole header is done. */
  onChordPartReturn?(part: ChordPart): Promise<ChordProgress>;
  /** Write the chord size before the last header task is published. */
  setChordSize?(groupId: string, size: number, options: StoreOptions): Promise<void>;
  /**
   * Celery's `on_task_call`: awaited by the app before it publishes a task that expects a result (not with
   * `ignoreResult`), after connecting the backend. The rpc backend declares its reply queue here, so a result
   * sent before the client reads it is kept. Backends without it cost the send path nothing.
   */
  onTaskCall?(taskId: string): Promise<void>;
  /**
   * Shared revokes (q's own; Celery has none): keep revoked task ids in the store every worker shares, so a task
   * revoked before every worker restarted at once is still skipped. A worker saves the ids each revoke adds, and
   * at start, before it consumes, merges the ids {@link loadRevoked} returns into its revoked set.
   *
   * Saves from many workers at once must all be kept: write each call's ids as a value of its own, never by
   * reading, extending and rewriting one shared value. Ids live `ttlMs` (expiry may be lazy: `loadRevoked` skips
   * ids past it). Backends without a shared store (rpc) leave both members out; a backend implements both or
   * neither.
   */
  saveRevoked?(ids: readonly string[], options: SaveRevokedOptions): Promise<void>;
  /**
   * The revoked ids {@link saveRevoked} kept and that have not expired, oldest first; an id saved more than once
   * appears once, with its latest time. Bounded: it stops reading past `options.limit` ids.
   */
  loadRevoked?(options?: LoadRevokedOptions): Promise<RevokedId[]>;
  /**
   * Delete the results and groups that finished more than `options.expiresMs` ago (Celery's `backend.cleanup()`),
   * for stores whose results do not expire by themselves (SQL). The builtin task `celery.backend_cleanup` and
   * `q cleanup` call it with `result.expires`. Resolves to how many records were deleted.
   */
  cleanup?(options: CleanupOptions): Promise<{ deleted: number }>;
  /** URL with the password masked. */
  describe(): string;
}

/** Options of {@link ResultBackend.cleanup}. */
export interface CleanupOptions {
  /** Delete what finished longer ago than this, ms (`result.expires`). */
  expiresMs: number;
}

/** Options of `KeyValueDriver.set`. */
export interface KeyValueSetOptions {
  /** Time to live in ms; `null` keeps forever. */
  ttlMs: number | null;
  /** Also notify `subscribe`rs of this key (Redis: PUBLISH in the same transaction). */
  publish: boolean;
}

/** Tier-2 key-value driver. Values are strings (serialized documents). */
export interface KeyValueDriver {
  readonly capabilities: { subscribe: boolean; atomicIncr: boolean };
  connect(): Promise<void>;
  close(): Promise<void>;
  get(key: string): Promise<string | null>;
  mget(keys: readonly string[]): Promise<(string | null)[]>;
  set(key: string, value: string, options: KeyValueSetOptions): Promise<void>;
  delete(key: string): Promise<void>;
  /** Atomically add `by`, returning the new value. */
  incr(key: string, by: number, ttlMs: number | null): Promise<number>;
  /**
   * Called with every value `set` with `publish: true` on `key`. Resolves, once the subscription is active, to the
   * function that ends it. `onEnd` (optional): called once per active subscription when the driver closes or
   * loses it for good, as {@link ResultBackend.watch}'s `onEnd` (which `keyValueBackend()` passes through).
   */
  subscribe?(key: string, onValue: (value: string) => void, onEnd?: (error: Error) => void): Promise<() => Promise<void>>;
  /** URL with the password masked. */
  describe(): string;
}
