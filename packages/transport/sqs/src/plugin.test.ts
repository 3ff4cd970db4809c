/** The plugin registers `sqs` and hands the URL, the options and the app's visibility timeout to sqsTransport. */
import { silentLogger } from '@q/core';
import type { PluginApi, TransportFactory } from '@q/core';
import { describe, expect, it, vi } from 'vitest';

const made: unknown[] = [];
vi.mock('./sqs-transport.js', () => ({ sqsTransport: (o: unknown) => (made.push(o), {}) }));
const { qPlugin, SQS_SCHEMES } = await import('./plugin.js');

describe('qPlugin', () => {
  it("registers sqs; the app's visibility timeout fills visibility_timeout unless the options or the query set it", async () => {
    let schemes: readonly string[] = [];
    let factory: TransportFactory | undefined;
    await qPlugin.setup({ transport: (s: readonly string[], f: TransportFactory) => void ((schemes = s), (factory = f)) } as unknown as PluginApi);
    expect(schemes).toEqual(['sqs']);
    expect(SQS_SCHEMES).toEqual(['sqs']);
    const make = (url: string, options: Record<string, unknown> = {}, visibilityTimeoutMs?: number) => {
      const ctx = { url, parsed: new URL(url), options, logger: silentLogger };
      factory?.(visibilityTimeoutMs === undefined ? ctx : { ...ctx, visibilityTimeoutMs });
      return made.at(-1) as { url: string; transportOptions: Record<string, unknown> };
    };
    expect(make('sqs://k:s@h:1', {}, 120_500)).toMatchObject({ url: 'sqs://k:s@h:1', transportOptions: { visibility_timeout: 121 } });
    expect(make('sqs://', { visibility_timeout: 30 }, 600_000).transportOptions).toEqual({ visibility_timeout: 30 });
    expect(make('sqs://?visibility_timeout=90', {}, 600_000).transportOptions).toEqual({});
    expect(make('sqs://').transportOptions).toEqual({});
  });
});
