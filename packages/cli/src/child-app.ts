/**
 * How a `prefork` or `threads` child of `q worker` loads the app: the way `q worker -A` loaded it (the same module,
 * export, includes and `--broker`/`--backend`/`--embedded-dir` overrides). The worker's children import this module
 * (`childAppSource`) and call {@link loadChildApp} with data only.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { App } from '@q/core';
import type { ChildAppSource } from '@q/core/adapter';
import type { CliOverrides } from '@q/core/internal';
import { loadApp } from './load-app.js';

/** What a child gets: the `-A` value, the directory it is resolved from, and the overrides. */
export interface ChildAppArgs {
  readonly spec: string | undefined;
  readonly cwd: string;
  readonly overrides: CliOverrides;
}

/** Load the app in a child as `q worker -A` does. */
export function loadChildApp(args: ChildAppArgs): Promise<App> {
  return loadApp({ spec: args.spec, cwd: args.cwd, overrides: args.overrides });
}

/** This module's own file: the source when the CLI runs from source, else the built one. */
function thisModule(): string {
  const here = import.meta.url;
  for (const candidate of ['./child-app.ts', './child-app.js', '../child-app.ts', '../child-app.js']) {
    const url = new URL(candidate, here);
    if (existsSync(fileURLToPath(url))) return url.href;
  }
  return here;
}

/**
 * The {@link ChildAppSource} of `q worker`'s children: this module's `loadChildApp` with `args`, after tsx's
 * loaders (an app module in TypeScript, or q from source, loads without a build step in a child as in `q`).
 */
export function childAppSource(args: ChildAppArgs): ChildAppSource {
  const require = createRequire(import.meta.url);
  // `require.resolve` finds tsx's CommonJS builds; the ES module build beside each is the one to import.
  const preload = ['tsx/esm/api', 'tsx/cjs/api'].map((name) => {
    const file = require.resolve(name);
    const esm = file.replace(/\.cjs$/, '.mjs');
    return pathToFileURL(existsSync(esm) ? esm : file).href;
  });
  const overrides: Record<string, string> = {};
  for (const key of ['broker', 'backend', 'embeddedDir'] as const) {
    const value = args.overrides[key];
    if (typeof value === 'string') overrides[key] = value;
  }
  return { module: thisModule(), exportName: 'loadChildApp', args: { spec: args.spec, cwd: args.cwd, overrides }, preload };
}
