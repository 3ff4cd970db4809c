/** Where the page's files are: the package's `public/` folder and uPlot's `dist/` (served as `/vendor/uplot/`). */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder of the page (HTML, CSS, JS): `public/` beside `src/` and `dist/`. */
export function publicDir(): string {
  return fileURLToPath(new URL('../public/', import.meta.url));
}

/** uPlot's `dist/` folder (its `uPlot.iife.min.js` and `uPlot.min.css`). */
export function uplotDir(): string {
  const require = createRequire(import.meta.url);
  return path.dirname(require.resolve('uplot'));
}
