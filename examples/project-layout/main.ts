/**
 * The alternative to `include`, checked by the compiler: one module that imports the app and then every task
 * module, and exports the app. `q -A examples/project-layout/main.ts worker` runs the same worker; a program that
 * starts its worker in code (`createWorker(app)`) imports `app` from here, so every task is registered. Task
 * modules still import `app` from ./app.ts, never from this file.
 */
import './tasks/math.ts';
import './tasks/email.ts';

export { app } from './app.ts';
