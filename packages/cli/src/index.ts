/**
 * `@q/cli`: the `q` command. Use the `q` binary; the exports let other tools embed or test it.
 */
export { main } from './main.js';
export { createProgram } from './program.js';
export type { ProgramOptions } from './program.js';
export { runCli, reportError, EXIT } from './run-cli.js';
export type { RunCliOptions } from './run-cli.js';
export type { CliPluginSource } from './plugins/plugin-extensions.js';
export type { CliIo, TextSink } from './io.js';
export { processIo } from './io.js';
export { maskUrl } from './mask-url.js';
export { renderBanner } from './banner.js';
export type { BannerInfo } from './banner.js';
export { loadApp } from './load-app.js';
export type { LoadAppOptions } from './load-app.js';
export { CLI_OVERRIDES_KEY, setCliOverrides, getCliOverrides, clearCliOverrides } from '@q/core/internal';
export type { CliOverrides } from '@q/core/internal';
export { UsageError } from './usage-error.js';
export { VERSION } from './version.js';
