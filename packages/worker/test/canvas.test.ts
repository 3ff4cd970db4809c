import { describe } from 'vitest';
import { canvasCases, registerCanvasTasks } from './canvas-cases.js';
import { makeApp, namespace, startWorker } from './helpers.js';

describe('canvas on the memory transport and backend (chords by celery.chord_unlock)', () => {
  canvasCases(async () => {
    const app = makeApp(namespace(), { result: { chordRetryInterval: 0.05 } });
    const tasks = registerCanvasTasks(app);
    await startWorker(app, { concurrency: 4 });
    const backend = await app.getBackend();
    return { app, tasks, meta: (id) => backend!.getTaskMeta(id) };
  });
});
