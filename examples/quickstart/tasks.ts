/**
 * The quickstart app. With no broker configured, q uses its embedded broker and result backend (files under
 * `.q/` in the working directory), so this runs with nothing else installed:
 *
 *   npx -y pnpm@10.34.9 q -A examples/quickstart/tasks.ts worker
 *   npx -y pnpm@10.34.9 q -A examples/quickstart/tasks.ts call tasks.add --args '[2, 2]'
 *   npx -y pnpm@10.34.9 q -A examples/quickstart/tasks.ts result <id>
 *
 * Point it at Redis or RabbitMQ with `-b redis://localhost:6379/0` (or `Q_BROKER_URL`), no code change.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { createApp } from '@q/core';
import type { TaskContext } from '@q/core';

export const app = createApp({ name: 'quickstart' });

export const add = app.task('tasks.add', (x: number, y: number) => x + y);

export const mul = app.task('tasks.mul', (x: number, y: number) => x * y);

export const xsum = app.task('tasks.xsum', (numbers: number[]) => numbers.reduce((sum, n) => sum + n, 0));

/** Always fails: the caller gets a RemoteError with the type, message and traceback. */
export const fail = app.task({ name: 'tasks.fail', params: ['message'] }, (message: string) => {
  throw new Error(message);
});

export const sleep = app.task('tasks.sleep', async (seconds: number) => {
  await delay(seconds * 1000);
  return seconds;
});

/** Fails its first attempt and retries itself; returns how many retries it took. */
export const flaky = app.task({ name: 'tasks.flaky', bind: true }, (ctx: TaskContext) => {
  if (ctx.retries === 0) ctx.retry({ countdown: 0.2, exc: new Error('transient failure') });
  return ctx.retries;
});
