/**
 * The scheduler (Celery's `beat.Scheduler` + `Service`): one timer sleeps until the earliest entry is due (at most
 * `maxLoopInterval`); a tick takes or renews the lock, and the holder sends the due entries as ordinary task
 * messages (`app.sendTask`), their last-run time set before sending. A failed send is logged and the entry retried
 * at the next tick. Entries missed while no beat ran run once (Celery's catch-up). Last-run times are saved every
 * `syncEvery` seconds (after each sending tick with a shared lock) and on `stop()`.
 */
import type { App, BeatEntrySetting, BeatEntryState, BeatLock, BeatState, BeatStore, Logger } from '@q/core';
import { ConfigError } from '@q/core';
import { backendCleanupEntry, BACKEND_CLEANUP } from './backend-cleanup.js';
import type { AddEntryOptions, BeatClock, BeatEntryView, BeatOptions } from './beat-options.js';
import { beatLockOf, beatStoreOf } from './beat-state-of.js';
import { pythonRepr } from '@q/core/internal';
import { DueHeap } from './due-heap.js';
import { optionsOf, scheduleOf, targetOf, type ScheduleInput, type TaskInput } from './entry-input.js';
import { isAlwaysHeld } from '../store/local-lock.js';
import { ScheduleSourceReader } from './schedule-source.js';
import type { Entry } from './entry.js';

/** What a beat needs of the app. */
export type BeatApp = Pick<App, 'conf' | 'log' | 'plugins' | 'sendTask' | 'signature' | 'getBackend' | 'loadPlugins'>;

/** A failed send is retried this long after (or at the next tick, when sooner). */
const SEND_RETRY_MS = 1000;
/** The longest delay `setTimeout` takes. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

const defaultClock: BeatClock = {
  now: () => new Date(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A periodic task scheduler; build it with {@link createBeat}. */
export class Beat {
  readonly #app: BeatApp;
  readonly #options: BeatOptions;
  readonly #clock: BeatClock;
  readonly #log: Logger;
  readonly #name: string;
  readonly #maxLoopMs: number;
  readonly #syncEveryMs: number;
  readonly #lockTtlMs: number;
  readonly #entries = new Map<string, Entry>();
  readonly #heap = new DueHeap();
  #store: BeatStore | null = null;
  #lock: BeatLock | null = null;
  #shared = false;
  #leader = false;
  #leaseAt = 0;
  #dirty = false;
  #lastSyncAt = 0;
  #version = 0;
  #running = false;
  #ticking: Promise<unknown> | null = null;
  readonly #source: ScheduleSourceReader | null;
  #timer: unknown = null;
  #timerAt = Infinity;

  constructor(app: BeatApp, options: BeatOptions = {}) {
    this.#app = app;
    this.#options = options;
    this.#clock = { ...defaultClock, ...options.clock };
    this.#log = options.logger ?? app.log;
    this.#name = options.name ?? 'celery';
    const maxLoop = options.maxLoopInterval ?? app.conf.beat.maxLoopInterval;
    this.#maxLoopMs = maxLoop * 1000;
    this.#syncEveryMs = (options.syncEvery ?? app.conf.beat.syncEvery) * 1000;
    // Half the loop interval: a lease that runs out plus a waiting beat's next check (a third of it) stays under
    // maxLoopInterval, the fail-over bound of the docs.
    this.#lockTtlMs = (options.lockTtl ?? Math.min(maxLoop / 2, 30)) * 1000;
    this.#source = options.source ? new ScheduleSourceReader(options.source, (options.reloadInterval ?? 60) * 1000) : null;
    const schedule = { ...app.conf.beat.schedule, ...options.schedule };
    for (const [name, setting] of Object.entries(schedule)) this.#addSetting(name, setting);
  }

  /** Whether this beat holds the lock (sends) after its last tick. */
  get isLeader(): boolean {
    return this.#leader;
  }

  /** The entries, by name order of addition. */
  entries(): BeatEntryView[] {
    return [...this.#entries.values()].map((e) => ({
      name: e.name,
      task: e.target.task,
      schedule: e.schedule,
      args: e.args,
      kwargs: e.kwargs,
      options: e.options,
      lastRunAt: e.lastRunAt,
      totalRunCount: e.totalRunCount,
      nextCheckAt: new Date(e.nextAt),
    }));
  }

  /**
   * Adds or replaces an entry (Celery's `add_periodic_task`), also while running: it is checked at once and the
   * timer wakes earlier when needed. `schedule` is seconds, a `Schedule` or a stored form.
   * @throws ConfigError when the schedule or the task is not valid
   */
  add(name: string, schedule: ScheduleInput, task: TaskInput, options: AddEntryOptions = {}): void {
    const path = `beat entry "${name}"`;
    const previous = this.#entries.get(name);
    const scheduleOptions = { timezone: this.#app.conf.timezone, plugins: this.#app.plugins, path, ...(options.relative === undefined ? {} : { relative: options.relative }) };
    const now = this.#clock.now();
    const entry: Entry = {
      name,
      target: targetOf(task, path),
      schedule: scheduleOf(schedule, scheduleOptions),
      args: [...(options.args ?? [])],
      kwargs: { ...options.kwargs },
      options: optionsOf(options.options),
      lastRunAt: previous?.lastRunAt ?? null,
      totalRunCount: previous?.totalRunCount ?? 0,
      since: previous?.since ?? now,
      nextAt: now.getTime(),
      version: 0,
    };
    this.#entries.set(name, entry);
    this.#reschedule(entry, now);
  }

  /**
   * Reads `options.source` now and applies what changed (new and changed entries added, entries it no longer lists
   * removed). The beat also does this every `reloadInterval` seconds; without a source this does nothing.
   * @throws what the source throws, or ConfigError for an entry that is not valid (entries before it are applied)
   */
  async reload(): Promise<void> {
    if (!this.#source) return;
    const changes = await this.#source.read(this.#clock.now().getTime());
    for (const name of changes.remove) this.remove(name);
    for (const [name, setting] of changes.upsert) this.#addSetting(name, setting);
    if (changes.upsert.length > 0 || changes.remove.length > 0) {
      this.#log.info({ added: changes.upsert.map(([n]) => n), removed: changes.remove }, 'beat: schedule source changed');
    }
  }

  /** Removes an entry (also while running); `false` when there was none. */
  remove(name: string): boolean {
    return this.#entries.delete(name);
  }

  /** Resolves the store and the lock, adds the `celery.backend_cleanup` entry when needed, and starts the timer. */
  async start(): Promise<void> {
    if (this.#running) return;
    await this.#app.loadPlugins();
    const ctx = { app: this.#app, name: this.#name, logger: this.#log };
    this.#store ??= await beatStoreOf(this.#options.store, ctx);
    this.#lock ??= await beatLockOf(this.#options.lock, ctx);
    this.#shared = !isAlwaysHeld(this.#lock);
    if (!this.#entries.has(BACKEND_CLEANUP)) {
      const cleanup = await backendCleanupEntry(this.#app, this.#log);
      if (cleanup) this.#addSetting(BACKEND_CLEANUP, cleanup);
    }
    await this.reload(); // a source that fails at start is the caller's error
    this.#lastSyncAt = this.#clock.now().getTime();
    this.#running = true;
    this.#log.info({ store: this.#store.describe(), lock: this.#lock.describe(), entries: this.#entries.size }, 'beat: starting');
    await this.#loop();
  }

  /**
   * One iteration: takes or renews the lock; as its holder, sends what is due. Resolves to the milliseconds until
   * the next iteration is needed. `start()` calls it from its timer; tests call it directly (after `start()` or
   * alone: the store and lock are then resolved on the first call).
   */
  async tick(): Promise<number> {
    if (!this.#store || !this.#lock) {
      const ctx = { app: this.#app, name: this.#name, logger: this.#log };
      this.#store ??= await beatStoreOf(this.#options.store, ctx);
      this.#lock ??= await beatLockOf(this.#options.lock, ctx);
      this.#shared = !isAlwaysHeld(this.#lock);
    }
    if (this.#source && this.#source.msUntilDue(this.#clock.now().getTime()) === 0) {
      await this.reload().catch((err: unknown) => this.#log.error({ err }, 'beat: reading the schedule source failed; the entries stay as they were'));
    }
    const now = this.#clock.now();
    const wasLeader = this.#leader;
    this.#leader = await this.#acquire();
    if (!this.#leader) {
      if (wasLeader) this.#log.warn({ lock: this.#lock.describe() }, 'beat: lost the lock, no longer sending');
      return Math.min(this.#maxLoopMs, this.#renewMs(), this.#untilReload());
    }
    if (!wasLeader) {
      if (this.#shared) this.#log.info({ lock: this.#lock.describe() }, 'beat: holds the lock, sending');
      await this.#loadState(now);
    }
    const due = this.#takeDue(now.getTime());
    let sent = 0;
    for (const entry of due) {
      if (!(await this.#holdsLease())) break;
      if (await this.#apply(entry, now)) sent += 1;
    }
    if (this.#dirty && this.#leader && (now.getTime() - this.#lastSyncAt >= this.#syncEveryMs || (this.#shared && sent > 0))) await this.#sync(now);
    const next = this.#peekLive();
    const untilNext = next === undefined ? Infinity : Math.max(0, next.at - this.#clock.now().getTime());
    return Math.min(untilNext, this.#maxLoopMs, this.#renewMs(), this.#untilReload());
  }

  /** Milliseconds until the schedule source is due to be read again (`Infinity` without one). */
  #untilReload(): number {
    return this.#source ? this.#source.msUntilDue(this.#clock.now().getTime()) : Infinity;
  }

  /**
   * Stops the timer and waits for a tick under way; saves the state (as lock holder), releases the lock and closes
   * store and lock. Not the app.
   */
  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.#timerAt = Infinity;
    await this.#ticking?.catch(() => undefined); // a tick under way finishes its sends first
    const store = this.#store;
    const lock = this.#lock;
    this.#store = null;
    this.#lock = null;
    try {
      if (this.#leader && store) await this.#sync(this.#clock.now(), store);
    } finally {
      this.#leader = false;
      await lock?.release().catch((err: unknown) => this.#log.warn({ err }, 'beat: could not release the lock'));
      await Promise.all([store?.close(), lock?.close()]);
    }
  }

  #addSetting(name: string, setting: BeatEntrySetting): void {
    this.add(name, setting.schedule, setting.task, {
      ...(setting.args === undefined ? {} : { args: setting.args }),
      ...(setting.kwargs === undefined ? {} : { kwargs: setting.kwargs }),
      ...(setting.options === undefined ? {} : { options: optionsOf(setting.options) }),
      ...(setting.relative === undefined ? {} : { relative: setting.relative }),
    });
  }

  /** Computes when to check `entry` next from its schedule and queues it; wakes the timer when that is sooner. */
  #reschedule(entry: Entry, now: Date, at?: number): void {
    if (at === undefined) {
      const check = entry.schedule.isDue(entry.lastRunAt ?? entry.since, now);
      at = now.getTime() + (check.due ? 0 : Math.max(0, check.nextInMs));
    }
    entry.nextAt = at;
    entry.version = ++this.#version;
    this.#heap.push({ at, name: entry.name, version: entry.version });
    if (this.#heap.size > 2 * this.#entries.size + 64) this.#heap.compact((i) => this.#entries.get(i.name)?.version === i.version);
    if (this.#running && this.#ticking === null && at < this.#timerAt) this.#arm(Math.max(0, at - now.getTime()));
  }

  /** The earliest current heap item (stale ones on top are dropped). */
  #peekLive(): { at: number } | undefined {
    for (let top = this.#heap.peek(); top !== undefined; top = this.#heap.peek()) {
      if (this.#entries.get(top.name)?.version === top.version) return top;
      this.#heap.pop();
    }
    return undefined;
  }

  /** Pops every current entry due at `nowMs` (stale heap items are dropped). */
  #takeDue(nowMs: number): Entry[] {
    const due: Entry[] = [];
    for (let top = this.#heap.peek(); top !== undefined && top.at <= nowMs; top = this.#heap.peek()) {
      this.#heap.pop();
      const entry = this.#entries.get(top.name);
      if (entry?.version === top.version) due.push(entry);
    }
    return due;
  }

  /** Checks a popped entry and sends it when due. `true` when a message was sent. */
  async #apply(entry: Entry, now: Date): Promise<boolean> {
    const check = entry.schedule.isDue(entry.lastRunAt ?? entry.since, now);
    if (!check.due) {
      this.#reschedule(entry, now, now.getTime() + Math.max(1, check.nextInMs));
      return false;
    }
    const before = { lastRunAt: entry.lastRunAt, totalRunCount: entry.totalRunCount };
    entry.lastRunAt = now;
    entry.totalRunCount += 1;
    this.#dirty = true;
    try {
      const { target } = entry;
      if (target.signature) await this.#app.signature(target.signature).applyAsync([], {}, entry.options);
      // Python's beat sends its entry's args as a list: argsrepr `[16, 16]`, as monitors show it (spec §8.1).
      else await this.#app.sendTask(target.task, entry.args, { ...entry.kwargs }, { argsrepr: pythonRepr([...entry.args]), ...entry.options });
      this.#log.info({ entry: entry.name, task: target.task }, `Scheduler: Sending due task ${entry.name} (${target.task})`);
    } catch (err) {
      entry.lastRunAt = before.lastRunAt;
      entry.totalRunCount = before.totalRunCount;
      this.#log.error({ err, entry: entry.name, task: entry.target.task }, `beat: sending ${entry.name} failed, retried at the next tick`);
      if (this.#entries.get(entry.name) === entry) this.#reschedule(entry, now, now.getTime() + Math.min(SEND_RETRY_MS, this.#maxLoopMs));
      return false;
    }
    if (this.#entries.get(entry.name) === entry) this.#reschedule(entry, now, now.getTime() + Math.max(1, check.nextInMs));
    return true;
  }

  async #acquire(): Promise<boolean> {
    const lock = this.#lock as BeatLock;
    try {
      const held = await lock.acquire(this.#lockTtlMs);
      if (held) this.#leaseAt = this.#clock.now().getTime();
      return held;
    } catch (err) {
      this.#log.warn({ err, lock: lock.describe() }, 'beat: could not reach the lock, not sending');
      return false;
    }
  }

  /** Before each send: renews a shared lease older than a third of its TTL; `false` (stop sending) when lost. */
  async #holdsLease(): Promise<boolean> {
    if (!this.#shared || this.#clock.now().getTime() - this.#leaseAt < this.#renewMs()) return this.#leader;
    this.#leader = await this.#acquire();
    if (!this.#leader) this.#log.warn({ lock: this.#lock?.describe() }, 'beat: lost the lock, no longer sending');
    return this.#leader;
  }

  #renewMs(): number {
    return this.#shared ? Math.max(1, Math.floor(this.#lockTtlMs / 3)) : Infinity;
  }

  /**
   * Reads the stored state when this beat becomes the sender (at start, or taking over from another beat): a later
   * stored run wins over what this process remembers. A state of another time zone resets the last-run times.
   */
  async #loadState(now: Date): Promise<void> {
    const store = this.#store as BeatStore;
    let state: BeatState | null;
    try {
      state = await store.load();
    } catch (err) {
      this.#log.error({ err, store: store.describe() }, 'beat: could not read the stored state, starting from what this process knows');
      return;
    }
    if (state === null) return;
    const timezone = this.#app.conf.timezone;
    if (state.timezone !== timezone) {
      this.#log.warn({ was: state.timezone, now: timezone }, 'beat: time zone changed, last-run times reset');
      for (const entry of this.#entries.values()) {
        entry.lastRunAt = null;
        entry.since = now;
        this.#reschedule(entry, now);
      }
      this.#dirty = true;
      return;
    }
    for (const [name, stored] of Object.entries(state.entries)) {
      const entry = this.#entries.get(name);
      if (entry && adopt(entry, stored)) this.#reschedule(entry, now);
    }
  }

  async #sync(now: Date, store = this.#store): Promise<void> {
    if (!store) return;
    const entries: Record<string, BeatEntryState> = {};
    for (const e of this.#entries.values()) entries[e.name] = { lastRunAt: e.lastRunAt?.toISOString() ?? null, totalRunCount: e.totalRunCount };
    try {
      await store.save({ timezone: this.#app.conf.timezone, entries });
      this.#dirty = false;
      this.#lastSyncAt = now.getTime();
    } catch (err) {
      this.#log.error({ err, store: store.describe() }, 'beat: could not save the state, retried at the next tick');
    }
  }

  async #loop(): Promise<void> {
    if (!this.#running) return;
    this.#timer = null;
    this.#timerAt = Infinity;
    const ticking = this.tick();
    this.#ticking = ticking;
    let ms: number;
    try {
      ms = await ticking;
    } catch (err) {
      this.#log.error({ err }, 'beat: tick failed');
      ms = Math.min(this.#maxLoopMs, SEND_RETRY_MS);
    } finally {
      this.#ticking = null;
    }
    if (this.#running) this.#arm(ms);
  }

  #arm(ms: number): void {
    if (this.#timer !== null) this.#clock.clearTimeout(this.#timer);
    this.#timerAt = this.#clock.now().getTime() + ms;
    // setTimeout fires at once beyond 2^31-1 ms: a longer sleep wakes early and sleeps again
    this.#timer = this.#clock.setTimeout(() => void this.#loop(), Math.min(ms, MAX_TIMEOUT_MS));
  }
}

/** Takes a stored run later than the one `entry` knows. `true` when it changed. */
function adopt(entry: Entry, stored: BeatEntryState): boolean {
  if (stored.lastRunAt === null) return false;
  const at = new Date(stored.lastRunAt);
  if (Number.isNaN(at.getTime()) || (entry.lastRunAt !== null && entry.lastRunAt >= at)) return false;
  entry.lastRunAt = at;
  entry.totalRunCount = Math.max(entry.totalRunCount, stored.totalRunCount);
  return true;
}

/**
 * A beat for `app` (Celery's `celery beat`): entries from `app.conf.beat.schedule` and `options.schedule`, more with
 * `beat.add`. Nothing runs until `start()`.
 * @throws ConfigError when an entry is not valid
 */
export function createBeat(app: BeatApp, options: BeatOptions = {}): Beat {
  if (options.lockTtl !== undefined && !(options.lockTtl > 0)) throw new ConfigError('Q_ERR_CONFIG_INVALID', `lockTtl: expected a positive number of seconds, got ${options.lockTtl}`);
  if (options.reloadInterval !== undefined && !(options.reloadInterval > 0)) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `reloadInterval: expected a positive number of seconds, got ${options.reloadInterval}`);
  }
  return new Beat(app, options);
}
