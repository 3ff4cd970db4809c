/**
 * The worker's start-up banner, printed to stdout before it starts consuming (Celery prints the same facts:
 * node name, app, transport, results, concurrency, queues and registered tasks).
 */
import { adapterUrl } from './mask-url.js';

/** What the banner shows. */
export interface BannerInfo {
  /** Node name, e.g. `celery@host`. */
  hostname: string;
  /** The q version. */
  version: string;
  /** `linux-x64 node v20.19.0`. */
  platform: string;
  appName: string;
  /** The transport's `describe()`: shown as the URL it names (`redis transport redis://…` → `redis://…`), masked. */
  transport: string;
  /** The result backend's `describe()`, shown the same way, or `null` when results are disabled. */
  results: string | null;
  pool: string;
  concurrency: number;
  prefetchMultiplier: number;
  queues: readonly string[];
  tasks: readonly string[];
}

/** Renders the banner as text (ends with a newline). */
export function renderBanner(info: BannerInfo): string {
  const config: [string, string][] = [
    ['app', info.appName],
    ['transport', adapterUrl(info.transport)],
    ['results', info.results === null ? 'disabled' : adapterUrl(info.results)],
    ['concurrency', `${info.concurrency} (${info.pool})`],
    ['prefetch', `${info.prefetchMultiplier} per slot (${info.concurrency * info.prefetchMultiplier} messages)`],
  ];
  const width = Math.max(...config.map(([key]) => key.length)) + 1;
  const lines = [
    `  q ${info.version} :: ${info.hostname} :: ${info.platform}`,
    `  ${'-'.repeat(Math.max(24, info.hostname.length + info.version.length + info.platform.length + 10))}`,
    '[config]',
    ...config.map(([key, value]) => `  .> ${`${key}:`.padEnd(width)} ${value}`),
    '',
    '[queues]',
    ...info.queues.map((queue) => `  .> ${queue}`),
    '',
    '[tasks]',
    ...(info.tasks.length > 0 ? [...info.tasks].sort().map((task) => `  . ${task}`) : ['  (none registered)']),
    '',
  ];
  return `${lines.join('\n')}\n`;
}
