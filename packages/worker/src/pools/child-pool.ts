/**
 * A pool of children (processes or threads). Bodies run in the children from job descriptors; outcomes come back
 * as data. A child runs one job at a time. With `-O fair` (the default) a child gets a job only when it has none;
 * with `-O default` the pool queues up to {@link CHILD_QUEUE_DEPTH} jobs in a child (several in one message), so a
 * child never waits for the parent between two jobs and the parent writes to a child once for several jobs. A job
 * queued in a child is acked only when the child starts it (`accepted`), and it moves to a child that goes idle
 * (work stealing) as soon as its child reads its messages (between two jobs, or while a job awaits).
 *
 * A hard time limit or a revoke with terminate kills the child running the job and starts another; a child that
 * dies is replaced and its running job reported `terminated` with a `WorkerLostError`-like reason, the jobs queued
 * in it go to other children. Children are recycled after `maxTasksPerChild` tasks or past `maxMemoryPerChild`
 * KiB, after their current task, and all of them on `restart()` (remote control `pool_restart`).
 */
import { QError } from '@q/core';
import type { JobCallbacks, JobDescriptor, Pool, PoolCapabilities, PoolJob, PoolOutcome, PoolRunOptions } from '@q/core/adapter';
import type { ChildAppSource } from '@q/core/adapter';
import { currentTask } from '@q/core/internal';
import type { RunningTask } from '@q/core/internal';
import type { ChildMessage } from '../child/protocol.js';
import { reviveControl, reviveError, serializeError } from '../child/serialize-error.js';
import { terminateSignal } from '../state/terminate-reason.js';
import type { ChildHandle, SpawnChild } from './child-handle.js';
import { autoscaler } from './autoscaler.js';

/** Jobs a child holds at most (running and queued) with `-O default`. */
export const CHILD_QUEUE_DEPTH = 8;
/** With `-O default`, a child is refilled (up to {@link CHILD_QUEUE_DEPTH}) once it holds no more than this many jobs. */
export const CHILD_REFILL_AT = 2;

/** Options of {@link childPool}. */
export interface ChildPoolOptions {
  readonly name: string;
  readonly capabilities: PoolCapabilities;
  readonly spawn: SpawnChild;
  readonly concurrency: number;
  readonly childApp: ChildAppSource;
  readonly maxTasksPerChild?: number | undefined;
  /** KiB. */
  readonly maxMemoryPerChild?: number | undefined;
  /** `[max, min]`. */
  readonly autoscale?: readonly [number, number] | undefined;
  /** `fair` (default): one job per child at a time; `default`: up to {@link CHILD_QUEUE_DEPTH} per child. */
  readonly optimization?: 'fair' | 'default' | undefined;
}

/** Why a queued job is being taken back from its child: to run elsewhere, to end it (revoke), or to drop it (stop). */
type Withdraw = 'move' | 'terminate' | 'drop';

interface Running {
  readonly id: number;
  readonly descriptor: JobDescriptor;
  readonly callbacks: JobCallbacks;
  readonly options: PoolRunOptions;
  /** The running task on the main thread (the job dispatches inside it): what the body sends becomes its `children`. */
  readonly task: RunningTask | undefined;
  readonly resolve: (outcome: PoolOutcome) => void;
  readonly body: { resolve: (value: unknown) => void; reject: (error: unknown) => void };
  child: Child;
  /** When its child started it (`null`: queued there). */
  startedAt: number | null;
  /** The outcome given when the job ends before it started (revoke, stop). */
  endedEarly?: PoolOutcome;
  withdraw: Withdraw | null;
  timers: ReturnType<typeof setTimeout>[];
  offAbort?: () => void;
  settled: boolean;
}

interface Child {
  readonly handle: ChildHandle;
  /** `draining`: takes no more jobs, retires once its queue is empty. */
  state: 'booting' | 'ready' | 'draining' | 'retiring' | 'gone';
  tasks: number;
  /** Jobs sent to this child, in order: the first one runs when `startedAt` is set. */
  queue: Running[];
  /** Jobs handed to this child whose main-thread steps have not dispatched yet. */
  begun: number;
  /** Jobs to send in the next message. */
  outbox: { id: number; job: JobDescriptor }[];
  ready: Promise<void>;
}

interface Waiting {
  readonly job: PoolJob;
  readonly options: PoolRunOptions;
  readonly resolve: (outcome: PoolOutcome) => void;
}

const stoppedReason = (name: string): QError => new QError('Q_ERR_WORKER_STATE', `pool ${name} is stopped`);

/** Create a pool of children. */
export function childPool(options: ChildPoolOptions): Pool {
  const { name } = options;
  if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
    throw new QError('Q_ERR_CONFIG_INVALID', `pool ${name}: concurrency must be a positive integer, got ${options.concurrency}`);
  }
  const depth = options.optimization === 'default' ? CHILD_QUEUE_DEPTH : 1;
  const refillAt = options.optimization === 'default' ? CHILD_REFILL_AT : 0;
  const children = new Set<Child>();
  const waiting: Waiting[] = [];
  /** Jobs taken back from a child (moved, or their child died before starting them): they go out first. */
  const moved: Running[] = [];
  let target = options.autoscale ? options.autoscale[1] : options.concurrency;
  /** `[max, min]` while autoscaling (changed by `setAutoscale`). */
  let bounds: [number, number] | null = options.autoscale ? [options.autoscale[0], options.autoscale[1]] : null;
  let stopped = true;
  let nextJob = 0;
  let bootFailures = 0;
  let everReady = false;
  let lastBootError: Error | undefined;
  let active = 0;

  const live = (): Child[] => [...children].filter((c) => c.state === 'booting' || c.state === 'ready');
  const load = (child: Child): number => child.queue.length + child.begun;
  const withinMaxTasks = (child: Child): boolean => options.maxTasksPerChild === undefined || child.tasks + load(child) < options.maxTasksPerChild;
  /** Whether `child` gets more jobs now: refilled in batches, once it holds no more than `refillAt` (then up to `depth`). */
  const canTake = (child: Child): boolean => child.state === 'ready' && load(child) <= refillAt && load(child) < depth && withinMaxTasks(child);

  const spawnChild = (): Child => {
    const handle = options.spawn({
      app: options.childApp,
      pool: name,
      reportMemory: options.maxMemoryPerChild !== undefined,
      maxTasks: options.maxTasksPerChild,
      maxMemoryKiB: options.maxMemoryPerChild,
    });
    let ready!: () => void;
    let failed!: (err: Error) => void;
    const child: Child = {
      handle,
      state: 'booting',
      tasks: 0,
      queue: [],
      begun: 0,
      outbox: [],
      ready: new Promise<void>((res, rej) => ((ready = res), (failed = rej))),
    };
    child.ready.catch(() => undefined);
    children.add(child);
    handle.onMessage((message) => onMessage(child, message, ready, failed));
    handle.onExit((why) => onExit(child, why, failed));
    return child;
  };

  const onMessage = (child: Child, message: ChildMessage, ready: () => void, failed: (err: Error) => void): void => {
    switch (message.t) {
      case 'ready':
        everReady = true;
        bootFailures = 0;
        if (child.state === 'booting') child.state = 'ready';
        ready();
        // A child that starts late (a replacement, a second one) takes work queued in the others.
        afterChange(child);
        return;
      case 'boot-failed':
        lastBootError = new QError('Q_ERR_POOL_CHILD_FAILED', `pool ${name}: a child could not load the app: ${reviveError(message.error).message}`);
        failed(lastBootError);
        return;
      case 'done': {
        const run = child.queue[0];
        if (run === undefined || run.id !== message.id) return;
        child.queue.shift();
        child.tasks += 1;
        if (message.children !== undefined && run.task !== undefined) run.task.children.push(...message.children);
        const outcome = message.outcome;
        if (outcome.kind === 'success') run.body.resolve(outcome.value);
        else if (outcome.kind === 'failure') run.body.reject(reviveError(outcome.error));
        else run.body.reject(reviveControl(outcome.control));
        clearRun(run);
        // The child makes the same decision from the same numbers: it starts nothing more and hands its queue back.
        const recycle =
          (options.maxTasksPerChild !== undefined && child.tasks >= options.maxTasksPerChild) ||
          (options.maxMemoryPerChild !== undefined && message.rss > options.maxMemoryPerChild);
        if (recycle) {
          if (child.state === 'ready') child.state = 'draining';
        } else {
          startHead(child);
        }
        afterChange(child);
        return;
      }
      case 'handed-back':
        for (const id of message.ids) {
          const index = child.queue.findIndex((r) => r.id === id);
          if (index < 0) continue;
          const [run] = child.queue.splice(index, 1) as [Running];
          handBack(run);
        }
        startHead(child);
        afterChange(child);
        return;
      case 'call': {
        const run = child.queue.find((r) => r.id === message.id);
        if (run === undefined) return;
        run.callbacks.updateState(message.state, message.meta).then(
          () => child.handle.send({ t: 'reply', rid: message.rid }),
          (err: unknown) => child.handle.send({ t: 'reply', rid: message.rid, error: serializeError(err) }),
        );
        return;
      }
    }
  };

  /**
   * A job its child did not start is back: it ends (revoke, stop) or waits for another child. (The parent may have
   * counted it as started when the job before it finished: the child reads its messages between two jobs.)
   */
  const handBack = (run: Running): void => {
    const withdraw = run.withdraw;
    run.withdraw = null;
    run.startedAt = null;
    for (const t of run.timers) clearTimeout(t);
    run.timers = [];
    if (run.endedEarly !== undefined || withdraw === 'terminate' || withdraw === 'drop' || stopped) {
      finish(run, run.endedEarly ?? { kind: 'terminated', reason: stoppedReason(name), runtimeMs: 0 });
      run.body.reject(new QError('Q_ERR_WORKER_STATE', 'the job did not start'));
      return;
    }
    moved.push(run);
  };

  /** The first job of `child`'s queue started when its predecessor's `done` (or the job itself) reached the child. */
  const startHead = (child: Child): void => {
    const run = child.queue[0];
    if (run === undefined || run.startedAt !== null) return;
    run.startedAt = performance.now();
    if (run.withdraw === 'terminate') {
      // Revoked with terminate while queued, and the child took it before the cancel arrived.
      killRunning(child, run, run.endedEarly ?? { kind: 'terminated', reason: stoppedReason(name), runtimeMs: 0 });
      return;
    }
    run.withdraw = null;
    run.callbacks.accepted(run.child.handle.pid);
    const soft = run.options.softTimeoutMs;
    if (soft !== undefined) run.timers.push(setTimeout(() => run.child.handle.send({ t: 'soft', id: run.id, seconds: soft / 1000 }), soft));
    const hard = run.options.hardTimeoutMs;
    if (hard !== undefined) run.timers.push(setTimeout(() => killRunning(run.child, run, { kind: 'timeout', limit: 'hard', runtimeMs: performance.now() - (run.startedAt ?? 0) }), hard));
  };

  /** After a job left `child`: retire it when draining and empty, give work to it or take work for it, pump. */
  const afterChange = (child: Child): void => {
    if (child.state === 'draining' && child.queue.length === 0 && child.begun === 0) {
      retire(child);
      fill();
    } else if (child.state === 'ready' && live().length > target && child.queue.length === 0 && child.begun === 0) {
      retire(child);
    }
    pump();
    if (child.state === 'ready' && child.queue.length === 0 && child.begun === 0) steal();
  };

  /** Ask `child` for its jobs not started (every one, or only the last for a steal). */
  const withdrawQueued = (child: Child, why: Withdraw, onlyLast = false): void => {
    const queued = child.queue.filter((r) => r.startedAt === null && r.withdraw === null);
    const picked = onlyLast ? queued.slice(-1) : queued;
    if (picked.length === 0) return;
    for (const run of picked) run.withdraw = why;
    child.handle.send({ t: 'cancel', ids: picked.map((r) => r.id) });
  };

  /** An idle child takes a job queued behind a running one in another child (asked back from that child). */
  const steal = (): void => {
    if (stopped || waiting.length > 0 || moved.length > 0) return;
    let donor: Child | undefined;
    for (const c of children) {
      const queued = c.queue.filter((r) => r.startedAt === null && r.withdraw === null).length;
      if (queued > 0 && (donor === undefined || c.queue.length > donor.queue.length)) donor = c;
    }
    if (donor !== undefined) withdrawQueued(donor, 'move', true);
  };

  const onExit = (child: Child, why: string, failed: (err: Error) => void): void => {
    const wasBooting = child.state === 'booting';
    child.state = 'gone';
    children.delete(child);
    if (wasBooting) {
      bootFailures += 1;
      failed(lastBootError ?? new QError('Q_ERR_POOL_CHILD_FAILED', `pool ${name}: a child exited while starting (${why})`));
    }
    const [head, ...rest] = child.queue.splice(0);
    if (head !== undefined) {
      if (head.startedAt !== null) finish(head, { kind: 'terminated', reason: new QError('Q_ERR_WORKER_LOST', `${why}.`), runtimeMs: performance.now() - head.startedAt });
      else rest.unshift(head);
    }
    // What it had not started runs in another child.
    for (const run of rest) handBack(run);
    if (stopped) return;
    if (!everReady && bootFailures >= 3) {
      const error = lastBootError ?? new QError('Q_ERR_POOL_CHILD_FAILED', `pool ${name}: children keep exiting while starting (${why})`);
      for (const w of waiting.splice(0)) w.resolve({ kind: 'failure', error, runtimeMs: 0 });
      for (const run of moved.splice(0)) {
        finish(run, { kind: 'failure', error, runtimeMs: 0 });
        run.body.reject(error);
      }
      return;
    }
    fill();
    pump();
  };

  /** Start children until `target` are alive. */
  const fill = (): void => {
    if (stopped) return;
    while (live().length < target) spawnChild();
  };

  const retire = (child: Child): void => {
    child.state = 'retiring';
    child.handle.send({ t: 'stop' });
    const timer = setTimeout(() => child.handle.kill(), 10_000);
    timer.unref();
    child.handle.onExit(() => clearTimeout(timer));
  };

  const clearRun = (run: Running): void => {
    for (const t of run.timers) clearTimeout(t);
    run.timers = [];
    run.offAbort?.();
  };

  const finish = (run: Running, outcome: PoolOutcome): void => {
    if (run.settled) return;
    run.settled = true;
    clearRun(run);
    active -= 1;
    run.resolve(outcome);
  };

  /**
   * Kill the child running `run` (hard limit, terminate, cold stop): its job resolves `outcome`, a new child replaces
   * it, the jobs queued behind it run elsewhere. A revoke's terminate sends the signal it names (`SIGTERM` by
   * default); everything else `SIGKILL`.
   */
  const killRunning = (child: Child, run: Running, outcome: PoolOutcome): void => {
    if (child.queue[0] !== run || child.state === 'gone') return;
    finish(run, outcome);
    child.queue.shift();
    child.state = 'retiring';
    child.handle.kill((outcome.kind === 'terminated' ? terminateSignal(outcome.reason) : null) ?? 'SIGKILL');
    fill();
  };

  /** End `run` from outside (revoke with terminate, cold stop): kill its child if it runs, else take it back. */
  const endRun = (run: Running, outcome: PoolOutcome): void => {
    if (run.settled) return;
    if (run.startedAt !== null) return killRunning(run.child, run, { ...outcome, runtimeMs: performance.now() - run.startedAt } as PoolOutcome);
    run.endedEarly = outcome;
    const waitingAgain = moved.indexOf(run);
    if (waitingAgain >= 0) {
      // Between children: nothing to take back.
      moved.splice(waitingAgain, 1);
      handBack(run);
      return;
    }
    if (run.withdraw === null) {
      run.withdraw = 'terminate';
      run.child.handle.send({ t: 'cancel', ids: [run.id] });
    } else {
      run.withdraw = 'terminate';
    }
  };

  /** Send `child` its queued messages once the current turn is over (one message for every job given meanwhile). */
  const flushSoon = (child: Child): void => {
    if (child.outbox.length !== 1) return;
    queueMicrotask(() => {
      const jobs = child.outbox.splice(0);
      if (jobs.length > 0 && child.state !== 'gone') child.handle.send({ t: 'run', jobs });
    });
  };

  /** Queue `run` in `child`: it starts at once when the child has nothing else. */
  const place = (child: Child, run: Running): void => {
    run.child = child;
    child.queue.push(run);
    child.outbox.push({ id: run.id, job: run.descriptor });
    flushSoon(child);
    if (child.queue.length === 1) startHead(child);
  };

  const begin = (child: Child, w: Waiting): void => {
    child.begun += 1;
    const id = (nextJob += 1);
    active += 1;
    let run: Running | undefined;
    const started = performance.now();
    const outer = w.options.signal;
    const dispatch = (descriptor: JobDescriptor, callbacks: JobCallbacks): Promise<unknown> =>
      new Promise<unknown>((resolve, reject) => {
        child.begun -= 1;
        const r: Running = {
          id,
          descriptor,
          callbacks,
          options: w.options,
          task: currentTask(),
          resolve: w.resolve,
          body: { resolve, reject },
          child,
          startedAt: null,
          withdraw: null,
          timers: [],
          settled: false,
        };
        run = r;
        if (outer) {
          const onAbort = (): void => endRun(r, { kind: 'terminated', reason: outer.reason, runtimeMs: 0 });
          outer.addEventListener('abort', onAbort, { once: true });
          r.offAbort = () => outer.removeEventListener('abort', onAbort);
        }
        // The child may be gone or draining by now: the job waits for another one.
        if (child.state === 'ready') place(child, r);
        else moved.push(r);
        if (outer?.aborted === true) endRun(r, { kind: 'terminated', reason: outer.reason, runtimeMs: 0 });
        afterChange(child);
      });
    const remote = w.job.runRemote;
    if (remote === undefined) {
      active -= 1;
      child.begun -= 1;
      w.resolve({ kind: 'failure', error: new QError('Q_ERR_CONFIG_INVALID', `pool ${name} runs jobs from descriptors; this job has none (runRemote)`), runtimeMs: 0 });
      pump();
      return;
    }
    let body: Promise<unknown>;
    try {
      body = Promise.resolve(remote.call(w.job, dispatch));
    } catch (error) {
      body = Promise.reject(error);
    }
    body.then(
      (value) => settleBody(child, run, w, { kind: 'success', value, runtimeMs: performance.now() - (run?.startedAt ?? started) }),
      (error: unknown) => settleBody(child, run, w, { kind: 'failure', error, runtimeMs: performance.now() - (run?.startedAt ?? started) }),
    );
  };

  /** The job's own promise settled (the body's outcome, or the job ended before dispatching). */
  const settleBody = (child: Child, run: Running | undefined, w: Waiting, outcome: PoolOutcome): void => {
    if (run === undefined) {
      // Never dispatched (expired, lost, failed before the body): the child's place is free again.
      active -= 1;
      child.begun -= 1;
      w.resolve(outcome);
      afterChange(child);
      return;
    }
    finish(run, outcome);
  };

  /**
   * Hand out what waits: children low enough to refill (at most `refillAt` jobs) take jobs in turn, the emptiest
   * first, up to `depth` each. What one child is given in this turn goes to it in one message.
   */
  const pump = (): void => {
    if (stopped || (moved.length === 0 && waiting.length === 0)) return;
    const refilling = [...children].filter(canTake);
    while (moved.length > 0 || waiting.length > 0) {
      let child: Child | undefined;
      for (const c of refilling) if (c.state === 'ready' && load(c) < depth && withinMaxTasks(c) && (child === undefined || load(c) < load(child))) child = c;
      if (child === undefined) return;
      const again = moved.shift();
      if (again !== undefined) {
        if (!again.settled) place(child, again);
      } else {
        begin(child, waiting.shift() as Waiting);
      }
    }
  };

  const scaler = bounds
    ? autoscaler({
        get max() {
          return bounds?.[0] ?? target;
        },
        get min() {
          return bounds?.[1] ?? target;
        },
        size: () => target,
        queued: () => waiting.length,
        busy: () => active,
        resize: (n) => {
          target = n;
          fill();
          for (const child of idleChildren()) if (live().length > target) retire(child);
        },
      })
    : null;

  const idleChildren = (): Child[] => [...children].filter((c) => c.state === 'ready' && c.queue.length === 0 && c.begun === 0);

  return {
    name,
    capabilities: options.capabilities,
    get concurrency() {
      return bounds ? bounds[0] : target;
    },
    get active() {
      return active;
    },
    get pids() {
      return [...new Set(live().filter((c) => c.handle.pid > 0).map((c) => c.handle.pid))];
    },
    async start() {
      stopped = false;
      fill();
      scaler?.start();
      // The pool is up once one child loaded the app; a child that cannot load it fails the start.
      await Promise.any(live().map((c) => c.ready)).catch((err: unknown) => {
        throw (err as AggregateError).errors?.[0] ?? err;
      });
    },
    async stop({ graceful }) {
      stopped = true;
      scaler?.stop();
      const reason = stoppedReason(name);
      for (const w of waiting.splice(0)) w.resolve({ kind: 'terminated', reason, runtimeMs: 0 });
      for (const run of moved.splice(0)) handBack(run);
      // Jobs queued in a child and not started go back (their messages are not acked: the broker keeps them).
      for (const c of children) withdrawQueued(c, 'drop');
      if (graceful) await Promise.all([...children].map(idleOf));
      else for (const c of [...children]) for (const run of [...c.queue]) endRun(run, { kind: 'terminated', reason, runtimeMs: 0 });
      const exits = [...children].map((c) => new Promise<void>((resolve) => c.handle.onExit(() => resolve())));
      for (const c of [...children]) if (c.state !== 'gone' && c.state !== 'retiring') retire(c);
      await Promise.all(exits);
    },
    run(job: PoolJob, runOptions: PoolRunOptions): Promise<PoolOutcome> {
      if (stopped) return Promise.resolve({ kind: 'terminated', reason: stoppedReason(name), runtimeMs: 0 });
      return new Promise<PoolOutcome>((resolve) => {
        waiting.push({ job, options: runOptions, resolve });
        pump();
      });
    },
    grow(n: number) {
      target += n;
      fill();
    },
    shrink(n: number) {
      target = Math.max(1, target - n);
      for (const child of idleChildren()) if (live().length > target) retire(child);
    },
    ...(bounds
      ? {
          setAutoscale(max: number, min: number): readonly [number, number] {
            if (!Number.isInteger(max) || !Number.isInteger(min) || min < 1 || max < min) {
              throw new QError('Q_ERR_CONFIG_INVALID', `pool ${name}: autoscale expects max ≥ min ≥ 1, got max=${max} min=${min}`);
            }
            bounds = [max, min];
            const next = Math.min(Math.max(target, min), max);
            if (next !== target) {
              target = next;
              fill();
              for (const child of idleChildren()) if (live().length > target) retire(child);
            }
            return [max, min] as const;
          },
        }
      : {}),
    async restart() {
      if (stopped) throw stoppedReason(name);
      // As for maxTasksPerChild: an old child drains (takes nothing more, retires once empty), its jobs not started
      // move to the new children, which start now (draining children do not count as live).
      const old = live();
      for (const child of old) {
        child.state = 'draining';
        withdrawQueued(child, 'move');
      }
      fill();
      const fresh = live();
      for (const child of old) afterChange(child);
      await Promise.all(fresh.map((c) => c.ready));
    },
  };

  /** Resolves when `child` has no job any more (running, queued or about to be dispatched). */
  function idleOf(child: Child): Promise<void> {
    return new Promise<void>((resolve) => {
      const check = (): void => {
        if ((child.queue.length === 0 && child.begun === 0) || child.state === 'gone') resolve();
        else setTimeout(check, 10);
      };
      check();
    });
  }
}
