/**
 * Loads the user's app module (`-A path/to/tasks.ts`) and returns its exported `app`. TypeScript files are
 * loaded without a build step through tsx; `.js`/`.mjs` files through Node's own `import()`.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createApp, isQError } from '@q/core';
import type { App, AppOptions } from '@q/core';
import { setCliOverrides } from '@q/core/internal';
import type { CliOverrides } from '@q/core/internal';
import { UsageError } from './usage-error.js';

/** Options of {@link loadApp}. */
export interface LoadAppOptions {
  /** `-A` value: a file path, optionally followed by `:exportName` (default export name `app`). */
  spec: string | undefined;
  /** Directory relative paths are resolved from. */
  cwd: string;
  /** Broker/backend/embedded-dir overrides from flags and environment. */
  overrides: CliOverrides;
}

const TS_EXTENSIONS = ['.ts', '.mts', '.cts', '.tsx'];
const TRIED_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

/**
 * Publishes the CLI overrides, then imports the module and returns its `app`. Without `-A`, returns a fresh
 * app named `q` configured only by the overrides (enough for `call`, `result` and `purge`).
 * Throws {@link UsageError} when the file or the export is missing.
 */
export async function loadApp(options: LoadAppOptions): Promise<App> {
  setCliOverrides(options.overrides);
  if (options.spec === undefined) return createApp(defaultAppOptions(options.overrides));

  const { file, exportName } = splitSpec(options.spec);
  const resolved = resolveModuleFile(file, options.cwd);
  if (TS_EXTENSIONS.includes(path.extname(resolved))) await registerTsx();

  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(resolved).href)) as Record<string, unknown>;
  } catch (err) {
    if (isQError(err)) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new Error(`failed to import app module ${file}: ${reason}`, { cause: err });
  }
  return pickApp(mod, file, exportName);
}

/** Splits `tasks.ts:myApp` into the file and the export name; a bare path uses the export `app`. */
export function splitSpec(spec: string): { file: string; exportName: string | undefined } {
  const match = /^(.+):([A-Za-z_$][\w$]*)$/.exec(spec);
  if (match && match[1] !== undefined && !/^[A-Za-z]$/.test(match[1])) return { file: match[1], exportName: match[2] };
  return { file: spec, exportName: undefined };
}

/** Resolves the `-A` file from `cwd`, trying `.ts`, `.mts`, `.js`, `.mjs` when it has no extension. */
export function resolveModuleFile(file: string, cwd: string): string {
  const absolute = path.resolve(cwd, file);
  const candidates = [absolute, ...TRIED_EXTENSIONS.map((ext) => absolute + ext)];
  for (const candidate of candidates) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  throw new UsageError(`-A/--app: cannot find the app module ${JSON.stringify(file)} (looked for ${absolute})`);
}

/** Returns the app exported as `exportName` (or `app`, then the default export). */
export function pickApp(mod: Record<string, unknown>, file: string, exportName: string | undefined): App {
  const name = exportName ?? 'app';
  const candidate = mod[name] ?? (exportName === undefined ? mod['default'] : undefined);
  if (isAppLike(candidate)) return candidate;
  const exported = Object.keys(mod).filter((k) => k !== 'default');
  const list = exported.length > 0 ? exported.join(', ') : 'nothing';
  if (candidate === undefined) {
    throw new UsageError(
      `-A/--app: ${file} does not export ${JSON.stringify(name)} (it exports: ${list}); ` +
        `add \`export const ${name} = createApp({ ... })\``,
    );
  }
  throw new UsageError(`-A/--app: the export ${JSON.stringify(name)} of ${file} is not a q app (created with createApp())`);
}

function isAppLike(value: unknown): value is App {
  if (typeof value !== 'object' || value === null) return false;
  const app = value as Partial<Record<'sendTask' | 'tasks' | 'conf', unknown>>;
  return typeof app.sendTask === 'function' && typeof app.tasks === 'object' && typeof app.conf === 'object';
}

function defaultAppOptions(overrides: CliOverrides): AppOptions {
  const options: AppOptions = { name: 'q' };
  if (overrides.broker !== undefined) options.broker = overrides.broker;
  if (overrides.backend !== undefined) options.backend = overrides.backend;
  if (overrides.embeddedDir !== undefined) options.embeddedDir = overrides.embeddedDir;
  return options;
}

let tsxRegistered: Promise<void> | undefined;

/**
 * Registers tsx's ESM loader once per process. Modules are then imported with Node's own `import()`, so the
 * user's module and the CLI share one copy of `@q/core` (tsx's scoped `tsImport()` would load a second copy).
 */
function registerTsx(): Promise<void> {
  tsxRegistered ??= import('tsx/esm/api').then(({ register }) => {
    register();
  });
  return tsxRegistered;
}
