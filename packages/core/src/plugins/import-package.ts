/**
 * Loads a package by name as if imported from a directory (the app's), in the module system q itself was loaded
 * in: an ES module app gets the package's `import` entry (Node's ESM resolution from that directory, with the
 * process's `--conditions`), a CommonJS app its `require` entry. The two halves of a dual package are never mixed:
 * a plugin loaded by a URL scheme shares `@q/core` (its classes, its `instanceof`) with the app that loaded it.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { moduleResolve } from 'import-meta-resolve';

/** Set by the build (`tsup.shared.ts`): true in the CommonJS build; absent when run from source (ES modules). */
declare const __Q_CJS__: boolean | undefined;

const COMMONJS = typeof __Q_CJS__ !== 'undefined' && __Q_CJS__;

/**
 * The export conditions given to this process (`--conditions=x`, `-C x`, in its arguments or `NODE_OPTIONS`), in
 * order, without duplicates.
 */
export function processConditions(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env['NODE_OPTIONS'] ?? ''): string[] {
  const argv = [...execArgv, ...nodeOptions.split(/\s+/).filter(Boolean)];
  const found: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i] as string;
    let value: string | undefined;
    if ((flag === '--conditions' || flag === '-C') && i + 1 < argv.length) value = argv[(i += 1)];
    else if (flag.startsWith('--conditions=')) value = flag.slice('--conditions='.length);
    else if (flag.startsWith('-C=')) value = flag.slice(3);
    if (value !== undefined && value !== '' && !found.includes(value)) found.push(value);
  }
  return found;
}

/** The module namespace (ESM) or `module.exports` (CommonJS) of `pkg` resolved from `resolveFrom` (a directory). */
export async function importPackage(pkg: string, resolveFrom: string): Promise<Record<string, unknown>> {
  const dir = `${resolveFrom.replace(/[\\/]$/, '')}/`;
  // CommonJS: `require` from that directory (Node applies the process's conditions itself).
  if (COMMONJS) return createRequire(dir)(pkg) as Record<string, unknown>;
  const conditions = new Set(['node', 'import', ...processConditions()]);
  const url = moduleResolve(pkg, pathToFileURL(dir), conditions, false);
  return (await import(url.href)) as Record<string, unknown>;
}
