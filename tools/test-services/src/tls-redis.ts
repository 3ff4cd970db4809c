/**
 * A private TLS-only redis-server for the TLS tests of `@q/transport-redis` and `@q/backend-redis`: the
 * certificates of `makeTestCertificates`, a free TLS port (`--port 0`: no plain TCP listener), no
 * persistence, all in a temp dir the caller removes. The machine's shared Redis is never touched.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, portOpen } from './net.js';
import type { TestCertificates } from './tls.js';

/**
 * Whether `redis-server` is installed and built with TLS. Probed without starting a server: a TLS build rejects
 * `--tls-port x` as "couldn't be parsed into an integer", a build without TLS as a "Bad directive".
 */
export function redisTlsSupport(): 'ok' | 'no-server' | 'no-tls' {
  const run = spawnSync('redis-server', ['--port', '0', '--tls-port', 'not-a-port'], { encoding: 'utf8', timeout: 10_000 });
  if (run.error) return 'no-server';
  return /couldn't be parsed/i.test(`${run.stdout}${run.stderr}`) ? 'ok' : 'no-tls';
}

/** File paths of the throwaway certificates (see `makeTestCertificates` in `@q/test-services`). */
export type TlsFiles = TestCertificates['files'];

/** A running private TLS redis-server. */
export interface TlsRedisServer {
  readonly port: number;
  /** Stops the server (SIGTERM, SIGKILL after 3 s) and waits for its exit. Safe to call twice. */
  stop(): Promise<void>;
}

/** How to start {@link startTlsRedis}. */
export interface TlsRedisOptions {
  /** `--tls-auth-clients`: `no` (default), `optional` or `yes` (a client certificate is required). */
  authClients?: 'no' | 'optional' | 'yes';
  /** Addresses to bind (default `127.0.0.1`). */
  bind?: readonly string[];
}

/** Starts a TLS-only redis-server with `files`' server certificate in `dir` and waits until its TLS port accepts connections. */
export async function startTlsRedis(dir: string, files: TlsFiles, name: string, options: TlsRedisOptions = {}): Promise<TlsRedisServer> {
  const port = await freePort();
  const log = join(dir, `${name}.log`);
  const out = openSync(log, 'a');
  const args = [
    '--port', '0',
    '--tls-port', String(port),
    '--bind', ...(options.bind ?? ['127.0.0.1']),
    '--tls-cert-file', files.serverCert,
    '--tls-key-file', files.serverKey,
    '--tls-ca-cert-file', files.ca,
    '--tls-auth-clients', options.authClients ?? 'no',
    '--save', '',
    '--appendonly', 'no',
    '--dir', dir,
  ];
  const proc: ChildProcess = spawn('redis-server', args, { cwd: dir, stdio: ['ignore', out, out] });
  closeSync(out);
  let exited = false;
  const exit = new Promise<void>((resolve) => proc.once('exit', () => ((exited = true), resolve())));
  const deadline = Date.now() + 5000;
  while (!(await portOpen(port))) {
    if (exited || Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`private TLS redis-server ${name} did not start on port ${port}: ${readFileSync(log, 'utf8').slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    port,
    async stop() {
      if (exited) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 3000);
      await exit;
      clearTimeout(timer);
    },
  };
}
