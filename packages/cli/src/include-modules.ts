/**
 * Imports an app's `include` modules (Celery's `include`) right after the app module, so that module need not
 * import its task modules and they can import `app` from it without a cycle.
 *
 * A path (`./tasks/math.ts`, `../shared/tasks`, an absolute path) is resolved from the app module's folder,
 * trying extensions as `-A` does. Anything else is a package name or a package.json `imports` entry (`#tasks`),
 * resolved as an `import` written in the app module would be: Node has no `import.meta.resolve(specifier, parent)`
 * without a flag, so a resolve hook (registered once, from a `data:` URL) swaps in the app module as the parent.
 * The hook only resolves; the module is loaded as any import is, so it is the same instance another `import`
 * of it gets.
 */
import { register } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigError } from '@q/core';
import { importFailed } from './import-failed.js';
import { findModuleFile } from './module-file.js';

/** Specifiers that start with this go to the hook: the rest of the string is `{ specifier, parentURL }` as JSON. */
const PREFIX = 'q-include:';

/** The resolve hook: only specifiers with {@link PREFIX}; everything else passes through untouched. */
const RESOLVE_HOOK = `
const PREFIX = ${JSON.stringify(PREFIX)};
export async function resolve(specifier, context, nextResolve) {
  if (!specifier.startsWith(PREFIX)) return nextResolve(specifier, context);
  const { specifier: target, parentURL } = JSON.parse(decodeURIComponent(specifier.slice(PREFIX.length)));
  return nextResolve(target, { ...context, parentURL });
}
`;

let hookRegistered = false;

/**
 * Imports each of `include` in order, relative to `appFile` (the `-A` module). An error thrown by a module is
 * passed on when it is a `QError`, else wrapped as `Q_ERR_MODULE_IMPORT_FAILED` naming the entry.
 * @throws ConfigError `Q_ERR_CONFIG_INVALID` naming `include[i]` when a path matches no file.
 */
export async function importIncludes(include: readonly string[], appFile: string, shownAs: string): Promise<void> {
  for (const [index, specifier] of include.entries()) {
    const where = `include[${index}] (${JSON.stringify(specifier)}) of ${shownAs}`;
    const url = isPathSpecifier(specifier) ? pathToFileURL(resolveIncludePath(specifier, appFile, where)).href : null;
    try {
      await (url === null ? importFrom(specifier, appFile) : import(url));
    } catch (err) {
      throw importFailed(where, err);
    }
  }
}

/** True for `./x`, `../x`, `/abs/x` and `file:` URLs; false for package names and `#imports`. */
export function isPathSpecifier(specifier: string): boolean {
  return /^\.\.?(\/|\\|$)/.test(specifier) || path.isAbsolute(specifier) || specifier.startsWith('file:');
}

/** The file a path entry names, from the app module's folder, trying what `-A` tries. */
function resolveIncludePath(specifier: string, appFile: string, where: string): string {
  const absolute = specifier.startsWith('file:') ? fileURLToPath(specifier) : path.resolve(path.dirname(appFile), specifier);
  const { file, tried } = findModuleFile(absolute);
  if (file !== null) return file;
  throw new ConfigError('Q_ERR_CONFIG_INVALID', `${where}: cannot find the module (tried ${tried.join(', ')})`);
}

/** `import(specifier)` as if written in `parentFile`. */
function importFrom(specifier: string, parentFile: string): Promise<unknown> {
  if (!hookRegistered) {
    register(`data:text/javascript,${encodeURIComponent(RESOLVE_HOOK)}`);
    hookRegistered = true;
  }
  const payload = JSON.stringify({ specifier, parentURL: pathToFileURL(parentFile).href });
  return import(PREFIX + encodeURIComponent(payload));
}
