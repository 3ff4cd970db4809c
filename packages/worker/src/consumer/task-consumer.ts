/**
 * The task consumer: consumes the worker's queues with a prefetch limit, hands each delivery to
 * `executeRequest`, and holds ETA tasks on the timer (Celery's `Consumer` + `Tasks` bootstep + ETA scheduling).
 */
import { parseRateLimit } from '@q/core/internal';
import type { Consumer, Delivery, QueueTopology } from '@q/core/adapter';
import type { WorkerRuntime } from '../worker-runtime.js';
import { executeRequest } from '../execution/execute-request.js';
import { isExpired } from '../execution/task-request.js';
import type { TaskRequest } from '../execution/task-request.js';
import { declareTopology } from './declare-consumed-queue.js';
import { receiveDelivery, type Received } from './receive-delivery.js';
import { revokeExpired } from '../execution/revoke-expired.js';
import { logEnabled } from '../execution/log-level.js';
import { RateLimiter } from './rate-limiter.js';
import type { Timer, TimerEntry } from './timer.js';

const DONE: Promise<void> = Promise.resolve();

/** Options of a {@link TaskConsumer}. */
export interface TaskConsumerOptions {
  /** The queues to consume, with their exchange and binding (declared at start). */
  queues: readonly QueueTopology[];
  /** `concurrency × prefetchMultiplier`; 0 = unlimited. Applied to each queue's consumer. */
  prefetch: number;
  /**
   * Rate limits set at run time (remote control `rate_limit`), tasks per second by task name (`null`: none); they win
   * over the tasks' own. The worker owns the map; the consumer reads it.
   */
  rateLimits?: ReadonlyMap<string, number | null>;
}

/** A request held until its ETA. */
export interface HeldRequest {
  readonly request: TaskRequest;
  /** Epoch ms. */
  readonly eta: number;
}

/**
 * Consumes task messages. Per-message errors never escape: they are logged and the delivery settled.
 *
 * ETA: a task whose `eta` is in the future is held unacked on the {@link Timer}; while it is held the
 * prefetch is raised by one (Celery does the same, so held tasks do not starve the worker) and lowered
 * again when it is handed to the pool.
 *
 * Rate limits: a task with `rateLimit` runs at most that often on this worker; one that comes too early waits
 * (unacked, in order behind the others of its name, without raising the prefetch, as in Celery) on the timer.
 * `worker.disableRateLimits` turns them off.
 */
export class TaskConsumer {
  /** The consumer of each queue, by queue name. */
  readonly #consumers = new Map<string, Consumer>();
  /** Queues being added (`addQueue`), so that a second add of the same one waits for the first. */
  readonly #adding = new Map<string, Promise<void>>();
  readonly #held = new Map<Delivery, { entry: TimerEntry; request: TaskRequest; eta: number }>();
  /** Deliveries handed to this consumer and not settled yet. */
  #inflight = 0;
  /** `drain()` calls waiting for `inflight` to reach 0. */
  #drained: (() => void)[] = [];
  #closing = false;
  #prefetchApplied: number;
  /** The prefetch without held ETA tasks (`options.prefetch`, until `setBasePrefetch`). */
  #basePrefetch: number;
  /** A {@link dropLost} sweep is scheduled for the end of this turn. */
  #sweepPending = false;
  /** Tasks waiting for their rate limit, and the promise each one's handling awaits. */
  readonly #limiter: RateLimiter<{ request: TaskRequest; done: (run: boolean) => void }>;
  /** Tasks per second by task name (`null`: no limit), parsed once. */
  readonly #rates = new Map<string, number | null>();

  readonly #rt: WorkerRuntime;
  readonly #timer: Timer;
  readonly #options: TaskConsumerOptions;

  constructor(rt: WorkerRuntime, timer: Timer, options: TaskConsumerOptions) {
    this.#rt = rt;
    this.#timer = timer;
    this.#options = options;
    this.#prefetchApplied = options.prefetch;
    this.#basePrefetch = options.prefetch;
    this.#limiter = new RateLimiter(timer, ({ done }) => done(true));
  }

  /** Current prefetch of each queue consumer (raised while ETA tasks are held). */
  get prefetch(): number {
    return this.#prefetchApplied;
  }

  /** Requests held until their ETA. */
  get scheduled(): readonly TaskRequest[] {
    return [...this.#held.values()].map((h) => h.request);
  }

  /** Requests held until their ETA, with it, in the order they came. */
  get held(): readonly HeldRequest[] {
    return [...this.#held.values()].map(({ request, eta }) => ({ request, eta }));
  }

  /** Requests waiting for their task's rate limit. */
  get rateLimited(): readonly TaskRequest[] {
    return this.#limiter.items().map((item) => item.request);
  }

  /** Names of the queues consumed now. */
  get queues(): readonly string[] {
    return [...this.#consumers.keys()];
  }

  /** Declare the queues and start consuming them. */
  async start(): Promise<void> {
    this.#closing = false;
    for (const topology of this.#options.queues) await this.#consume(topology);
  }

  async #consume(topology: QueueTopology): Promise<void> {
    const queue = topology.queue.name;
    await declareTopology(this.#rt.transport, topology);
    const consumer = await this.#rt.transport.consume(queue, (delivery) => this.#onDelivery(delivery), {
      prefetch: this.#prefetchApplied,
      tag: `${this.#rt.hostname}/${queue}`,
    });
    this.#consumers.set(queue, consumer);
  }

  /**
   * Declare and consume one more queue, with the current prefetch (remote control `add_consumer`). A queue consumed
   * already, or a consumer that is stopping: nothing happens.
   */
  async addQueue(topology: QueueTopology): Promise<void> {
    const name = topology.queue.name;
    const pending = this.#adding.get(name);
    if (pending !== undefined) return pending;
    if (this.#closing || this.#consumers.has(name)) return;
    const adding = this.#consume(topology).finally(() => this.#adding.delete(name));
    this.#adding.set(name, adding);
    await adding;
    // Stopped while it was being added: it stops too.
    if (this.#closing) await this.cancelQueue(name);
  }

  /**
   * Stop consuming `queue` (remote control `cancel_consumer`): no more of its messages arrive; those received finish
   * as usual. A queue not consumed: nothing happens.
   */
  async cancelQueue(queue: string): Promise<void> {
    await this.#adding.get(queue)?.catch(() => undefined);
    const consumer = this.#consumers.get(queue);
    if (consumer === undefined) return;
    this.#consumers.delete(queue);
    await consumer.cancel();
  }

  /**
   * A new base prefetch (the pool's size changed: remote control `autoscale`), applied to every queue's consumer; an
   * unlimited prefetch (0) stays unlimited.
   */
  setBasePrefetch(prefetch: number): void {
    if (this.#basePrefetch === 0) return;
    this.#basePrefetch = prefetch;
    this.#adjustPrefetch();
  }

  /** The rate limit of task `name` changed (`null`: none): the tasks waiting for it follow the new one. */
  changeRate(name: string, rate: number | null): void {
    this.#limiter.changeRate(name, rate);
  }

  /** Stop receiving; deliveries arriving later are requeued. */
  async cancel(): Promise<void> {
    this.#closing = true;
    const consumers = [...this.#consumers.values()];
    this.#consumers.clear();
    await Promise.all(
      consumers.map((c) =>
        c.cancel().catch((err: unknown) => this.#rt.logger.warn({ err, queue: c.queue }, `could not cancel the consumer of ${c.queue}`)),
      ),
    );
  }

  /** Give the ETA-held and rate-limited messages back to the broker (nack with requeue). */
  async releaseHeld(): Promise<void> {
    for (const { done } of this.#limiter.release()) done(false);
    const held = [...this.#held.entries()];
    this.#held.clear();
    for (const [delivery, { entry }] of held) {
      entry.cancel();
      this.#rt.counters.scheduled -= 1;
      try {
        await delivery.nack({ requeue: true });
      } catch (err) {
        this.#rt.logger.error({ err }, 'could not requeue an ETA task');
      }
    }
  }

  /** Resolve when every delivery handed to this consumer has been settled. */
  async drain(): Promise<void> {
    while (this.#inflight > 0) await new Promise<void>((resolve) => this.#drained.push(resolve));
  }

  /** Count `work` as in flight until it settles; its errors are logged. */
  #track(work: Promise<void>): void {
    this.#inflight += 1;
    work.then(this.#untrack, this.#untrackFailed);
  }

  /** The end of a {@link track}ed piece of work (one function for all of them, not a closure per delivery). */
  readonly #untrack = (): void => {
    this.#inflight -= 1;
    if (this.#inflight === 0 && this.#drained.length > 0) for (const wake of this.#drained.splice(0)) wake();
  };

  /** A {@link track}ed piece of work failed: its error is logged, then it ends. */
  readonly #untrackFailed = (err: unknown): void => {
    try {
      this.#rt.logger.error({ err }, 'internal error handling a delivery');
    } finally {
      this.#untrack();
    }
  };

  #onDelivery(delivery: Delivery): void {
    this.#track(this.#handle(delivery));
  }

  /** Not `async`: a runnable message is decoded, checked and started without waiting (the per-message path). */
  #handle(delivery: Delivery): Promise<void> {
    try {
      if (this.#closing) return delivery.nack({ requeue: true });
      const received = receiveDelivery(this.#rt, delivery);
      return received instanceof Promise ? received.then((r) => this.#dispatch(r)) : this.#dispatch(received);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Run a received request now, or hold it until its ETA. */
  #dispatch(received: Received | null): Promise<void> {
    if (!received) return DONE;
    const { request, eta } = received;
    const { message } = request;
    if (logEnabled(this.#rt.logger, 'info')) this.#rt.logger.info({ taskId: message.id }, `Task ${message.name}[${message.id}] received`);
    if (eta !== null && eta > Date.now()) {
      this.#hold(request, eta);
      return DONE;
    }
    return this.#execute(request);
  }

  /** Runs `request` now, or when its task's rate limit lets it; requeued if the worker stops meanwhile. */
  #execute(request: TaskRequest): Promise<void> {
    const rate = this.#rateOf(request);
    return rate === null ? executeRequest(this.#rt, request) : this.#executeLimited(request, rate);
  }

  async #executeLimited(request: TaskRequest, rate: number): Promise<void> {
    const run = await new Promise<boolean>((done) => this.#limiter.admit(request.message.name, rate, { request, done }));
    if (run) return executeRequest(this.#rt, request);
    try {
      await request.delivery.nack({ requeue: true });
    } catch (err) {
      this.#rt.logger.error({ err }, 'could not requeue a rate-limited task');
    }
  }

  #rateOf(request: TaskRequest): number | null {
    const limit = request.task.options.rateLimit;
    const set = this.#options.rateLimits;
    // The usual task has no limit, and nothing was set at run time: one check.
    if ((limit === null && (set === undefined || set.size === 0)) || this.#rt.app.conf.worker.disableRateLimits) return null;
    const override = set?.get(request.message.name);
    if (override !== undefined) return override;
    if (limit === null) return null;
    let rate = this.#rates.get(request.message.name);
    if (rate === undefined) this.#rates.set(request.message.name, (rate = parseRateLimit(limit)));
    return rate;
  }

  #hold(request: TaskRequest, eta: number): void {
    const { delivery } = request;
    // A redelivery is what follows a lost channel: sweep the held copies it replaces (once per turn, not per hold).
    if (delivery.info.redelivered) this.#sweepLostSoon();
    this.#rt.counters.scheduled += 1;
    const entry = this.#timer.schedule(eta, () => {
      if (!this.#held.delete(delivery)) return;
      this.#rt.counters.scheduled -= 1;
      this.#adjustPrefetch();
      // The broker took it back (its channel closed) and delivers it again: that copy runs, not this one.
      if (delivery.lost === true) return;
      this.#track(this.#runHeld(request));
    });
    this.#held.set(delivery, { entry, request, eta });
    this.#adjustPrefetch();
  }

  /** Schedules one {@link dropLost} for the end of this event-loop turn (a redelivery burst sweeps once per turn). */
  #sweepLostSoon(): void {
    if (this.#sweepPending) return;
    this.#sweepPending = true;
    setImmediate(() => {
      this.#sweepPending = false;
      this.#dropLost();
    });
  }

  /** Forget held ETA tasks whose delivery the broker took back (a closed AMQP channel): it redelivers them. */
  #dropLost(): void {
    let dropped = false;
    for (const [delivery, { entry, request }] of this.#held) {
      if (delivery.lost !== true) continue;
      entry.cancel();
      this.#held.delete(delivery);
      this.#rt.counters.scheduled -= 1;
      this.#rt.logger.debug({ taskId: request.message.id }, 'dropped a held ETA task whose delivery the broker took back (it is delivered again)');
      dropped = true;
    }
    if (dropped) this.#adjustPrefetch();
  }

  async #runHeld(request: TaskRequest): Promise<void> {
    if (isExpired(request.message, this.#rt.app.conf.timezone) || this.#rt.nodeState?.isRevoked(request.message.id) === true) {
      await revokeExpired(this.#rt, request.delivery, request.message);
      return;
    }
    await this.#execute(request);
  }

  /** prefetch = base + held ETA tasks (unless unlimited). */
  #adjustPrefetch(): void {
    if (this.#basePrefetch === 0) return;
    const next = this.#basePrefetch + this.#held.size;
    if (next === this.#prefetchApplied) return;
    this.#prefetchApplied = next;
    for (const c of this.#consumers.values()) {
      c.setPrefetch(next).catch((err: unknown) => this.#rt.logger.warn({ err, queue: c.queue }, 'could not change the prefetch'));
    }
  }
}
