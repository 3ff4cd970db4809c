/**
 * Finds the file that `-A` names: the path itself, the path with an extension added, or, for a folder, its
 * entry: the `main` of its package.json, then `index.*`, then `app.*` (so `-A proj` finds `proj/app.ts`). When
 * nothing exists, the error lists every path tried.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from './usage-error.js';

/** Extensions tried, in order, after a path written without one. */
export const MODULE_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'] as const;

/** Extensions a module path may already end with (no other extension is tried after these). */
const KNOWN_EXTENSIONS: readonly string[] = [...MODULE_EXTENSIONS, '.cts', '.cjs', '.tsx', '.jsx'];

/** Names of a folder's entry module, in order, after its package.json `main`. */
const FOLDER_ENTRIES = ['index', 'app'] as const;

/**
 * The files tried for `absolute`, in order: itself, itself plus each extension (when it has none of the known
 * ones), and when it is a folder its package.json `main` (with extensions), `index.*` and `app.*`.
 */
export function moduleFileCandidates(absolute: string): string[] {
  const candidates = withExtensions(absolute);
  if (isDirectory(absolute)) {
    const main = packageMain(absolute);
    if (main !== null) candidates.push(...withExtensions(main));
    for (const name of FOLDER_ENTRIES) candidates.push(...MODULE_EXTENSIONS.map((ext) => path.join(absolute, name + ext)));
  }
  return candidates;
}

/** The first of {@link moduleFileCandidates} that is a file, else `null`, and the files tried (folders aside). */
export function findModuleFile(absolute: string): { file: string | null; tried: string[] } {
  const candidates = moduleFileCandidates(absolute);
  return { file: candidates.find(isFile) ?? null, tried: candidates.filter((candidate) => !isDirectory(candidate)) };
}

/**
 * Resolves the `-A` file from `cwd` (see {@link moduleFileCandidates}).
 * @throws UsageError listing every path tried when none is a file.
 */
export function resolveModuleFile(file: string, cwd: string): string {
  const absolute = path.resolve(cwd, file);
  const { file: found, tried } = findModuleFile(absolute);
  if (found !== null) return found;
  const hint = isDirectory(absolute)
    ? `${file} is a folder: -A takes a module file, or a folder with a package.json "main", index.ts or app.ts`
    : '-A takes a .ts, .mts, .js or .mjs file, or a folder with index.ts or app.ts';
  throw new UsageError(`-A/--app: cannot find the app module ${JSON.stringify(file)} (tried ${tried.join(', ')}); ${hint}`);
}

function withExtensions(file: string): string[] {
  return KNOWN_EXTENSIONS.includes(path.extname(file)) ? [file] : [file, ...MODULE_EXTENSIONS.map((ext) => file + ext)];
}

/** The absolute `main` of `dir/package.json`, or `null` when there is none (or it cannot be read). */
function packageMain(dir: string): string | null {
  try {
    const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { main?: unknown };
    return typeof manifest.main === 'string' && manifest.main !== '' ? path.resolve(dir, manifest.main) : null;
  } catch {
    return null;
  }
}

function isFile(candidate: string): boolean {
  return existsSync(candidate) && statSync(candidate).isFile();
}

function isDirectory(candidate: string): boolean {
  return existsSync(candidate) && statSync(candidate).isDirectory();
}
