/**
 * `q beat`'s start-up banner (Celery's `celery beat v5 is starting.` block: broker, scheduler state, max interval),
 * with the entries it will send.
 */
import { adapterUrl, maskUrl } from './mask-url.js';

/** An entry as the banner shows it. */
export interface BeatBannerEntry {
  name: string;
  task: string;
  /** The schedule's `describe()`. */
  schedule: string;
}

/** What the beat banner shows. */
export interface BeatBannerInfo {
  version: string;
  appName: string;
  /** The transport's `describe()`, shown as the URL it names, masked. */
  transport: string;
  /** The state store's `describe()`, masked. */
  store: string;
  /** The lock's `describe()`, masked. */
  lock: string;
  /** Seconds. */
  maxInterval: number;
  entries: readonly BeatBannerEntry[];
}

/** Renders the banner as text (ends with a newline). */
export function renderBeatBanner(info: BeatBannerInfo): string {
  const config: [string, string][] = [
    ['app', info.appName],
    ['transport', adapterUrl(info.transport)],
    ['store', maskUrl(info.store)],
    ['lock', maskUrl(info.lock)],
    ['max interval', `${info.maxInterval} s`],
  ];
  const width = Math.max(...config.map(([key]) => key.length)) + 1;
  const entries = [...info.entries].sort((a, b) => a.name.localeCompare(b.name));
  const lines = [
    `  q beat ${info.version} is starting.`,
    `  ${'-'.repeat(24)}`,
    '[config]',
    ...config.map(([key, value]) => `  .> ${`${key}:`.padEnd(width)} ${value}`),
    '',
    '[entries]',
    ...(entries.length > 0 ? entries.map((e) => `  . ${e.name}: ${e.task} ${e.schedule}`) : ['  (none: add some to beat.schedule)']),
    '',
  ];
  return `${lines.join('\n')}\n`;
}
