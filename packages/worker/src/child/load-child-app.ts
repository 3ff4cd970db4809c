/**
 * Loads the app in a child process or thread as the parent described it ({@link ChildAppSource}).
 */
import { pathToFileURL } from 'node:url';
import type { App } from '@q/core';
import type { ChildAppSource } from '@q/core/adapter';

function toUrl(specifier: string): string {
  return specifier.startsWith('/') || /^[A-Za-z]:[\\/]/.test(specifier) ? pathToFileURL(specifier).href : specifier;
}

/** Import each `preload` module (calling its `register()`), then the app module; returns its app. */
export async function loadChildApp(source: ChildAppSource): Promise<App> {
  for (const specifier of source.preload ?? []) {
    const loader = (await import(toUrl(specifier))) as { register?: () => unknown };
    if (typeof loader.register === 'function') loader.register();
  }
  const mod = (await import(toUrl(source.module))) as Record<string, unknown>;
  const name = source.exportName ?? 'app';
  const picked = mod[name] ?? mod['default'];
  const app = typeof picked === 'function' ? await (picked as (args: unknown) => unknown)(source.args) : picked;
  if (typeof app !== 'object' || app === null || typeof (app as Partial<App>).sendTask !== 'function') {
    throw new Error(`${source.module}: export ${JSON.stringify(name)} is not a q app (nor a function returning one)`);
  }
  return app as App;
}
