/** Arithmetic tasks. Imports `app` from the app module, which never imports this file (it is in `include`). */
import { app } from '../app.ts';

export const add = app.task('math.add', (x: number, y: number) => x + y);

export const mul = app.task('math.mul', (x: number, y: number) => x * y);
