/**
 * The `@q/backend-rpc` plugin: registers the result-backend URL scheme `rpc`, so `createApp({ backend: 'rpc://' })`
 * and `q --result-backend rpc://` work without importing this package (core looks the scheme up in its scheme
 * table and sets this plugin up). As in Celery, the URL carries nothing: results travel over the app's broker.
 */
import type { Plugin } from '@q/core';
import { resolveRpcOptions } from './options.js';
import { rpcBackend } from './rpc-backend.js';

/** URL schemes served by this package. */
export const RPC_BACKEND_SCHEMES = ['rpc'] as const;

/** The plugin; `result.backendOptions` may set `persistent` and `maxBuffered`. */
export const qPlugin: Plugin = {
  name: '@q/backend-rpc',
  setup(api) {
    api.backend(RPC_BACKEND_SCHEMES, (ctx) => {
      const { persistent, maxBuffered } = resolveRpcOptions(ctx.options, 'result.backendOptions');
      return rpcBackend({ ...(persistent === null ? {} : { persistent }), maxBuffered, logger: ctx.logger });
    });
  },
};
