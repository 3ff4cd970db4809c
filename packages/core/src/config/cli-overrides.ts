/**
 * Overrides the `q` command line imposes on apps that a user's module creates itself (`-b`, `--result-backend`,
 * `--embedded-dir`). The CLI stores them on `globalThis` under a registered symbol before it imports the module;
 * `createApp()` lets them win over the options written in code. Core never reads environment variables itself.
 * The CLI's logger (`-l`, `--log-format`) is a default only: an app created with its own `logger` keeps it.
 */
import type { Logger } from '../contracts/logger.js';
import type { AppOptions } from './options.js';

/** The `globalThis` key the CLI writes (`Symbol.for`, so every copy of `@q/core` sees it). */
export const CLI_OVERRIDES_KEY = Symbol.for('q.cli.overrides');

/** Settings the command line imposes on every app created after {@link setCliOverrides}. */
export interface CliOverrides {
  /** Broker URL (`-b`, `Q_BROKER_URL`). */
  broker?: string;
  /** Result backend URL (`--result-backend`, `Q_RESULT_BACKEND`). */
  backend?: string;
  /** Directory of the embedded broker and backend (`--embedded-dir`, `Q_EMBEDDED_DIR`). */
  embeddedDir?: string;
  /** The app's logger when its options give none (so connect retries and notices show in `q` commands). */
  logger?: Logger;
}

type OverridesHolder = { [CLI_OVERRIDES_KEY]?: unknown };

/** Publishes the overrides for apps created from now on (the CLI calls this). Keys left `undefined` are not set. */
export function setCliOverrides(overrides: CliOverrides): void {
  const clean: CliOverrides = {};
  if (overrides.broker !== undefined) clean.broker = overrides.broker;
  if (overrides.backend !== undefined) clean.backend = overrides.backend;
  if (overrides.embeddedDir !== undefined) clean.embeddedDir = overrides.embeddedDir;
  if (overrides.logger !== undefined) clean.logger = overrides.logger;
  (globalThis as OverridesHolder)[CLI_OVERRIDES_KEY] = Object.freeze(clean);
}

/** The overrides currently published, if any. */
export function getCliOverrides(): Readonly<CliOverrides> | undefined {
  const raw = (globalThis as OverridesHolder)[CLI_OVERRIDES_KEY];
  return typeof raw === 'object' && raw !== null ? (raw as Readonly<CliOverrides>) : undefined;
}

/** Removes the overrides (tests, and callers that embed the CLI). */
export function clearCliOverrides(): void {
  delete (globalThis as OverridesHolder)[CLI_OVERRIDES_KEY];
}

/** `options` with the CLI's overrides applied (unchanged when there are none). */
export function withCliOverrides(options: AppOptions): AppOptions {
  const o = getCliOverrides();
  if (o === undefined) return options;
  const out: AppOptions = { ...options };
  if (typeof o.broker === 'string') out.broker = o.broker;
  if (typeof o.backend === 'string') out.backend = o.backend;
  if (typeof o.embeddedDir === 'string') out.embeddedDir = o.embeddedDir;
  if (options.logger === undefined && isLogger(o.logger)) out.logger = o.logger;
  return out;
}

function isLogger(v: unknown): v is Logger {
  if (typeof v !== 'object' || v === null) return false;
  const l = v as Record<string, unknown>;
  return ['debug', 'info', 'warn', 'error', 'child'].every((m) => typeof l[m] === 'function');
}
