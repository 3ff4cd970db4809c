/**
 * `q dashboard` (Flower's job): serves the web dashboard of the cluster (`@q/dashboard`) until SIGINT or SIGTERM,
 * then exits 0. Read-only unless a token is given (`--token` or `Q_DASHBOARD_TOKEN`): then the page's actions
 * (revoke, rate limit, pool grow/shrink, shutdown) work for whoever sends it.
 */
import { Command } from 'commander';
import { DEFAULT_DASHBOARD_PORT, createDashboard } from '@q/dashboard';
import { commandContext } from '../context.js';
import type { CommandContext, RunState } from '../context.js';
import type { CliIo } from '../io.js';
import { parseInteger } from '../parse.js';
import type { SignalSource } from '../shutdown.js';
import { stopSignal } from '../stop-signal.js';

/** Options of `q dashboard`, as parsed. */
export interface DashboardCommandOptions {
  port: number;
  host: string;
  /** Enables the actions (else `Q_DASHBOARD_TOKEN`, else read-only). */
  token?: string;
  /** Tasks kept in memory (default 100 000). */
  maxTasks?: number;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Creates the `dashboard` subcommand. */
export function dashboardCommand(io: CliIo, run: RunState): Command {
  return new Command('dashboard')
    .description('serve the web dashboard of the cluster: workers, tasks, rates, queue lengths, and actions with --token')
    .option('-p, --port <port>', 'port to listen on (0: any free port)', (v) => parseInteger('--port', v, 0, 65_535), DEFAULT_DASHBOARD_PORT)
    .option('--host <address>', 'address to bind (0.0.0.0: every interface)', '127.0.0.1')
    .option('--token <token>', 'enable the actions for requests that send "Authorization: Bearer <token>" (default: Q_DASHBOARD_TOKEN; without either the dashboard is read-only)')
    .option('--max-tasks <n>', 'tasks kept in memory, least recently updated dropped first (default 100000)', (v) => parseInteger('--max-tasks', v, 1))
    .addHelpText('after', '\nWorkers send task events with -E (q worker -E); heartbeats are always sent. Stop with Ctrl-C.')
    .action(async (options: DashboardCommandOptions, cmd: Command) => {
      await runDashboard(commandContext(cmd, io, run), options);
    });
}

/** Serves the dashboard until SIGINT or SIGTERM; closes it and the app on the way out. */
export async function runDashboard(ctx: CommandContext, options: DashboardCommandOptions, signals: SignalSource = process): Promise<void> {
  const envToken = ctx.io.env['Q_DASHBOARD_TOKEN'];
  const token = options.token ?? (envToken === undefined || envToken === '' ? undefined : envToken);
  const app = await ctx.loadApp();
  try {
    const dashboard = createDashboard(app, {
      port: options.port,
      host: options.host,
      logger: ctx.logger,
      ...(token === undefined ? {} : { token }),
      ...(options.maxTasks === undefined ? {} : { maxTasksInMemory: options.maxTasks }),
    });
    // Listeners go in before listening, so a signal while connecting still stops cleanly.
    const stopped = stopSignal(signals);
    try {
      const address = await Promise.race([dashboard.listen(), stopped.then(() => null)]);
      if (address !== null) {
        ctx.print(`dashboard: ${address} (${token === undefined ? 'read-only: no --token' : 'actions enabled with the token'})`);
        if (token !== undefined && !LOOPBACK.has(options.host)) {
          ctx.logger.warn(`dashboard: bound to ${options.host} over plain HTTP: the token travels in clear; put a TLS proxy in front`);
        }
        const signal = await stopped;
        ctx.logger.info({ signal }, 'dashboard: stopping');
      }
    } finally {
      await dashboard.close();
    }
  } finally {
    await app.close().catch((err: unknown) => ctx.logger.warn({ err }, 'dashboard: closing the app failed'));
  }
  ctx.run.exitCode = 0;
}

