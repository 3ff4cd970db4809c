/**
 * The store and the lock a beat uses, from what `createBeat` was given or the app's `beat.store` / `beat.lock`: an
 * instance as is; `file://…` or a plain path → the {@link fileStore}; another URL through the plugins that register
 * its scheme (`@q/backend-redis`, `@q/backend-pg`, loaded by scheme when not yet in use).
 */
import { fileURLToPath } from 'node:url';
import type { App, BeatLock, BeatStore, Logger } from '@q/core';
import { resolveBeatLockUrl, resolveBeatStoreUrl } from '@q/core/internal';
import { fileStore } from '../store/file-store.js';
import { localLock } from '../store/local-lock.js';

const URL_LIKE = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/** What resolving needs of the app. */
export type BeatStateApp = Pick<App, 'conf' | 'plugins'>;

interface Ctx {
  app: BeatStateApp;
  name: string;
  logger: Logger;
}

const resolveCtx = (c: Ctx) => ({ host: c.app.plugins, resolveFrom: c.app.conf.resolveFrom, name: c.name, logger: c.logger });

/** The store `setting` names (default: `beat.store`, else the file `beat.scheduleFilename`). */
export async function beatStoreOf(setting: BeatStore | string | undefined, ctx: Ctx): Promise<BeatStore> {
  const value = setting ?? ctx.app.conf.beat.store ?? ctx.app.conf.beat.scheduleFilename;
  if (typeof value !== 'string') return value;
  if (!URL_LIKE.test(value)) return fileStore(value, { logger: ctx.logger });
  if (/^file:/i.test(value)) return fileStore(fileURLToPath(value), { logger: ctx.logger });
  return resolveBeatStoreUrl(value, resolveCtx(ctx));
}

/** The lock `setting` names (default: `beat.lock`, else a local lock that always holds). */
export async function beatLockOf(setting: BeatLock | string | undefined, ctx: Ctx): Promise<BeatLock> {
  const value = setting ?? ctx.app.conf.beat.lock;
  if (value === null) return localLock();
  if (typeof value !== 'string') return value;
  return resolveBeatLockUrl(value, resolveCtx(ctx));
}
