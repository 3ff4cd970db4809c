/**
 * The q worker of the serializer interop test (e2e/test/serializers-interop.integration.test.ts): the interop tasks,
 * with the msgpack and yaml plugins, accepting only msgpack and yaml (a message in any other format is rejected, so
 * a task that runs was sent in one of them):
 *
 *   q -A e2e/apps/serializers-app.ts -b redis://127.0.0.1:<port>/0 --result-backend redis://127.0.0.1:<port>/0 worker
 */
import { createApp } from '@q/core';
import { msgpackPlugin } from '@q/serializer-msgpack';
import { yamlPlugin } from '@q/serializer-yaml';
import { interopLedger, registerInteropTasks } from './interop-tasks.js';

const ledger = interopLedger('q', process.env['INTEROP_LEDGER'] ?? 'redis://127.0.0.1:6379/4');

export const app = createApp({ name: 'serializers', plugins: [ledger.plugin, msgpackPlugin, yamlPlugin], accept: ['msgpack', 'yaml'] });

registerInteropTasks(app, ledger);
