/**
 * Celery's default entry: `celery.backend_cleanup` daily at 04:00 (crontab `0 4 * * *`, expiring after 12 hours),
 * installed when results expire (`result.expires`) and the result backend does not expire them by itself (it has
 * `cleanup`, as PostgreSQL's). An entry of that name in the schedule wins.
 */
import type { App, Logger } from '@q/core';
import type { BeatEntrySetting } from '@q/core';

/** The entry's name and task. */
export const BACKEND_CLEANUP = 'celery.backend_cleanup';

/** The default entry when the app's backend needs one, else `null`. A backend that cannot be reached is logged. */
export async function backendCleanupEntry(app: Pick<App, 'conf' | 'getBackend'>, logger: Logger): Promise<BeatEntrySetting | null> {
  if (app.conf.result.expires === null) return null;
  let cleans: boolean;
  try {
    cleans = typeof (await app.getBackend())?.cleanup === 'function';
  } catch (err) {
    logger.warn({ err }, `beat: result backend unavailable, ${BACKEND_CLEANUP} not scheduled`);
    return null;
  }
  if (!cleans) return null;
  return { task: BACKEND_CLEANUP, schedule: { kind: 'crontab', minute: '0', hour: '4' }, options: { expires: 12 * 3600 } };
}
