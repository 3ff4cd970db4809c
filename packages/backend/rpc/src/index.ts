/**
 * `@q/backend-rpc`: Celery's `rpc://` result backend for q — each task state is a message to the caller's reply
 * queue (its oid), sent over the app's broker; the caller consumes that queue and is woken without polling.
 * Only the client that sent a task can read its result.
 *
 * ```ts
 * import { createApp } from '@q/core';
 * import { rpcBackend } from '@q/backend-rpc';
 * const app = createApp({ broker: 'amqp://guest:guest@localhost//', backend: rpcBackend() });
 * ```
 */
export { RpcBackend, rpcBackend, RPC_BACKEND_CAPABILITIES } from './rpc-backend.js';
export { DEFAULT_MAX_BUFFERED, resolveRpcOptions } from './options.js';
export type { ResolvedRpcBackendOptions, RpcBackendOptions } from './options.js';
export { REPLY_EXCHANGE, readReply, replyMessage, replyQueue } from './reply-message.js';
export { ReplyBuffer } from './reply-buffer.js';
export { qPlugin, RPC_BACKEND_SCHEMES } from './plugin.js';
