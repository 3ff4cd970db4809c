/**
 * One worker as seen through its events (Celery's `celery.events.state.Worker`).
 */

/** Heartbeats a worker keeps (Celery's `Worker.heartbeat_max`). */
export const HEARTBEAT_MAX = 4;
/** Percent of `freq` after the last heartbeat that a worker still counts as alive (Celery's 200). */
export const HEARTBEAT_EXPIRE_WINDOW = 200;
/** Seconds of drift between sender timestamp and receive time beyond which clocks look out of sync (Celery's 16). */
export const HEARTBEAT_DRIFT_MAX = 16;
/** Heartbeat interval assumed for a worker that has not said (Celery's 60 s). */
export const DEFAULT_WORKER_FREQ = 60;

/** A worker as a plain JSON-safe object (unknown fields are left out). */
export interface WorkerSnapshot {
  hostname: string;
  pid?: number;
  freq: number;
  heartbeats: number[];
  clock: number;
  active?: number;
  processed?: number;
  loadavg?: number[];
  swIdent?: string;
  swVer?: string;
  swSys?: string;
  alive: boolean;
  status: WorkerStatus;
  heartbeatExpires?: number;
}

/** `ONLINE` while heartbeats arrive, else `OFFLINE` (Celery's `status_string`). */
export type WorkerStatus = 'ONLINE' | 'OFFLINE';

type FieldKind = 'string' | 'number' | 'loadavg';

const WORKER_FIELDS: readonly (readonly [wire: string, prop: string, kind: FieldKind])[] = [
  ['pid', 'pid', 'number'],
  ['freq', 'freq', 'number'],
  ['active', 'active', 'number'],
  ['processed', 'processed', 'number'],
  ['loadavg', 'loadavg', 'loadavg'],
  ['sw_ident', 'swIdent', 'string'],
  ['sw_ver', 'swVer', 'string'],
  ['sw_sys', 'swSys', 'string'],
];

function fits(value: unknown, kind: FieldKind): boolean {
  if (kind === 'string') return typeof value === 'string';
  if (kind === 'number') return typeof value === 'number' && Number.isFinite(value);
  return Array.isArray(value) && value.every((n) => typeof n === 'number' && Number.isFinite(n));
}

/** What {@link WorkerInfo} needs to decide whether it is alive. */
export interface WorkerInfoOptions {
  /** Current time, epoch milliseconds. */
  now: () => number;
  /** Percent of `freq` (default {@link HEARTBEAT_EXPIRE_WINDOW}). */
  expireWindow?: number;
}

/**
 * A worker's last known state. `alive` is judged against the injected clock: the worker is alive while
 * `now < last heartbeat + freq × window / 100`; `worker-offline` clears the heartbeats. Any event of the worker
 * (task events too) counts as a heartbeat at its local receive time.
 */
export class WorkerInfo {
  /** Node name (`w1@host`). */
  readonly hostname: string;
  pid: number | undefined = undefined;
  /** Heartbeat interval, seconds. */
  freq: number = DEFAULT_WORKER_FREQ;
  /** Receive times (epoch seconds) of the latest heartbeats, ascending, at most {@link HEARTBEAT_MAX}. */
  readonly heartbeats: number[] = [];
  /** The worker's Lamport clock as of its latest worker event. */
  clock = 0;
  /** Tasks executing, as of the latest worker event. */
  active: number | undefined = undefined;
  /** Tasks finished since start, as of the latest worker event. */
  processed: number | undefined = undefined;
  /** 1, 5 and 15 minute load averages. */
  loadavg: readonly number[] | undefined = undefined;
  /** Software (`py-celery`, `q`). */
  swIdent: string | undefined = undefined;
  swVer: string | undefined = undefined;
  swSys: string | undefined = undefined;
  readonly #now: () => number;
  readonly #expireWindow: number;

  /** A worker known only by name, not alive until a heartbeat arrives. */
  constructor(hostname: string, options: WorkerInfoOptions) {
    this.hostname = hostname;
    this.#now = options.now;
    this.#expireWindow = options.expireWindow ?? HEARTBEAT_EXPIRE_WINDOW;
  }

  /** Receive time (epoch seconds) of the latest heartbeat; undefined before any or after `worker-offline`. */
  get lastHeartbeat(): number | undefined {
    return this.heartbeats.at(-1);
  }

  /** Epoch seconds after which, without a new heartbeat, the worker counts as offline; undefined without heartbeats. */
  get heartbeatExpires(): number | undefined {
    const last = this.heartbeats.at(-1);
    return last === undefined ? undefined : last + this.freq * (this.#expireWindow / 100);
  }

  /** Whether a heartbeat arrived within the expire window, judged by the injected clock. */
  get alive(): boolean {
    const expires = this.heartbeatExpires;
    return expires !== undefined && this.#now() / 1000 < expires;
  }

  /** `ONLINE` when {@link alive}, else `OFFLINE`. */
  get status(): WorkerStatus {
    return this.alive ? 'ONLINE' : 'OFFLINE';
  }

  /** @internal Sets the fields a worker event carries; returns how many had the wrong type and were dropped. */
  applyFields(fields: Readonly<Record<string, unknown>>): number {
    const self = this as unknown as Record<string, unknown>;
    let invalid = 0;
    for (const [wire, prop, kind] of WORKER_FIELDS) {
      if (!Object.hasOwn(fields, wire)) continue;
      const value = fields[wire];
      if (value === null || value === undefined) continue;
      if (!fits(value, kind) || (wire === 'freq' && (value as number) <= 0)) invalid += 1;
      else self[prop] = kind === 'loadavg' ? [...(value as number[])] : value;
    }
    const clock = fields['clock'];
    if (typeof clock === 'number' && Number.isFinite(clock) && clock > this.clock) this.clock = clock;
    return invalid;
  }

  /** @internal Records a heartbeat received at `localReceived` (epoch seconds), keeping the latest few in order. */
  heartbeat(localReceived: number): void {
    const beats = this.heartbeats;
    let at = beats.length;
    while (at > 0 && (beats[at - 1] ?? 0) > localReceived) at -= 1;
    beats.splice(at, 0, localReceived);
    if (beats.length > HEARTBEAT_MAX) beats.shift();
  }

  /** @internal `worker-offline`: forgets the heartbeats, so the worker is no longer alive. */
  offline(): void {
    this.heartbeats.length = 0;
  }

  /** The worker as a plain JSON-safe object. */
  toSnapshot(): WorkerSnapshot {
    const out: Record<string, unknown> = { hostname: this.hostname };
    for (const [, prop] of WORKER_FIELDS) {
      const value = (this as unknown as Record<string, unknown>)[prop];
      if (value !== undefined) out[prop] = Array.isArray(value) ? [...(value as number[])] : value;
    }
    out['heartbeats'] = [...this.heartbeats];
    out['clock'] = this.clock;
    const alive = this.alive;
    out['alive'] = alive;
    out['status'] = alive ? 'ONLINE' : 'OFFLINE';
    const expires = this.heartbeatExpires;
    if (expires !== undefined) out['heartbeatExpires'] = expires;
    return out as unknown as WorkerSnapshot;
  }
}
