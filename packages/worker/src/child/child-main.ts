/**
 * The entry point of a pool's child process or thread: load the app, run `workerProcessInit`, say `ready`, then
 * run the job descriptors the parent sends, one at a time in the order they came, and send back each outcome before
 * starting the next job (the parent may queue several here; it takes back those not started with `cancel`).
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { silentLogger } from '@q/core';
import type { App, TaskState } from '@q/core';
import type { JobDescriptor } from '@q/core/adapter';
import { loadChildApp } from './load-child-app.js';
import { CHILD_BOOT_ENV } from './protocol.js';
import type { ChildBoot, ChildMessage, ParentMessage } from './protocol.js';
import { runJob, softLimitError } from './run-job.js';
import { reviveError, serializeError } from './serialize-error.js';

interface Port {
  send(message: ChildMessage): void;
  onMessage(handler: (message: ParentMessage) => void): void;
  exit(): void;
}

function openPort(): Port {
  if (parentPort !== null) {
    const port = parentPort;
    return { send: (m) => port.postMessage(m), onMessage: (h) => port.on('message', h), exit: () => port.close() };
  }
  return {
    send: (m) => process.send?.(m),
    onMessage: (h) => process.on('message', (m) => h(m as ParentMessage)),
    exit: () => process.exit(0),
  };
}

function readBoot(): ChildBoot {
  if (parentPort !== null) return (workerData as { boot: ChildBoot }).boot;
  return JSON.parse(process.env[CHILD_BOOT_ENV] ?? '{}') as ChildBoot;
}

async function main(): Promise<void> {
  const port = openPort();
  const boot = readBoot();
  let app: App;
  try {
    app = await loadChildApp({ ...boot.app, preload: [] });
    await app.loadPlugins();
    if (app.plugins.hasHook('workerProcessInit')) await app.plugins.runHook('workerProcessInit', { pid: process.pid, pool: boot.pool, threadId });
  } catch (err) {
    port.send({ t: 'boot-failed', error: serializeError(err) });
    setTimeout(() => port.exit(), 50);
    return;
  }
  const logger = app.log ?? silentLogger;
  const calls = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  let nextCall = 0;
  /** Jobs waiting to run here, in order; the one running; whether a `stop` came. */
  const queue: { id: number; job: JobDescriptor }[] = [];
  let running: { id: number; job: JobDescriptor; controller: AbortController } | null = null;
  let stopping = false;
  let tasks = 0;

  const runNext = (): void => {
    if (running !== null) return;
    const next = queue.shift();
    if (next === undefined) {
      if (stopping) void stop(app, boot, port);
      return;
    }
    const current = { ...next, controller: new AbortController() };
    running = current;
    const updateState = (state: TaskState, meta: unknown): Promise<void> =>
      new Promise<void>((resolve, reject) => {
        const rid = (nextCall += 1);
        calls.set(rid, { resolve, reject });
        port.send({ t: 'call', rid, id: current.id, op: 'updateState', state, meta });
      });
    const children: unknown[] = [];
    void runJob({ app, logger, updateState }, current.job, current.controller.signal, children).then((outcome) => {
      // A thread's own heap (the resident size is the whole process's); a process's resident size.
      const rss = boot.reportMemory === true ? Math.round((parentPort !== null ? process.memoryUsage().heapUsed : process.memoryUsage.rss()) / 1024) : 0;
      try {
        // What the body sent is the task's `children` (the parent stores them with the result).
        port.send(children.length > 0 ? { t: 'done', id: current.id, outcome, rss, children } : { t: 'done', id: current.id, outcome, rss });
      } catch (err) {
        // A value that cannot cross the boundary fails the task.
        port.send({ t: 'done', id: current.id, outcome: { kind: 'failure', error: serializeError(err) }, rss });
      }
      // The next job starts only after this one's `done` went out: the parent times the job it knows is running.
      running = null;
      tasks += 1;
      if ((boot.maxTasks !== undefined && tasks >= boot.maxTasks) || (boot.maxMemoryKiB !== undefined && rss > boot.maxMemoryKiB)) {
        // Recycled: the parent, seeing the same numbers, sends `stop`; what is queued here runs elsewhere.
        stopping = true;
        handBack(null);
        return;
      }
      // One turn of the event loop first: a `cancel` or `soft` sent meanwhile is read before the next job starts
      // (a synchronous job would otherwise keep every message waiting until the queue is empty).
      setImmediate(runNext);
    });
  };

  /** Take the queued jobs among `ids` (all of them: `null`) out, and tell the parent which. */
  const handBack = (ids: readonly number[] | null): void => {
    const taken: number[] = [];
    for (let i = queue.length - 1; i >= 0; i -= 1) {
      const id = (queue[i] as { id: number }).id;
      if (ids === null || ids.includes(id)) {
        queue.splice(i, 1);
        taken.unshift(id);
      }
    }
    if (taken.length > 0) port.send({ t: 'handed-back', ids: taken });
  };

  port.onMessage((message) => {
    switch (message.t) {
      case 'run':
        if (stopping) {
          port.send({ t: 'handed-back', ids: message.jobs.map((j) => j.id) });
          return;
        }
        queue.push(...message.jobs);
        runNext();
        return;
      case 'cancel':
        handBack(message.ids);
        return;
      case 'soft':
        if (running?.id === message.id) running.controller.abort(softLimitError(running.job, message.seconds));
        return;
      case 'reply': {
        const call = calls.get(message.rid);
        calls.delete(message.rid);
        if (message.error !== undefined) call?.reject(reviveError(message.error));
        else call?.resolve();
        return;
      }
      case 'stop':
        stopping = true;
        handBack(null);
        if (running === null) void stop(app, boot, port);
        return;
    }
  });
  // A process child whose parent went away (killed, crashed) exits instead of running on as an orphan.
  if (parentPort === null) process.on('disconnect', () => process.exit(0));
  port.send({ t: 'ready' });
}

async function stop(app: App, boot: ChildBoot, port: Port): Promise<void> {
  try {
    if (app.plugins.hasHook('workerProcessShutdown')) await app.plugins.runHook('workerProcessShutdown', { pid: process.pid, pool: boot.pool, threadId });
    await app.close();
  } catch {
    // Exiting anyway.
  }
  port.exit();
}

void main();
