/**
 * The HTTP server a worker's metrics are scraped from: fastify serving `GET /metrics` in Prometheus' text format.
 */
import type { AddressInfo } from 'node:net';
import { ConfigError } from '@q/core';
import { fastify } from 'fastify';
import type { Registry } from 'prom-client';

/** Where a metrics server listens. */
export interface MetricsAddress {
  readonly host: string;
  /** The port bound (the one the OS chose when `0` was asked for). */
  readonly port: number;
  /** `http://host:port/metrics`. */
  readonly url: string;
}

/** A listening metrics server. */
export interface MetricsServer {
  readonly address: MetricsAddress;
  /** Stop listening and close open connections. */
  close(): Promise<void>;
}

/**
 * Listen on `host:port` and serve `registry` at `GET /metrics` (content type from the registry).
 *
 * @throws ConfigError `Q_ERR_CONFIG_INVALID` naming the port when it is in use, or host and port when listening fails
 * otherwise (a port below 1024 without the right, a host that is not this machine's).
 */
export async function startMetricsServer(registry: Registry, host: string, port: number): Promise<MetricsServer> {
  const server = fastify({ logger: false, forceCloseConnections: true });
  server.get('/metrics', async (_request, reply) => {
    const body = await registry.metrics();
    return reply.header('content-type', registry.contentType).send(body);
  });
  try {
    await server.listen({ host, port });
  } catch (err) {
    await server.close().catch(() => undefined);
    throw listenError(err, host, port);
  }
  const bound = server.server.address() as AddressInfo;
  const shown = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return {
    address: { host, port: bound.port, url: `http://${shown}:${bound.port}/metrics` },
    close: () => server.close(),
  };
}

function listenError(err: unknown, host: string, port: number): ConfigError {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'EADDRINUSE') {
    return new ConfigError('Q_ERR_CONFIG_INVALID', `metrics port ${port} is in use on ${host}: choose another port for the metrics server`, { cause: err });
  }
  const reason = err instanceof Error ? err.message : String(err);
  return new ConfigError('Q_ERR_CONFIG_INVALID', `metrics server cannot listen on ${host}:${port} (metrics port ${port}): ${reason}`, { cause: err });
}
