/**
 * How `-b`, `--result-backend` and `--embedded-dir` reach an app that the user's module creates itself.
 *
 * The CLI stores the overrides on `globalThis` under a registered symbol BEFORE it imports the module;
 * `createApp()` in `@q/core` reads them and lets them win over the options written in code. A registered
 * symbol (not a module variable) is used so that any copy of `@q/core` sees the same value. Core never reads
 * environment variables: only the CLI turns `Q_BROKER_URL` and friends into these overrides.
 */

import type { Logger } from '@q/core';

/** The `globalThis` key `createApp()` reads. */
export const CLI_OVERRIDES_KEY = Symbol.for('q.cli.overrides');

/** Settings the command line imposes on every app created after {@link setCliOverrides}. */
export interface CliOverrides {
  /** Broker URL (`-b`, `Q_BROKER_URL`). */
  broker?: string;
  /** Result backend URL (`--result-backend`, `Q_RESULT_BACKEND`). */
  backend?: string;
  /** Directory of the embedded broker and backend (`--embedded-dir`, `Q_EMBEDDED_DIR`). */
  embeddedDir?: string;
  /** The command's logger, for apps created without one of their own (their retries and notices then show). */
  logger?: Logger;
}

type OverridesHolder = { [CLI_OVERRIDES_KEY]?: Readonly<CliOverrides> };

/** Publishes the overrides for apps created from now on. Keys left `undefined` are not set. */
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
  return (globalThis as OverridesHolder)[CLI_OVERRIDES_KEY];
}

/** Removes the overrides (tests, and callers that embed the CLI). */
export function clearCliOverrides(): void {
  delete (globalThis as OverridesHolder)[CLI_OVERRIDES_KEY];
}
