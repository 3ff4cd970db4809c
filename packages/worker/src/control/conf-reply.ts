/**
 * The `conf` reply: the worker's configuration under Celery's setting names (`task.trackStarted` →
 * `task_track_started`), secrets masked as Celery's `filter_hidden_settings` does: a setting whose name matches
 * `API|TOKEN|KEY|SECRET|PASS|SIGNATURE|DATABASE` is `********`, and URLs lose their password. Without
 * `with_defaults`, only what differs from the defaults (Celery: the settings changed by the app).
 */
import type { ResolvedConfig } from '@q/core';
import { describeRoutes, resolveConfig } from '@q/core/internal';
import { describedUrl } from './broker-info.js';
import { maskSetting, maskUrlPassword } from './mask-settings.js';

export { maskUrlPassword } from './mask-settings.js';

/** Settings whose Celery name is not the generic `<group>_<snake_case>`. */
const CELERY_NAMES: Readonly<Record<string, string>> = {
  accept: 'accept_content',
  'result.backendOptions': 'result_backend_transport_options',
};
/** q options that are not settings (instances, paths of this process). */
const SKIPPED = new Set(['backend', 'plugins', 'logger']);

const snake = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The Celery name of q's resolved setting `path` (`broker.connectionTimeout` → `broker_connection_timeout`). */
export function celerySettingName(path: string): string {
  const known = CELERY_NAMES[path];
  if (known !== undefined) return known;
  const [group, key] = path.split('.') as [string, string | undefined];
  if (key === undefined) return snake(group);
  return `${snake(group)}_${snake(key)}`;
}

/** Every setting of `conf` as `[q path, value]`, one level into the groups. */
function leaves(conf: ResolvedConfig): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [key, value] of Object.entries(conf)) {
    if (SKIPPED.has(key)) continue;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [sub, v] of Object.entries(value as Record<string, unknown>)) {
        // task.routes is held prepared (compiled patterns, functions): shown as written, as Celery shows task_routes
        out.push([`${key}.${sub}`, key === 'task' && sub === 'routes' ? describeRoutes(conf.task.routes) : v]);
      }
    } else out.push([key, value]);
  }
  return out;
}

let defaults: Map<string, string> | undefined;
function defaultValues(): Map<string, string> {
  defaults ??= new Map(leaves(resolveConfig({})).map(([path, value]) => [path, JSON.stringify(value)]));
  return defaults;
}

/**
 * The `conf` reply for `conf`, with the broker's and backend's descriptions as `broker_url` and `result_backend`
 * (masked). `withDefaults: false` leaves out the settings still at their default.
 */
export function confReply(conf: ResolvedConfig, urls: { broker: string | null; backend: string | null }, withDefaults: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (urls.broker !== null) out['broker_url'] = maskUrlPassword(describedUrl(urls.broker));
  if (urls.backend !== null) out['result_backend'] = maskUrlPassword(describedUrl(urls.backend));
  const base = withDefaults ? undefined : defaultValues();
  for (const [path, value] of leaves(conf)) {
    if (base !== undefined && base.get(path) === JSON.stringify(value)) continue;
    const name = celerySettingName(path);
    out[name] = maskSetting(name, value);
  }
  return out;
}
