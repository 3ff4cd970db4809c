/**
 * The captured Celery 5.2.6 vectors live in `shared/spec/vectors/`, beside the repository checkout
 * (`<checkout>/../shared`). Every test reads them through here, so a clone anywhere finds them.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of the vectors folder, ending in `/`. */
export const VECTORS_DIR = fileURLToPath(new URL('../../../../shared/spec/vectors/', import.meta.url));

if (!existsSync(VECTORS_DIR)) {
  throw new Error(`golden vectors not found at ${VECTORS_DIR}: the spec folder shared/ must sit beside the checkout`);
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
