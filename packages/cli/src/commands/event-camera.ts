/**
 * Snapshot cameras of `q events --camera` (Celery's `Polaroid`, `celery events -c`): a user module exports a camera,
 * a function or an object with `shutter(snapshot)`, that is given `ClusterState.snapshot()` every `--frequency`
 * seconds, and once more when the command stops. `--maxrate` (`100/m`) caps how often it fires. A camera that throws
 * (or rejects) is logged; the next shutter still comes.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from '@q/core';
import type { ClusterSnapshot } from '@q/events';
import { importFailed } from '../import-failed.js';
import { splitSpec, TS_EXTENSIONS } from '../load-app.js';
import { resolveModuleFile } from '../module-file.js';
import { UsageError } from '../usage-error.js';

/** What a camera module exports: a function, or an object with `shutter` and, optionally, `close`. */
export type CameraExport =
  | ((snapshot: ClusterSnapshot) => unknown)
  | { shutter(snapshot: ClusterSnapshot): unknown; close?(): unknown };

/** A loaded camera. */
export interface Camera {
  shutter(snapshot: ClusterSnapshot): unknown;
  /** Called once after the last shutter (the object's own `close`, when it has one). */
  close(): unknown;
}

/** Export names tried, in order, when `--camera` names none. */
const DEFAULT_EXPORTS = ['camera', 'default'] as const;

/**
 * Imports `module[:export]` from `cwd` (TypeScript through tsx's scoped import, JavaScript through Node's) and returns
 * its camera: the named export, else `camera`, else the default export.
 * @throws UsageError when the file or a camera export is missing; QError `Q_ERR_MODULE_IMPORT_FAILED` when it throws.
 */
export async function loadCamera(spec: string, cwd: string): Promise<Camera> {
  const { file, exportName } = splitSpec(spec);
  const resolved = resolveModuleFile(file, cwd);
  const url = pathToFileURL(resolved).href;
  let mod: Record<string, unknown>;
  try {
    if (TS_EXTENSIONS.includes(path.extname(resolved))) {
      const { tsImport } = await import('tsx/esm/api');
      mod = (await tsImport(url, import.meta.url)) as Record<string, unknown>;
    } else {
      mod = (await import(url)) as Record<string, unknown>;
    }
  } catch (err) {
    throw importFailed(`camera module ${file}`, err);
  }
  return pickCamera(mod, file, exportName);
}

/** The camera among a module's exports (see {@link loadCamera}). */
export function pickCamera(mod: Record<string, unknown>, file: string, exportName: string | undefined): Camera {
  const names = exportName === undefined ? DEFAULT_EXPORTS : [exportName];
  for (const name of names) {
    const camera = asCamera(mod[name]) ?? asCamera(nested(mod['default'], name));
    if (camera !== null) return camera;
  }
  const exported = Object.keys(mod).join(', ') || 'nothing';
  throw new UsageError(
    `--camera: ${file} exports no camera as ${names.map((n) => JSON.stringify(n)).join(' or ')} (it exports: ${exported}); ` +
      'export a function, or an object with shutter(snapshot)',
  );
}

function nested(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && name !== 'default' ? (value as Record<string, unknown>)[name] : undefined;
}

function asCamera(value: unknown): Camera | null {
  if (typeof value === 'function') {
    const fn = value as (snapshot: ClusterSnapshot) => unknown;
    return { shutter: (snapshot) => fn(snapshot), close: () => undefined };
  }
  if (typeof value === 'object' && value !== null && typeof (value as { shutter?: unknown }).shutter === 'function') {
    const camera = value as Exclude<CameraExport, (snapshot: ClusterSnapshot) => unknown>;
    return { shutter: (snapshot) => camera.shutter(snapshot), close: () => camera.close?.() };
  }
  return null;
}

/** Parses Celery's `--maxrate`: `10` or `10/s` per second, `100/m` per minute, `1000/h` per hour; returns per second. */
export function parseMaxrate(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*([smh]))?\s*$/.exec(value);
  const count = match ? Number(match[1]) : NaN;
  if (!match || !(count > 0)) {
    throw new UsageError(`-r/--maxrate: expected a rate such as 10/s, 100/m or 1000/h, got ${JSON.stringify(value)}`);
  }
  const per = match[2] === 'h' ? 3600 : match[2] === 'm' ? 60 : 1;
  return count / per;
}

/** Options of {@link startShutter}. */
export interface ShutterOptions {
  /** What to photograph. */
  snapshot: () => ClusterSnapshot;
  /** Seconds between shutters (Celery's default 1.0). */
  frequency: number;
  /** At most this many shutters per second (`--maxrate`); none by default. */
  maxrate?: number;
  logger: Logger;
  /** Epoch milliseconds, for tests. */
  now?: () => number;
}

/** A running camera: `stop()` takes the last shutter, closes the camera and resolves. */
export interface ShutterHandle {
  stop(): Promise<void>;
}

/**
 * Calls `camera.shutter(snapshot())` every `frequency` seconds (skipping shutters beyond `maxrate`), one at a time:
 * a slow camera delays the next shutter instead of piling them up.
 */
export function startShutter(camera: Camera, options: ShutterOptions): ShutterHandle {
  const now = options.now ?? Date.now;
  const minGapMs = options.maxrate === undefined ? 0 : 1000 / options.maxrate;
  let last = -Infinity;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;

  const shoot = async (force: boolean): Promise<void> => {
    const t = now();
    if (!force && t - last < minGapMs) return;
    last = t;
    try {
      await camera.shutter(options.snapshot());
    } catch (err) {
      options.logger.error({ err }, 'events: the camera failed');
    }
  };
  const timer = setInterval(() => {
    running = running.then(() => (stopped ? undefined : shoot(false)));
  }, Math.max(1, options.frequency * 1000));

  return {
    async stop() {
      if (stopped) return running;
      stopped = true;
      clearInterval(timer);
      running = running.then(async () => {
        await shoot(true);
        try {
          await camera.close();
        } catch (err) {
          options.logger.error({ err }, 'events: closing the camera failed');
        }
      });
      return running;
    },
  };
}
