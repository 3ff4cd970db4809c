import { ConfigError, silentLogger } from '@q/core';
import type { Logger } from '@q/core';
import type { QEvent } from '../wire/event.js';
import { TaskInfo } from './task-info.js';
import type { TaskSnapshot } from './task-info.js';
import { HEARTBEAT_DRIFT_MAX, HEARTBEAT_EXPIRE_WINDOW, WorkerInfo } from './worker-info.js';
import type { WorkerSnapshot } from './worker-info.js';
import { taskPage } from './task-page.js';
import type { TaskPage, TaskQuery } from './task-page.js';

export type { TaskPage, TaskQuery } from './task-page.js';

/** What a user passes to {@link ClusterState}. */
export interface ClusterStateOptions {
  /** Tasks kept; beyond it the least recently updated go (Celery's `max_tasks_in_memory`, 10 000). */
  maxTasksInMemory?: number;
  /** Workers kept; beyond it the least recently updated go (Celery's `max_workers_in_memory`, 5 000). */
  maxWorkersInMemory?: number;
  /** Current time, epoch milliseconds (default `Date.now`); judges whether workers are alive. */
  now?: () => number;
  /** Percent of a worker's `freq` after its last heartbeat that it still counts as alive (Celery's 200). */
  heartbeatExpireWindow?: number;
  /** Called after each event object has been applied. Errors it throws are logged, not thrown. */
  onEvent?: (event: QEvent, state: ClusterState) => void;
  /** A worker appeared (`worker-online`, or the first event of an unknown worker). */
  onNodeJoin?: (worker: WorkerInfo) => void;
  /** A worker sent `worker-offline`. */
  onNodeLeave?: (worker: WorkerInfo) => void;
  /** Where drift warnings and callback errors go (default silent). */
  logger?: Logger;
}

/** The counters of a {@link ClusterState}. */
export interface ClusterCounters {
  /** Everything passed to `event()`. */
  eventCount: number;
  /** `task-received` events (Celery's `task_count`). */
  taskCount: number;
  /** Events that could not be applied: not an object, or missing/mistyped `type`, `hostname`, `timestamp`, `uuid`. */
  ignoredCount: number;
  /** Events of a group the state does not track (neither `task-*` nor `worker-*`). */
  unknownCount: number;
  /** Fields of applied events dropped because of their type (a numeric `args`, a string `runtime`). */
  invalidFieldCount: number;
  /** Events whose sender timestamp was more than 16 s from their receive time. */
  driftWarningCount: number;
}

/** The whole state as a plain JSON-safe object. */
export interface ClusterSnapshot extends ClusterCounters {
  /** When it was taken, epoch milliseconds (the injected clock). */
  takenAt: number;
  /** Least recently updated first. */
  workers: WorkerSnapshot[];
  /** Least recently updated first. */
  tasks: TaskSnapshot[];
}

const DRIFT_WARNED_MAX = 1000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function positiveInt(value: number | undefined, fallback: number, path: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `${path}: expected a positive integer (got ${String(value)})`);
  }
  return value;
}

/**
 * The cluster as seen through its events, in memory (Celery's `celery.events.state.State`): workers with their
 * heartbeats, tasks with their states merged from events that may arrive out of order. Pure: no I/O, no timers;
 * time comes from the injected `now`. `event()` never throws on bad input; it counts it.
 *
 * Memory is bounded: tasks and workers live in insertion-ordered maps, re-inserted on every update, so the least
 * recently updated is evicted first in O(1).
 */
export class ClusterState {
  readonly #tasks = new Map<string, TaskInfo>();
  readonly #workers = new Map<string, WorkerInfo>();
  /** Children seen before their parent: parent id → child ids. */
  readonly #pendingChildren = new Map<string, Set<string>>();
  #pendingCount = 0;
  readonly #taskTypes = new Set<string>();
  readonly #driftWarned = new Set<string>();
  readonly #maxTasks: number;
  readonly #maxWorkers: number;
  readonly #now: () => number;
  readonly #expireWindow: number;
  readonly #options: ClusterStateOptions;
  readonly #logger: Logger;
  readonly #counters: ClusterCounters = {
    eventCount: 0,
    taskCount: 0,
    ignoredCount: 0,
    unknownCount: 0,
    invalidFieldCount: 0,
    driftWarningCount: 0,
  };

  /** An empty state. Throws `ConfigError` on a non-positive limit. */
  constructor(options: ClusterStateOptions = {}) {
    this.#maxTasks = positiveInt(options.maxTasksInMemory, 10_000, 'maxTasksInMemory');
    this.#maxWorkers = positiveInt(options.maxWorkersInMemory, 5_000, 'maxWorkersInMemory');
    this.#now = options.now ?? Date.now;
    const window = options.heartbeatExpireWindow ?? HEARTBEAT_EXPIRE_WINDOW;
    if (!Number.isFinite(window) || window <= 0) {
      throw new ConfigError('Q_ERR_CONFIG_INVALID', `heartbeatExpireWindow: expected a positive number (got ${window})`);
    }
    this.#expireWindow = window;
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
  }

  /** Events passed to {@link event} since creation or the last {@link clear}. */
  get eventCount(): number {
    return this.#counters.eventCount;
  }
  /** `task-received` events seen (Celery's `task_count`). */
  get taskCount(): number {
    return this.#counters.taskCount;
  }
  /** All counters (a copy). */
  get counters(): ClusterCounters {
    return { ...this.#counters };
  }
  /** Tasks by id, least recently updated first. A live view: do not modify. */
  get tasks(): ReadonlyMap<string, Readonly<TaskInfo>> {
    return this.#tasks;
  }
  /** Workers by node name, least recently updated first. A live view: do not modify. */
  get workers(): ReadonlyMap<string, Readonly<WorkerInfo>> {
    return this.#workers;
  }

  /**
   * Applies one event. Never throws: malformed events are counted in `ignoredCount`, types of other groups in
   * `unknownCount`, mistyped fields in `invalidFieldCount`. `task-<custom>` types set a custom state
   * (`task-progress` → `PROGRESS`), as Celery's `Task.send_event` allows.
   */
  event(e: QEvent): void {
    this.#counters.eventCount += 1;
    const event: unknown = e;
    if (!isRecord(event) || typeof event['type'] !== 'string') {
      this.#counters.ignoredCount += 1;
      return;
    }
    const type = event['type'];
    const dash = type.indexOf('-');
    const group = dash === -1 ? type : type.slice(0, dash);
    const subject = dash === -1 ? '' : type.slice(dash + 1);
    let applied: boolean;
    if (group === 'worker' && subject !== '') applied = this.#workerEvent(subject, event);
    else if (group === 'task' && subject !== '') applied = this.#taskEvent(subject, event);
    else {
      this.#counters.unknownCount += 1;
      applied = true;
    }
    if (!applied) {
      this.#counters.ignoredCount += 1;
      return;
    }
    if (this.#options.onEvent) this.#call('onEvent', () => this.#options.onEvent?.(e, this));
  }

  #workerEvent(subject: string, event: Record<string, unknown>): boolean {
    const hostname = nonEmptyString(event['hostname']);
    const timestamp = finite(event['timestamp']);
    if (hostname === undefined || timestamp === undefined) return false;
    const localReceived = finite(event['local_received']) ?? this.#now() / 1000;
    const worker = this.#workers.get(hostname);
    if (subject === 'offline') {
      const leaving = worker ?? new WorkerInfo(hostname, { now: this.#now, expireWindow: this.#expireWindow });
      this.#counters.invalidFieldCount += leaving.applyFields(event);
      leaving.offline();
      if (worker !== undefined) this.#touchWorker(leaving);
      const leave = this.#options.onNodeLeave;
      if (leave) this.#call('onNodeLeave', () => leave(leaving));
      return true;
    }
    const created = worker === undefined;
    const known = worker ?? new WorkerInfo(hostname, { now: this.#now, expireWindow: this.#expireWindow });
    this.#touchWorker(known);
    this.#counters.invalidFieldCount += known.applyFields(event);
    this.#checkDrift(hostname, timestamp, localReceived);
    known.heartbeat(localReceived);
    const join = this.#options.onNodeJoin;
    if (join && (created || subject === 'online')) this.#call('onNodeJoin', () => join(known));
    return true;
  }

  #taskEvent(subject: string, event: Record<string, unknown>): boolean {
    const uuid = nonEmptyString(event['uuid']);
    const hostname = nonEmptyString(event['hostname']);
    const timestamp = finite(event['timestamp']);
    if (uuid === undefined || hostname === undefined || timestamp === undefined) return false;
    const localReceived = finite(event['local_received']) ?? this.#now() / 1000;
    const clock = finite(event['clock']) ?? 0;

    let task = this.#tasks.get(uuid);
    if (task === undefined) task = new TaskInfo(uuid);
    else this.#tasks.delete(uuid);
    this.#tasks.set(uuid, task);
    if (this.#tasks.size > this.#maxTasks) this.#evictOldest(this.#tasks);

    if (subject !== 'sent') {
      const worker =
        this.#workers.get(hostname) ?? new WorkerInfo(hostname, { now: this.#now, expireWindow: this.#expireWindow });
      this.#touchWorker(worker);
      this.#checkDrift(hostname, timestamp, localReceived);
      worker.heartbeat(localReceived);
    }
    if (subject === 'received') this.#counters.taskCount += 1;
    this.#counters.invalidFieldCount += task.applyEvent({ subject, fields: event, hostname, timestamp, clock });

    if (task.name !== undefined && this.#taskTypes.size < this.#maxTasks) this.#taskTypes.add(task.name);
    if (task.parentId !== undefined && task.parentId !== uuid) this.#linkChild(task.parentId, uuid);
    const waiting = this.#pendingChildren.get(uuid);
    if (waiting !== undefined) {
      this.#pendingChildren.delete(uuid);
      this.#pendingCount -= waiting.size;
      for (const child of waiting) task.addChild(child, this.#maxTasks);
    }
    return true;
  }

  #linkChild(parentId: string, childId: string): void {
    const parent = this.#tasks.get(parentId);
    if (parent !== undefined) {
      parent.addChild(childId, this.#maxTasks);
      return;
    }
    let waiting = this.#pendingChildren.get(parentId);
    if (waiting === undefined) this.#pendingChildren.set(parentId, (waiting = new Set()));
    if (waiting.has(childId)) return;
    waiting.add(childId);
    this.#pendingCount += 1;
    while (this.#pendingCount > this.#maxTasks) {
      const oldest = this.#pendingChildren.entries().next().value;
      if (oldest === undefined) break;
      this.#pendingChildren.delete(oldest[0]);
      this.#pendingCount -= oldest[1].size;
    }
  }

  #touchWorker(worker: WorkerInfo): void {
    this.#workers.delete(worker.hostname);
    this.#workers.set(worker.hostname, worker);
    if (this.#workers.size > this.#maxWorkers) this.#evictOldest(this.#workers);
  }

  #evictOldest(map: Map<string, unknown>): void {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }

  #checkDrift(hostname: string, timestamp: number, localReceived: number): void {
    const drift = Math.abs(Math.trunc(localReceived) - Math.trunc(timestamp));
    if (drift <= HEARTBEAT_DRIFT_MAX) return;
    this.#counters.driftWarningCount += 1;
    if (this.#driftWarned.has(hostname) || this.#driftWarned.size >= DRIFT_WARNED_MAX) return;
    this.#driftWarned.add(hostname);
    this.#logger.warn(
      { hostname, drift, localReceived, timestamp },
      `Substantial drift from ${hostname} may mean clocks are out of sync. Current drift is ${drift} seconds.`,
    );
  }

  #call(hook: string, fn: () => void): void {
    try {
      fn();
    } catch (error) {
      this.#logger.error({ err: error, hook }, `ClusterState ${hook} callback threw`);
    }
  }

  /**
   * Tasks newest first (by the timestamp of the event that set their state, then clock), filtered; `offset` and
   * `limit` pick a page. Sorting is done per query, never per event.
   */
  tasksByTime(query: TaskQuery = {}): TaskInfo[] {
    return taskPage(this.#tasks.values(), query).tasks;
  }

  /** {@link tasksByTime} with the number of tasks that matched in all (for paging). */
  taskPage(query: TaskQuery = {}): TaskPage {
    return taskPage(this.#tasks.values(), query);
  }

  /** Tasks in memory per task name, per state: `{ 'proj.add': { SUCCESS: 3, FAILURE: 1 } }`. Unnamed tasks are left out. */
  taskCounts(): Record<string, Record<string, number>> {
    const counts = new Map<string, Map<string, number>>();
    for (const task of this.#tasks.values()) {
      if (task.name === undefined) continue;
      let perState = counts.get(task.name);
      if (perState === undefined) counts.set(task.name, (perState = new Map()));
      perState.set(task.state, (perState.get(task.state) ?? 0) + 1);
    }
    return Object.fromEntries([...counts].map(([name, perState]) => [name, Object.fromEntries(perState)]));
  }

  /** Every task name seen, sorted (Celery's `task_types()`; kept across {@link clear}). */
  taskTypes(): string[] {
    return [...this.#taskTypes].sort();
  }

  /** Workers whose last heartbeat is within the expire window, by the injected clock. */
  aliveWorkers(): WorkerInfo[] {
    return [...this.#workers.values()].filter((worker) => worker.alive);
  }

  /**
   * Forgets workers, counters and finished tasks (Celery's `clear(ready=True)`); with `readyOnly: false`, every
   * task. Task types seen are kept, as Celery keeps them.
   */
  clear(options: { readyOnly?: boolean } = {}): void {
    this.#workers.clear();
    if (options.readyOnly === false) this.#tasks.clear();
    else for (const [uuid, task] of this.#tasks) if (task.ready) this.#tasks.delete(uuid);
    this.#pendingChildren.clear();
    this.#pendingCount = 0;
    this.#driftWarned.clear();
    for (const key of Object.keys(this.#counters) as (keyof ClusterCounters)[]) this.#counters[key] = 0;
  }

  /** The whole state as a plain JSON-safe object (for cameras and the dashboard API). */
  snapshot(): ClusterSnapshot {
    return {
      ...this.#counters,
      takenAt: this.#now(),
      workers: [...this.#workers.values()].map((worker) => worker.toSnapshot()),
      tasks: [...this.#tasks.values()].map((task) => task.toSnapshot()),
    };
  }
}
