/**
 * The entry point of a pool's child process or thread: load the app, run `workerProcessInit`, say `ready`, then
 * run each job descriptor the parent sends and send back its outcome, one job at a time.
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
  const controllers = new Map<number, { controller: AbortController; job: JobDescriptor }>();
  const calls = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  let nextCall = 0;
  port.onMessage((message) => {
    switch (message.t) {
      case 'run': {
        const controller = new AbortController();
        controllers.set(message.id, { controller, job: message.job });
        const updateState = (state: TaskState, meta: unknown): Promise<void> =>
          new Promise<void>((resolve, reject) => {
            const rid = (nextCall += 1);
            calls.set(rid, { resolve, reject });
            port.send({ t: 'call', rid, id: message.id, op: 'updateState', state, meta });
          });
        const children: unknown[] = [];
        void runJob({ app, logger, updateState }, message.job, controller.signal, children).then((outcome) => {
          controllers.delete(message.id);
          // A thread's own heap (the resident size is the whole process's); a process's resident size.
          const rss = boot.reportMemory === true ? Math.round((parentPort !== null ? process.memoryUsage().heapUsed : process.memoryUsage.rss()) / 1024) : 0;
          try {
            // What the body sent is the task's `children` (the parent stores them with the result).
            port.send(children.length > 0 ? { t: 'done', id: message.id, outcome, rss, children } : { t: 'done', id: message.id, outcome, rss });
          } catch (err) {
            // A value that cannot cross the boundary fails the task.
            port.send({ t: 'done', id: message.id, outcome: { kind: 'failure', error: serializeError(err) }, rss });
          }
        });
        return;
      }
      case 'soft': {
        const running = controllers.get(message.id);
        running?.controller.abort(softLimitError(running.job, message.seconds));
        return;
      }
      case 'reply': {
        const call = calls.get(message.rid);
        calls.delete(message.rid);
        if (message.error !== undefined) call?.reject(reviveError(message.error));
        else call?.resolve();
        return;
      }
      case 'stop':
        void stop(app, boot, port);
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
