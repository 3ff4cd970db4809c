/**
 * The captured Celery 5.2.6 vectors (the project spec's `shared/spec/vectors/`), copied verbatim into
 * `tools/test-services/vectors/` so that a clone anywhere (CI clones to a bare temp dir) has them. `.ci/run` fails
 * when the copy and a `../shared/spec/vectors/` beside the checkout differ: copy the folder again when the spec
 * changes. Every test reads them through here.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of the vectors folder, ending in `/`. */
export const VECTORS_DIR = fileURLToPath(new URL('../vectors/', import.meta.url));

if (!existsSync(VECTORS_DIR)) {
  throw new Error(`golden vectors not found at ${VECTORS_DIR}`);
}

/** Text of one vector file. */
export function readVectorText(name: string): string {
  return readFileSync(`${VECTORS_DIR}${name}`, 'utf8');
}

/** Parsed JSON of one vector file. */
export function readVector<T = unknown>(name: string): T {
  return JSON.parse(readVectorText(name)) as T;
}

/** Vector file names matching a pattern. */
export function listVectors(pattern: RegExp): string[] {
  return readdirSync(VECTORS_DIR).filter((f) => pattern.test(f)).sort();
}
