/**
 * The app of the events benchmark (`bench:events`): a no-op task, no result backend (the drain with results off of
 * the main bench), `eventsPlugin()` from `@q/events` so the worker sends worker events always and task events with
 * `-E`. Redis db 7 by default (`EVENTS_BENCH_REDIS`).
 */
import { createApp } from '@q/core';
import { eventsPlugin } from '@q/events';
import { redisTransport } from '@q/transport-redis';

const url = process.env['EVENTS_BENCH_REDIS'] ?? 'redis://127.0.0.1:6379/7';

// The transport as an instance (not a URL resolved through a plugin at run time), so the worker's bundle holds it.
export const app = createApp({ name: 'events-bench', broker: redisTransport(url), backend: null, plugins: [eventsPlugin()] });

app.task({ name: 'bench.noop', ignoreResult: true }, () => null);
