/**
 * The README's "A task, a call, a result" block pasted into the worker's module, as a new user did (issue 22):
 * top-level code that sends a task and waits for its result. `q -A e2e/apps/await-at-import.ts worker` must fail
 * at once, saying why, instead of waiting for itself.
 */
import { createApp } from '@q/core';

export const app = createApp({ name: 'await-at-import' });

export const add = app.task('tasks.add', (x: number, y: number) => x + y);

const result = await add.delay(2, 2);
console.log(await result.get({ timeout: 10 }));
