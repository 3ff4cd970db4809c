/**
 * Loads the user's app module (`-A path/to/tasks.ts`, or a folder) and returns its exported `app`, after
 * importing the modules of the app's `include` option. TypeScript files are loaded without a build step through
 * tsx; `.js`/`.mjs` files through Node's own `import()`.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createApp } from '@q/core';
import type { App, AppOptions } from '@q/core';
import { setAppModuleLoading, setCliOverrides } from '@q/core/internal';
import type { CliOverrides } from '@q/core/internal';
import { importFailed } from './import-failed.js';
import { importIncludes } from './include-modules.js';
import { resolveModuleFile } from './module-file.js';
import { UsageError } from './usage-error.js';

export { resolveModuleFile } from './module-file.js';

/** Options of {@link loadApp}. */
export interface LoadAppOptions {
  /** `-A` value: a file path, optionally followed by `:exportName` (default export name `app`). */
  spec: string | undefined;
  /** Directory relative paths are resolved from. */
  cwd: string;
  /** Broker/backend/embedded-dir overrides from flags and environment. */
  overrides: CliOverrides;
  /**
   * The command that starts consuming only once the import is done (`worker`): while its modules are imported,
   * core's app-module-loading marker names it, so a top-level `result.get()` fails at once with an explanation
   * instead of waiting for a worker that cannot start. Commands that run their work after the import (`call`,
   * `result`, `purge`) leave it unset: a wait in the module ends there as anywhere else.
   */
  consumingCommand?: string;
}

/** Extensions of the app modules loaded through tsx. */
export const TS_EXTENSIONS: readonly string[] = ['.ts', '.mts', '.cts', '.tsx'];

/**
 * Publishes the CLI overrides, then imports the module and returns its `app`. Without `-A`, returns a fresh
 * app named `q` configured only by the overrides (enough for `call`, `result` and `purge`).
 * Throws {@link UsageError} when the file or the export is missing.
 */
export async function loadApp(options: LoadAppOptions): Promise<App> {
  setCliOverrides(options.overrides);
  if (options.spec === undefined) return createApp(defaultAppOptions(options.overrides, options.cwd));

  const { file, exportName } = splitSpec(options.spec);
  const resolved = resolveModuleFile(file, options.cwd);
  if (TS_EXTENSIONS.includes(path.extname(resolved))) await registerTsx();

  if (options.consumingCommand !== undefined) setAppModuleLoading({ module: resolved, command: options.consumingCommand });
  try {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(resolved).href)) as Record<string, unknown>;
    } catch (err) {
      throw importFailed(`app module ${file}`, err);
    }
    const app = pickApp(mod, file, exportName);
    // An app from an older @q/core has no `include`.
    const include = (app.conf as { include?: readonly string[] }).include ?? [];
    if (include.length > 0) {
      await registerTsx(); // an app module in .js may include .ts modules
      await importIncludes(include, resolved, file);
    }
    return app;
  } finally {
    if (options.consumingCommand !== undefined) setAppModuleLoading(null);
  }
}

/** Splits `tasks.ts:myApp` into the file and the export name; a bare path uses the export `app`. */
export function splitSpec(spec: string): { file: string; exportName: string | undefined } {
  const match = /^(.+):([A-Za-z_$][\w$]*)$/.exec(spec);
  if (match && match[1] !== undefined && !/^[A-Za-z]$/.test(match[1])) return { file: match[1], exportName: match[2] };
  return { file: spec, exportName: undefined };
}

/** Returns the app exported as `exportName` (or `app`, then the default export). */
export function pickApp(mod: Record<string, unknown>, file: string, exportName: string | undefined): App {
  const name = exportName ?? 'app';
  // A CommonJS module (a `.ts` file in a package without "type": "module") imports as { default: module.exports }.
  const cjs = mod['default'];
  const cjsExports = typeof cjs === 'object' && cjs !== null && !isAppLike(cjs) ? (cjs as Record<string, unknown>) : {};
  const candidate = mod[name] ?? cjsExports[name] ?? (exportName === undefined ? mod['default'] : undefined);
  if (isAppLike(candidate)) return candidate;
  const exported = [...new Set([...Object.keys(mod), ...Object.keys(cjsExports)])].filter((k) => k !== 'default');
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

/** The default app's options: the overrides, and the embedded folder `.q` under `cwd` (what the command says it uses). */
function defaultAppOptions(overrides: CliOverrides, cwd: string): AppOptions {
  const options: AppOptions = { name: 'q', embeddedDir: path.join(cwd, '.q') };
  if (overrides.broker !== undefined) options.broker = overrides.broker;
  if (overrides.backend !== undefined) options.backend = overrides.backend;
  if (overrides.embeddedDir !== undefined) options.embeddedDir = overrides.embeddedDir;
  return options;
}

let tsxRegistered: Promise<void> | undefined;

/**
 * Registers tsx's ESM and CommonJS loaders once per process. Modules are then imported with Node's own `import()`,
 * so the user's module and the CLI share one copy of `@q/core` (tsx's scoped `tsImport()` would load a second
 * copy). The CommonJS loader is for `.ts` files in a package without `"type": "module"` (what `npm init` makes):
 * Node loads those as CommonJS, and without it their type annotations are a syntax error.
 */
function registerTsx(): Promise<void> {
  tsxRegistered ??= Promise.all([import('tsx/esm/api'), import('tsx/cjs/api')]).then(([esm, cjs]) => {
    esm.register();
    cjs.register();
  });
  return tsxRegistered;
}
