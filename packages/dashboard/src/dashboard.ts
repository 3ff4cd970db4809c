/**
 * `createDashboard(app)`: the q dashboard (Flower's job) as one fastify server. A {@link ClusterState} fed by an
 * {@link EventReceiver} on the app's broker holds workers and tasks; remote control answers are cached (see
 * `WorkerStatsCache`); the page in `public/` polls the JSON API. Read-only unless a token is configured.
 */
import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { App, Logger } from '@q/core';
import { ConfigError, silentLogger } from '@q/core';
import { ClusterState, EventReceiver } from '@q/events';
import type { QEvent } from '@q/events';
import { bearerCheck } from './bearer-auth.js';
import { appControl } from './cluster-control.js';
import type { ClusterControl } from './cluster-control.js';
import { RateRing } from './rate-ring.js';
import { registerActionRoutes } from './routes/action-routes.js';
import { registerReadRoutes } from './routes/read-routes.js';
import { registerMetricsRoute } from './routes/metrics-route.js';
import type { RouteContext } from './routes/route-context.js';
import { publicDir, uplotDir } from './static-files.js';
import { WorkerStatsCache } from './worker-stats-cache.js';

/** Flower's port, the default of `q dashboard`. */
export const DEFAULT_DASHBOARD_PORT = 5555;

/** The page's Content-Security-Policy: its own scripts, styles and API only, never framed. */
export const CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** What a user passes to {@link createDashboard}. */
export interface DashboardOptions {
  /** Port to listen on (default 5555; 0 picks a free one). */
  port?: number;
  /** Address to bind (default `127.0.0.1`: only this machine). */
  host?: string;
  /** Enables the actions; requests must send it as `Authorization: Bearer <token>`. Without it the dashboard is read-only. */
  token?: string;
  /** Tasks kept in memory, least recently updated evicted first (default 100 000). */
  maxTasksInMemory?: number;
  /** Seconds between remote-control refreshes of workers' stats and queue lengths (default 5). */
  refreshInterval?: number;
  /** Seconds kept by the rates chart (default 900). */
  rateSeconds?: number;
  /** Seconds to wait for workers' replies to remote control (default 1). */
  controlTimeout?: number;
  /** The state to show (default a new one); for tests, fed through {@link Dashboard.ingest}. */
  state?: ClusterState;
  /** Remote control (default {@link appControl} of the app); a fake in tests. */
  control?: ClusterControl;
  /** Consume the app's events (default true); off in tests that feed the state themselves. */
  receiveEvents?: boolean;
  logger?: Logger;
  /** Epoch milliseconds (default `Date.now`). */
  now?: () => number;
}

/** A dashboard server. */
export interface Dashboard {
  /** The fastify instance (`inject()` in tests). */
  readonly server: FastifyInstance;
  readonly state: ClusterState;
  /** The remote-control cache (`refresh()` to ask the workers now). */
  readonly cache: WorkerStatsCache;
  /** `http://host:port` once listening, else `null`. */
  readonly address: string | null;
  /** Applies one event to the state and the rates (what the receiver does for each event). Never throws. */
  ingest(event: QEvent): void;
  /** Starts the event receiver and the refreshes (done by {@link listen}). */
  start(): Promise<void>;
  /** Starts, then listens; resolves with the address. */
  listen(): Promise<string>;
  /** Stops the receiver, the refreshes and the server (the app is left open: it is the caller's). */
  close(): Promise<void>;
}

function checkOptions(options: DashboardOptions): void {
  const { port, token } = options;
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535)) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `dashboard.port: expected an integer from 0 to 65535 (got ${String(port)})`);
  }
  if (token !== undefined && token.trim() === '') {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', 'dashboard.token: expected a non-empty token (omit it for a read-only dashboard)');
  }
}

/**
 * Builds the dashboard of `app`'s cluster. Nothing runs until {@link Dashboard.listen} (or `start()`).
 * @throws ConfigError `Q_ERR_CONFIG_INVALID` on a bad port, an empty token or a bad `maxTasksInMemory`.
 * @example const dashboard = createDashboard(app, { token: 's3cret' }); console.log(await dashboard.listen());
 */
export function createDashboard(app: App, options: DashboardOptions = {}): Dashboard {
  checkOptions(options);
  const log = options.logger ?? silentLogger;
  const now = options.now ?? Date.now;
  const state = options.state ?? new ClusterState({ maxTasksInMemory: options.maxTasksInMemory ?? 100_000, logger: log, now });
  const rates = new RateRing({ seconds: options.rateSeconds ?? 900, now });
  const control = options.control ?? appControl(app, { timeout: options.controlTimeout ?? 1 });
  const cache = new WorkerStatsCache(control, { queues: [app.conf.task.defaultQueue], interval: options.refreshInterval ?? 5, logger: log, now });
  const ingest = (event: QEvent): void => {
    state.event(event);
    try {
      rates.record(typeof event?.type === 'string' ? event.type : '');
    } catch (err) {
      log.warn({ err }, 'dashboard: could not count an event');
    }
  };
  const receiver =
    options.receiveEvents === false
      ? null
      : new EventReceiver({
          transport: () => app.getTransport(),
          handlers: { '*': ingest },
          topology: {
            eventExchange: app.conf.events.exchange,
            eventQueuePrefix: app.conf.events.queuePrefix,
            eventQueueExpires: app.conf.events.queueExpires,
            eventQueueTtl: app.conf.events.queueTtl,
          },
          logger: log,
        });

  const server = Fastify({ logger: false, ajv: { customOptions: { removeAdditional: false } } });
  const ctx: RouteContext = { state, rates, cache, control, actionsEnabled: options.token !== undefined, authorize: bearerCheck(options.token), now };
  // The page loads only its own files and may not be framed (its action buttons must not be clickjacked).
  server.addHook('onSend', async (_request, reply) => {
    reply.header('content-security-policy', CONTENT_SECURITY_POLICY);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
  });
  server.register(fastifyStatic, { root: publicDir(), prefix: '/', index: 'index.html' });
  server.register(fastifyStatic, { root: uplotDir(), prefix: '/vendor/uplot/', decorateReply: false, allowedPath: (p) => /^\/?uPlot\.(iife\.min\.js|min\.css)$/.test(p) });
  registerReadRoutes(server, ctx);
  registerActionRoutes(server, ctx);
  registerMetricsRoute(server, ctx);

  let address: string | null = null;
  let started: Promise<void> | null = null;
  const dashboard: Dashboard = {
    server,
    state,
    cache,
    get address() {
      return address;
    },
    ingest,
    start() {
      started ??= (async () => {
        await receiver?.start();
        cache.start();
      })();
      return started;
    },
    async listen() {
      await dashboard.start();
      await server.listen({ port: options.port ?? DEFAULT_DASHBOARD_PORT, host: options.host ?? '127.0.0.1' });
      const bound = server.server.address();
      const host = options.host ?? '127.0.0.1';
      const port = typeof bound === 'object' && bound !== null ? bound.port : (options.port ?? DEFAULT_DASHBOARD_PORT);
      address = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
      return address;
    },
    async close() {
      await receiver?.stop();
      await cache.stop();
      await server.close();
      address = null;
    },
  };
  return dashboard;
}
