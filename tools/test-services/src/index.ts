/**
 * Live-service detection for integration tests. On a developer machine a suite whose service is down is
 * skipped with ONE clear line saying what is missing and how to start it; in CI (`CI=true`) a missing
 * service is a failure, never a skip.
 */
import { connect } from 'node:net';
import { spawnSync } from 'node:child_process';
import { runsHere } from './gate.js';

/** A service a suite needs. */
export interface ServiceSpec {
  /** Human name, e.g. `Redis`. */
  name: string;
  host: string;
  port: number;
  /** How to start it, shown when it is missing. */
  howToStart: string;
}

export const REDIS: ServiceSpec = {
  name: 'Redis',
  host: '127.0.0.1',
  port: 6379,
  howToStart: 'redis-server --daemonize yes --port 6379 (or: bash tools/ci/ensure-services.sh)',
};
export const RABBITMQ: ServiceSpec = {
  name: 'RabbitMQ',
  host: '127.0.0.1',
  port: 5672,
  howToStart: 'rabbitmq-server -detached (or: bash tools/ci/ensure-services.sh)',
};
export const POSTGRES: ServiceSpec = {
  name: 'PostgreSQL',
  host: '127.0.0.1',
  port: 5432,
  howToStart: 'pg_ctlcluster $(ls /etc/postgresql) main start (or: bash tools/ci/ensure-services.sh)',
};


function portOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Resolves to true when every service is reachable. Locally, prints one line naming what is missing and
 * returns false (the caller skips); in CI, throws.
 */
export async function servicesAvailable(suite: string, ...services: ServiceSpec[]): Promise<boolean> {
  const missing: ServiceSpec[] = [];
  for (const s of services) if (!(await portOpen(s.host, s.port))) missing.push(s);
  return runsHere(suite, missing.map((s) => `${s.name} is not reachable on ${s.host}:${s.port} (start it: ${s.howToStart})`));
}

/**
 * Path of Debian's Python with Celery (and redis-py, and the modules `extra` names, e.g. `sqlalchemy`, `psycopg2`),
 * or null when one is not installed.
 */
export function pythonCelery(suite: string, extra: readonly string[] = []): string | null {
  const python = '/usr/bin/python3';
  const modules = ['celery', 'redis', ...extra];
  const probe = spawnSync(python, ['-c', `import ${modules.join(', ')}; print(celery.__version__)`], { encoding: 'utf8' });
  if (probe.status === 0) return python;
  const packages = modules.map((m) => `python3-${m}`).join(' ');
  runsHere(suite, [`Python Celery or one of ${modules.join(', ')} is not installed (apt-get install -y ${packages})`], 'interop');
  return null;
}
export * from './gate.js';
export * from './process-checks.js';
export * from './vectors.js';
export * from './beat-answers.js';
export * from './rabbitmq.js';
export * from './recording-logger.js';
export * from './tls.js';
export * from './tls-redis.js';
export * from './private-redis.js';
export * from './private-postgres.js';
export * from './private-rabbitmq-node.js';
export * from './net.js';
export * from './sqs-emulator.js';
