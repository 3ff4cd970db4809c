/**
 * A pool of children (processes or threads), one job per child at a time. Bodies run in the children from job
 * descriptors; outcomes come back as data. A hard time limit or a revoke with terminate kills the child running the
 * job and starts another; a child that dies is replaced and its job reported `terminated` with a
 * `WorkerLostError`-like reason. Children are recycled after `maxTasksPerChild` tasks or past
 * `maxMemoryPerChild` KiB, after their current task.
 */
import { QError } from '@q/core';
import type { JobCallbacks, JobDescriptor, Pool, PoolCapabilities, PoolJob, PoolOutcome, PoolRunOptions } from '@q/core/adapter';
import type { ChildAppSource } from '@q/core/adapter';
import { currentTask } from '@q/core/internal';
import type { RunningTask } from '@q/core/internal';
import type { ChildMessage } from '../child/protocol.js';
import { reviveControl, reviveError, serializeError } from '../child/serialize-error.js';
import type { ChildHandle, SpawnChild } from './child-handle.js';
import { terminateSignal } from '../state/terminate-reason.js';
import { autoscaler } from './autoscaler.js';

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
}

interface Running {
  readonly id: number;
  readonly job: PoolJob;
  readonly callbacks: JobCallbacks;
  /** The running task on the main thread (the job dispatches inside it): what the body sends becomes its `children`. */
  readonly task: RunningTask | undefined;
  readonly resolve: (outcome: PoolOutcome) => void;
  readonly startedAt: number;
  timers: ReturnType<typeof setTimeout>[];
  offAbort?: () => void;
  body?: { resolve: (value: unknown) => void; reject: (error: unknown) => void };
  settled: boolean;
}

interface Child {
  readonly handle: ChildHandle;
  state: 'booting' | 'idle' | 'busy' | 'retiring' | 'gone';
  tasks: number;
  running: Running | null;
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
  const children = new Set<Child>();
  const waiting: Waiting[] = [];
  let target = options.autoscale ? options.autoscale[1] : options.concurrency;
  let stopped = true;
  let nextJob = 0;
  let bootFailures = 0;
  let everReady = false;
  let lastBootError: Error | undefined;
  let active = 0;

  const live = (): Child[] => [...children].filter((c) => c.state !== 'retiring' && c.state !== 'gone');

  const spawnChild = (): Child => {
    const handle = options.spawn({ app: options.childApp, pool: name, reportMemory: options.maxMemoryPerChild !== undefined });
    let ready!: () => void;
    let failed!: (err: Error) => void;
    const child: Child = { handle, state: 'booting', tasks: 0, running: null, ready: new Promise<void>((res, rej) => ((ready = res), (failed = rej))) };
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
        if (child.state === 'booting') child.state = 'idle';
        ready();
        pump();
        return;
      case 'boot-failed':
        lastBootError = new QError('Q_ERR_POOL_CHILD_FAILED', `pool ${name}: a child could not load the app: ${reviveError(message.error).message}`);
        failed(lastBootError);
        return;
      case 'done': {
        const run = child.running;
        if (run === null || run.id !== message.id) return;
        const outcome = message.outcome;
        if (message.children !== undefined && run.task !== undefined) run.task.children.push(...message.children);
        if (outcome.kind === 'success') run.body?.resolve(outcome.value);
        else if (outcome.kind === 'failure') run.body?.reject(reviveError(outcome.error));
        else run.body?.reject(reviveControl(outcome.control));
        child.tasks += 1;
        const recycle =
          (options.maxTasksPerChild !== undefined && child.tasks >= options.maxTasksPerChild) ||
          (options.maxMemoryPerChild !== undefined && message.rss > options.maxMemoryPerChild);
        freeChild(child, recycle);
        return;
      }
      case 'call': {
        const run = child.running;
        if (run === null || run.id !== message.id) return;
        run.callbacks.updateState(message.state, message.meta).then(
          () => child.handle.send({ t: 'reply', rid: message.rid }),
          (err: unknown) => child.handle.send({ t: 'reply', rid: message.rid, error: serializeError(err) }),
        );
        return;
      }
    }
  };

  const onExit = (child: Child, why: string, failed: (err: Error) => void): void => {
    const wasBooting = child.state === 'booting';
    child.state = 'gone';
    children.delete(child);
    if (wasBooting) {
      bootFailures += 1;
      failed(lastBootError ?? new QError('Q_ERR_POOL_CHILD_FAILED', `pool ${name}: a child exited while starting (${why})`));
    }
    const run = child.running;
    child.running = null;
    if (run !== null) finish(run, { kind: 'terminated', reason: new QError('Q_ERR_WORKER_LOST', `${why}.`), runtimeMs: performance.now() - run.startedAt });
    if (stopped) return;
    if (!everReady && bootFailures >= 3) {
      const error = lastBootError ?? new QError('Q_ERR_POOL_CHILD_FAILED', `pool ${name}: children keep exiting while starting (${why})`);
      for (const w of waiting.splice(0)) w.resolve({ kind: 'failure', error, runtimeMs: 0 });
      return;
    }
    fill();
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

  const freeChild = (child: Child, recycle: boolean): void => {
    const run = child.running;
    child.running = null;
    if (run) {
      for (const t of run.timers) clearTimeout(t);
      run.offAbort?.();
    }
    if (child.state !== 'busy') return;
    if (recycle || live().length > target) {
      retire(child);
      fill();
    } else {
      child.state = 'idle';
    }
    pump();
  };

  const finish = (run: Running, outcome: PoolOutcome): void => {
    if (run.settled) return;
    run.settled = true;
    for (const t of run.timers) clearTimeout(t);
    run.offAbort?.();
    active -= 1;
    run.resolve(outcome);
  };

  /**
   * Kill the child running `run` (hard limit, terminate, cold stop): its job resolves `outcome`, a new child replaces
   * it. A revoke's terminate sends the signal it names (`SIGTERM` by default); everything else `SIGKILL`.
   */
  const killRunning = (child: Child, run: Running, outcome: PoolOutcome): void => {
    if (child.running !== run) return;
    finish(run, outcome);
    child.running = null;
    child.state = 'retiring';
    child.handle.kill((outcome.kind === 'terminated' ? terminateSignal(outcome.reason) : null) ?? 'SIGKILL');
    fill();
  };

  const begin = (child: Child, w: Waiting): void => {
    child.state = 'busy';
    const id = (nextJob += 1);
    active += 1;
    let run: Running | undefined;
    const started = performance.now();
    const outer = w.options.signal;
    const dispatch = (descriptor: JobDescriptor, callbacks: JobCallbacks): Promise<unknown> =>
      new Promise<unknown>((resolve, reject) => {
        run = { id, job: w.job, callbacks, task: currentTask(), resolve: w.resolve, startedAt: performance.now(), timers: [], settled: false, body: { resolve, reject } };
        const r = run;
        child.running = r;
        const soft = w.options.softTimeoutMs;
        if (soft !== undefined) r.timers.push(setTimeout(() => child.handle.send({ t: 'soft', id, seconds: soft / 1000 }), soft));
        const hard = w.options.hardTimeoutMs;
        if (hard !== undefined) r.timers.push(setTimeout(() => killRunning(child, r, { kind: 'timeout', limit: 'hard', runtimeMs: performance.now() - r.startedAt }), hard));
        if (outer) {
          const onAbort = (): void => killRunning(child, r, { kind: 'terminated', reason: outer.reason, runtimeMs: performance.now() - r.startedAt });
          if (outer.aborted) return onAbort();
          outer.addEventListener('abort', onAbort, { once: true });
          r.offAbort = () => outer.removeEventListener('abort', onAbort);
        }
        child.handle.send({ t: 'run', id, job: descriptor });
      });
    const remote = w.job.runRemote;
    if (remote === undefined) {
      active -= 1;
      child.state = 'idle';
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
      // Never dispatched (expired, lost, failed before the body): the child is free again.
      active -= 1;
      w.resolve(outcome);
      if (child.state === 'busy') {
        child.state = 'idle';
        pump();
      }
      return;
    }
    finish(run, outcome);
  };

  const pump = (): void => {
    if (stopped) return;
    while (waiting.length > 0) {
      const idle = [...children].find((c) => c.state === 'idle');
      if (idle === undefined) return;
      begin(idle, waiting.shift() as Waiting);
    }
  };

  const scaler = options.autoscale
    ? autoscaler({
        max: options.autoscale[0],
        min: options.autoscale[1],
        size: () => target,
        queued: () => waiting.length,
        busy: () => active,
        resize: (n) => {
          target = n;
          fill();
          for (const child of [...children].filter((c) => c.state === 'idle')) if (live().length > target) retire(child);
        },
      })
    : null;

  return {
    name,
    capabilities: options.capabilities,
    get concurrency() {
      return options.autoscale ? options.autoscale[0] : target;
    },
    get active() {
      return active;
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
      const busy = [...children].filter((c) => c.running !== null);
      if (graceful) await Promise.all(busy.map(idleOf));
      else for (const c of busy) if (c.running) killRunning(c, c.running, { kind: 'terminated', reason, runtimeMs: performance.now() - c.running.startedAt });
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
      for (const child of [...children].filter((c) => c.state === 'idle')) if (live().length > target) retire(child);
    },
  };

  /** Resolves when `child` has no job running any more. */
  function idleOf(child: Child): Promise<void> {
    return new Promise<void>((resolve) => {
      const check = (): void => {
        if (child.running === null || child.state === 'gone') resolve();
        else setTimeout(check, 10);
      };
      check();
    });
  }
}
