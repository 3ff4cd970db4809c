/**
 * Whether a suite runs here: on a developer machine, a suite that lacks something is skipped with ONE line on
 * stderr saying what is missing and how to get it; in CI (`CI=true`) a missing piece is a failure, never a skip.
 */
import { spawnSync } from 'node:child_process';
import { hasOpenssl } from './tls.js';
import { redisTlsSupport } from './tls-redis.js';
import { rabbitmqBinDir } from './private-rabbitmq-node.js';

/** True when running in CI, where integration suites must never skip. */
export const inCI = process.env['CI'] === 'true' || process.env['CI'] === '1';

/**
 * True when nothing is `missing` (falsy entries are ignored). Otherwise prints `<suite>: skipped, <missing…>` and
 * returns false, or throws in CI.
 */
export function runsHere(suite: string, missing: readonly (string | null | false | undefined)[], kind = 'integration'): boolean {
  const reasons = missing.filter((m): m is string => typeof m === 'string' && m !== '');
  if (reasons.length === 0) return true;
  const line = `${suite}: skipped, ${reasons.join('; ')}`;
  if (inCI) throw new Error(`${line.replace('skipped', 'FAILED')} — ${kind} suites must run in CI`);
  process.stderr.write(`${line}\n`);
  return false;
}

/** Why a private `redis-server` cannot be started here, or null. */
export function missingRedisServer(): string | null {
  return spawnSync('redis-server', ['--version']).status === 0 ? null : 'redis-server is not installed (apt-get install -y redis-server)';
}

/** Why a private TLS `redis-server` with openssl-made certificates cannot be run here (empty when it can). */
export function missingRedisTls(): string[] {
  const support = redisTlsSupport();
  return [
    support === 'no-server' ? 'redis-server is not installed (apt-get install -y redis-server)' : null,
    support === 'no-tls' ? 'redis-server is built without TLS' : null,
    missingOpenssl(),
  ].filter((m): m is string => m !== null);
}

/** Why test certificates cannot be made here, or null. */
export function missingOpenssl(): string | null {
  return hasOpenssl() ? null : 'openssl is not installed (apt-get install -y openssl)';
}

/** Why a private RabbitMQ node cannot be started here, or null. */
export function missingRabbitmqServer(): string | null {
  return rabbitmqBinDir() ? null : 'rabbitmq-server is not installed (apt-get install -y rabbitmq-server)';
}
