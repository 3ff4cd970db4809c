/**
 * Bundles the process entry scripts (`src/bin/*.ts`) with esbuild into `node_modules/.cache/q-bench/*.mjs`, so
 * each worker and the q client run as plain `node` without a TypeScript loader: the loader's thread would add
 * to a worker's memory, and tsx's `keepNames` transform wraps every closure (a quarter of q's enqueue rate).
 * `@q/*` packages are bundled from their sources (the `source` export condition), as tsup would build them;
 * BullMQ, ioredis and amqplib stay in node_modules (`@q/transport-amqp` loads its own copy of amqplib with q's
 * header codec, which needs amqplib as a real package).
 *
 * esbuild is not a dependency of this package; it is the one tsx (a root dev dependency) uses.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BrokerName } from './config.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const BENCH_ROOT = path.resolve(here, '..');
export const OUT_DIR = path.join(BENCH_ROOT, 'node_modules', '.cache', 'q-bench');

export interface EsbuildBuildOptions {
  entryPoints: string[];
  outfile: string;
  bundle: boolean;
  platform: 'node';
  format: 'esm';
  target: string;
  conditions: string[];
  external: string[];
  banner: { js: string };
  logLevel: 'error';
  sourcemap: boolean;
  alias?: Record<string, string>;
}
export interface Esbuild {
  version: string;
  build(options: EsbuildBuildOptions): Promise<{ errors: unknown[] }>;
}

export async function loadEsbuild(): Promise<Esbuild> {
  const requireFromHere = createRequire(import.meta.url);
  const requireFromTsx = createRequire(requireFromHere.resolve('tsx'));
  const entry = requireFromTsx.resolve('esbuild');
  return (await import(pathToFileURL(entry).href)) as Esbuild;
}

/** A process entry: its source under `src/bin/`, the broker it runs on, and what stays external. */
export interface WorkerEntry {
  name: BundleName;
  broker: BrokerName;
  external: string[];
}

export type BundleName = 'q-worker' | 'q-client' | 'q-chord-client' | 'bullmq-worker' | 'q-worker-amqp' | 'q-client-amqp' | 'amqplib-worker' | 'q-worker-sqs' | 'q-client-sqs';

const ENTRIES: readonly WorkerEntry[] = [
  { name: 'q-worker', broker: 'redis', external: [] },
  { name: 'q-client', broker: 'redis', external: [] },
  { name: 'q-chord-client', broker: 'redis', external: ['ioredis'] },
  { name: 'bullmq-worker', broker: 'redis', external: ['bullmq', 'ioredis'] },
  { name: 'q-worker-amqp', broker: 'amqp', external: ['amqplib'] },
  { name: 'q-client-amqp', broker: 'amqp', external: ['amqplib'] },
  { name: 'amqplib-worker', broker: 'amqp', external: ['amqplib'] },
  // The AWS SDK is bundled too: it is a dependency of @q/transport-sqs, not of the bench.
  { name: 'q-worker-sqs', broker: 'sqs', external: [] },
  { name: 'q-client-sqs', broker: 'sqs', external: [] },
];

/**
 * Bundles the entries of `brokers`; returns the path of each bundle by name, the esbuild version, and the error
 * of each entry that did not build (its system's scenarios then fail, the others run).
 */
export async function buildWorkers(brokers: readonly BrokerName[]): Promise<{ bundles: Map<string, string>; esbuild: string; failed: Map<string, string> }> {
  const esbuild = await loadEsbuild();
  mkdirSync(OUT_DIR, { recursive: true });
  const bundles = new Map<string, string>();
  const failed = new Map<string, string>();
  for (const entry of ENTRIES.filter((e) => brokers.includes(e.broker))) {
    const outfile = path.join(OUT_DIR, `${entry.name}.mjs`);
    try {
      await bundleFromSource(path.join(here, 'bin', `${entry.name}.ts`), outfile, { external: entry.external, sourcemap: true }, esbuild);
      bundles.set(entry.name, outfile);
    } catch (err) {
      failed.set(entry.name, err instanceof Error ? err.message.split('\n').slice(0, 3).join(' ') : String(err));
    }
  }
  return { bundles, esbuild: esbuild.version, failed };
}

/**
 * Bundles `entry` with the `@q/*` packages from their sources into one ESM file for plain `node` (what `buildWorkers`
 * does for each process entry; `bench:events` for the CLI and its app).
 */
export async function bundleFromSource(
  entry: string,
  outfile: string,
  options: { external?: string[]; alias?: Record<string, string>; sourcemap?: boolean } = {},
  esbuild?: Esbuild,
): Promise<void> {
  const build = esbuild ?? (await loadEsbuild());
  mkdirSync(OUT_DIR, { recursive: true });
  await build.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@q/source'],
    external: options.external ?? [],
    ...(options.alias === undefined ? {} : { alias: options.alias }),
    // CommonJS dependencies bundled into ESM still call require() for node built-ins.
    banner: { js: "import { createRequire as __benchRequire } from 'node:module'; const require = __benchRequire(import.meta.url);" },
    logLevel: 'error',
    sourcemap: options.sourcemap ?? false,
  });
}

/**
 * Bundles an app module for a built `q worker` (`bench:pools`, `bench:control`): `@q/*` stay external, so the
 * worker and its children load the packages' `dist/`, as an install does.
 */
export async function bundleBuiltApp(entry: string, outfile: string): Promise<void> {
  const esbuild = await loadEsbuild();
  mkdirSync(OUT_DIR, { recursive: true });
  await esbuild.build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: [],
    external: ['@q/*'],
    banner: { js: '' },
    logLevel: 'error',
    sourcemap: false,
  });
}
