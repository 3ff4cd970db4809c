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

/** What the CLI may override. */
export interface CliOverrides {
  broker?: string;
  backend?: string;
  embeddedDir?: string;
  /** The app's logger when its options give none (so connect retries and notices show in `q` commands). */
  logger?: Logger;
}

/** `options` with the CLI's overrides applied (unchanged when there are none). */
export function withCliOverrides(options: AppOptions): AppOptions {
  const raw = (globalThis as { [CLI_OVERRIDES_KEY]?: unknown })[CLI_OVERRIDES_KEY];
  if (typeof raw !== 'object' || raw === null) return options;
  const o = raw as CliOverrides;
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
