/**
 * Whether a command (`q worker`) is importing the app module right now. A `q worker` starts only once the
 * module has been imported, so top-level code in that module that waits for a task's result waits forever: core
 * checks this marker to fail such a wait at once with an explanation instead. Stored on `globalThis` under a
 * registered symbol, as the CLI overrides are, so every copy of `@q/core` sees it.
 */

/** The `globalThis` key of the marker. */
export const APP_MODULE_LOADING_KEY = Symbol.for('q.cli.appModuleLoading');

type LoadingHolder = { [APP_MODULE_LOADING_KEY]?: unknown };

/** Marks the start (`module`: the path being imported, and the command importing it) or the end (`null`) of the import. */
export function setAppModuleLoading(loading: { readonly module: string; readonly command: string } | null): void {
  if (loading === null) delete (globalThis as LoadingHolder)[APP_MODULE_LOADING_KEY];
  else (globalThis as LoadingHolder)[APP_MODULE_LOADING_KEY] = Object.freeze({ ...loading });
}

/** The import in progress, or `null`. */
export function appModuleLoading(): { readonly module: string; readonly command: string } | null {
  const raw = (globalThis as LoadingHolder)[APP_MODULE_LOADING_KEY];
  return typeof raw === 'object' && raw !== null ? (raw as { module: string; command: string }) : null;
}
