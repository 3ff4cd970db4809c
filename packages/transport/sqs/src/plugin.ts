/**
 * The `@q/transport-sqs` plugin: registers the broker URL scheme `sqs`, so `createApp({ broker: 'sqs://…' })` and
 * `q -b sqs://…` load this package on demand.
 */
import { withDefaultOption } from '@q/core/adapter';
import type { Plugin, UrlFactoryContext } from '@q/core';
import { sqsTransport } from './sqs-transport.js';

/** URL schemes this package serves. */
export const SQS_SCHEMES = ['sqs'] as const;

/** The plugin (`qPlugin` is the export core's URL resolver looks for). */
export const qPlugin: Plugin = {
  name: '@q/transport-sqs',
  setup(api) {
    api.transport(SQS_SCHEMES, (ctx) => sqsTransport({ url: ctx.url, transportOptions: urlOptions(ctx), logger: ctx.logger }));
  },
};

/**
 * The transport options, with the app's `brokerOptions.visibilityTimeout` (when set) as `visibility_timeout`, unless
 * the options or the URL query set it. (`brokerOptions.connectionTimeout` has no SQS equivalent: the SDK's retry
 * strategy bounds each request.)
 */
function urlOptions(ctx: UrlFactoryContext): Record<string, unknown> {
  const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : Math.ceil(ms / 1000));
  return withDefaultOption(ctx, 'visibility_timeout', seconds(ctx.visibilityTimeoutMs));
}
