/** Shared by the integration tests: a RabbitMQ vhost per file, rabbitmqctl, polling, throwaway TLS certificates, a recording logger. */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { rabbitVhost, type TestVhost } from '@q/test-services';
import { afterAll } from 'vitest';

/**
 * The file's own vhost `q-test-<name>` (dropped after the file), or `null` when RabbitMQ is missing (the file
 * skips locally, fails in CI).
 */
export async function fileVhost(name: string): Promise<TestVhost | null> {
  const vhost = await rabbitVhost('transport-amqp', name);
  if (vhost) afterAll(() => vhost.drop());
  return vhost;
}

/** Runs rabbitmqctl; throws on failure. */
export function rabbitmqctl(args: string[]): string {
  const run = spawnSync('rabbitmqctl', args, { encoding: 'utf8', timeout: 30_000 });
  if (run.status !== 0) throw new Error(`rabbitmqctl ${args.join(' ')} failed: ${run.stdout}${run.stderr}`);
  return run.stdout;
}

/** `rabbitmqctl list_<what> -p <vhost> <columns>` as rows of cells. */
export function list(what: 'queues' | 'exchanges' | 'bindings' | 'consumers', vhost: string, columns: string[]): string[][] {
  return rabbitmqctl(['-q', `list_${what}`, '-p', vhost, '--no-table-headers', ...columns])
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.split('\t'));
}

/** `rabbitmqctl list_channels` rows of `vhost` (columns after the vhost column). */
export function channels(vhost: string, columns: string[]): string[][] {
  return rabbitmqctl(['-q', 'list_channels', '--no-table-headers', 'vhost', ...columns])
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => l.split('\t'))
    .filter((row) => row[0] === vhost)
    .map((row) => row.slice(1));
}

/** Closes every client connection to `vhost` (as a broker restart or `close_all_connections` would). */
export function closeConnections(vhost: string): void {
  rabbitmqctl(['close_all_connections', '-p', vhost, 'q test: connection closed on purpose']);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Poll until `check` is true or fail after `timeoutMs`. */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** True when the `openssl` command runs. */
export function hasOpenssl(): boolean {
  return spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;
}

/** Throwaway certificates for a TLS test: PEM contents, and the files the broker's config names. */
export interface TestCertificates {
  /** The CA that signed the server and client certificates. */
  readonly ca: string;
  /** A second, unrelated CA (signed nothing here): trusting only it must fail verification. */
  readonly otherCa: string;
  /** Client certificate (CN = the name given) and its key, for SASL EXTERNAL. */
  readonly clientCert: string;
  readonly clientKey: string;
  /** Files in `dir`: the CA, and the server's certificate (SAN `localhost`, `127.0.0.1`) and key. */
  readonly files: { readonly ca: string; readonly serverCert: string; readonly serverKey: string };
}

/**
 * Makes a CA, a server certificate and a client certificate with CN `clientName` (P-256 keys, valid one day) in
 * `dir` with `openssl`; throws naming the failed command.
 */
export function makeCertificates(dir: string, clientName: string): TestCertificates {
  const path = (file: string): string => `${dir}/${file}`;
  const openssl = (args: string[]): void => {
    const run = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    if (run.status !== 0) throw new Error(`openssl ${args.join(' ')} failed: ${run.stdout}${run.stderr}${run.error?.message ?? ''}`);
  };
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  writeFileSync(path('ca.ext'), 'basicConstraints = critical, CA:TRUE\nkeyUsage = critical, keyCertSign, cRLSign\nsubjectKeyIdentifier = hash\n');
  writeFileSync(path('server.ext'), 'basicConstraints = CA:FALSE\nkeyUsage = critical, digitalSignature\nextendedKeyUsage = serverAuth\nsubjectAltName = DNS:localhost, IP:127.0.0.1\n');
  writeFileSync(path('client.ext'), 'basicConstraints = CA:FALSE\nkeyUsage = critical, digitalSignature\nextendedKeyUsage = clientAuth\n');
  const ca = (name: string, cn: string): void => {
    openssl(['req', '-new', ...key, '-keyout', path(`${name}.key`), '-out', path(`${name}.csr`), '-subj', `/CN=${cn}`]);
    openssl(['x509', '-req', '-in', path(`${name}.csr`), '-key', path(`${name}.key`), '-out', path(`${name}.pem`), '-days', '1', '-extfile', path('ca.ext')]);
  };
  const leaf = (name: string, cn: string): void => {
    openssl(['req', '-new', ...key, '-keyout', path(`${name}.key`), '-out', path(`${name}.csr`), '-subj', `/CN=${cn}`]);
    openssl(['x509', '-req', '-in', path(`${name}.csr`), '-CA', path('ca.pem'), '-CAkey', path('ca.key'), '-set_serial', `0x${randomBytes(8).toString('hex')}`, '-out', path(`${name}.pem`), '-days', '1', '-extfile', path(`${name}.ext`)]);
  };
  ca('ca', 'q test CA');
  ca('other-ca', 'q test CA');
  leaf('server', 'localhost');
  leaf('client', clientName);
  const read = (file: string): string => readFileSync(path(file), 'utf8');
  return {
    ca: read('ca.pem'),
    otherCa: read('other-ca.pem'),
    clientCert: read('client.pem'),
    clientKey: read('client.key'),
    files: { ca: path('ca.pem'), serverCert: path('server.pem'), serverKey: path('server.key') },
  };
}
