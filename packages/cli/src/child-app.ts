/**
 * How a `prefork` or `threads` child of `q worker` loads the app: the way `q worker -A` loaded it (the same module,
 * export, includes and `--broker`/`--backend`/`--embedded-dir` overrides). The worker's children import this module
 * (`childAppSource`) and call {@link loadChildApp} with data only.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { App } from '@q/core';
import type { ChildAppSource } from '@q/core/adapter';
import { processConditions } from '@q/core/internal';
import type { CliOverrides } from '@q/core/internal';
import { loadApp, resolveModuleFile, splitSpec, TS_EXTENSIONS } from './load-app.js';

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

/** What decides whether a child needs tsx's loaders before it imports this module (the parent's side of it). */
export interface ChildTsxContext {
  /** This module's file URL: `…/child-app.ts` when q runs from source. */
  readonly self: string;
  /** The parent's export conditions (a child inherits them: with `@q/source` q's packages resolve to `.ts` sources). */
  readonly conditions: readonly string[];
  /** The parent's own Node flags (a child does not inherit them): `--import tsx` may be what loads the app's `.ts` imports. */
  readonly execArgv: readonly string[];
}

function currentTsxContext(): ChildTsxContext {
  return { self: thisModule(), conditions: processConditions(), execArgv: process.execArgv };
}

/** Flags whose value is a module Node loads before the entry. */
const PRELOAD_FLAGS = ['--import', '--loader', '--experimental-loader', '--require', '-r'];

/** True when `execArgv` loads tsx (`--import tsx`, `--require=tsx/cjs`, a path into tsx's package). */
export function execArgvLoadsTsx(execArgv: readonly string[]): boolean {
  const isTsx = (value: string): boolean => /^tsx(\/|$)/.test(value) || /[\\/]node_modules[\\/]tsx[\\/]/.test(value);
  for (let i = 0; i < execArgv.length; i += 1) {
    const flag = execArgv[i] as string;
    const eq = flag.indexOf('=');
    const name = eq === -1 ? flag : flag.slice(0, eq);
    if (!PRELOAD_FLAGS.includes(name)) continue;
    const value = eq === -1 ? execArgv[(i += 1)] : flag.slice(eq + 1);
    if (value !== undefined && isTsx(value)) return true;
  }
  return false;
}

/**
 * Whether a child must register tsx's loaders before importing this module: when q runs from source (this module,
 * or q's packages under `@q/source`, are `.ts`), when the `-A` module is TypeScript, or when the parent loads tsx
 * through its own Node flags. A built q with a JavaScript app does not: tsx's loaders cost a child ~40 MB.
 * The app's `include` modules need nothing here: `loadApp` registers tsx for them in the child as in the parent.
 */
export function childNeedsTsx(args: Pick<ChildAppArgs, 'spec' | 'cwd'>, context: ChildTsxContext = currentTsxContext()): boolean {
  if (TS_EXTENSIONS.includes(path.extname(new URL(context.self).pathname))) return true;
  if (context.conditions.includes('@q/source')) return true;
  if (execArgvLoadsTsx(context.execArgv)) return true;
  if (args.spec === undefined) return false;
  let file: string;
  try {
    file = resolveModuleFile(splitSpec(args.spec).file, args.cwd);
  } catch {
    return false; // the child's `loadApp` fails the same way, with or without tsx
  }
  return TS_EXTENSIONS.includes(path.extname(file));
}

/** The file URLs of tsx's ESM and CommonJS loaders. */
function tsxLoaders(): string[] {
  const require = createRequire(import.meta.url);
  // `require.resolve` finds tsx's CommonJS builds; the ES module build beside each is the one to import.
  return ['tsx/esm/api', 'tsx/cjs/api'].map((name) => {
    const file = require.resolve(name);
    const esm = file.replace(/\.cjs$/, '.mjs');
    return pathToFileURL(existsSync(esm) ? esm : file).href;
  });
}

/**
 * The {@link ChildAppSource} of `q worker`'s children: this module's `loadChildApp` with `args`, after tsx's
 * loaders when {@link childNeedsTsx} (an app module in TypeScript, or q from source, loads without a build step in a
 * child as in `q`).
 */
export function childAppSource(args: ChildAppArgs, context: ChildTsxContext = currentTsxContext()): ChildAppSource {
  const preload = childNeedsTsx(args, context) ? tsxLoaders() : [];
  const overrides: Record<string, string> = {};
  for (const key of ['broker', 'backend', 'embeddedDir'] as const) {
    const value = args.overrides[key];
    if (typeof value === 'string') overrides[key] = value;
  }
  return { module: context.self, exportName: 'loadChildApp', args: { spec: args.spec, cwd: args.cwd, overrides }, preload };
}
