/**
 * The `@q/transport-amqp` plugin: registers the broker URL schemes `amqp`, `amqps` and `pyamqp`, so
 * `createApp({ broker: 'amqp://…' })` and `q -b amqp://…` load this package on demand.
 */
import { withDefaultOption } from '@q/core/adapter';
import type { Plugin, UrlFactoryContext } from '@q/core';
import { amqpTransport } from './amqp-transport.js';
import { AMQP_SCHEMES } from './url.js';

export { AMQP_SCHEMES };

/** The plugin (`qPlugin` is the export core's URL resolver looks for). */
export const qPlugin: Plugin = {
  name: '@q/transport-amqp',
  setup(api) {
    api.transport(AMQP_SCHEMES, (ctx) => amqpTransport({ url: ctx.url, transportOptions: urlOptions(ctx), logger: ctx.logger }));
  },
};

/** The transport options, with the app's `brokerOptions.connectionTimeout` as `connect_timeout` unless set. */
function urlOptions(ctx: UrlFactoryContext): Record<string, unknown> {
  return withDefaultOption(ctx, 'connect_timeout', ctx.connectTimeoutMs === undefined ? undefined : ctx.connectTimeoutMs / 1000);
}
