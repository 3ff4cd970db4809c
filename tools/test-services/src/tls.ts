/**
 * Throwaway TLS material for tests that run a broker with a TLS listener of their own: a CA, a second unrelated CA,
 * a server certificate for `localhost`/`127.0.0.1` and a client certificate, made with `openssl` at test time
 * (P-256 keys, valid one day). Nothing is committed; the caller owns (and removes) the directory.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** True when the `openssl` command runs. */
export function hasOpenssl(): boolean {
  return spawnSync('openssl', ['version'], { encoding: 'utf8' }).status === 0;
}

/** What {@link makeTestCertificates} made: PEM contents, and the files (for a server's config or a URL). */
export interface TestCertificates {
  /** The CA that signed the server and client certificates (PEM). */
  readonly ca: string;
  /** A second, unrelated CA that signed nothing: trusting only it must fail verification (PEM). */
  readonly otherCa: string;
  /** The client certificate (CN = the name given, `clientAuth`) and its key (PEM). */
  readonly clientCert: string;
  readonly clientKey: string;
  /** The same as files, plus the server's certificate (SAN `localhost`, `127.0.0.1`) and key. */
  readonly files: {
    readonly ca: string;
    readonly otherCa: string;
    readonly serverCert: string;
    readonly serverKey: string;
    readonly clientCert: string;
    readonly clientKey: string;
  };
}

/** Makes the certificates in `dir`, the client's with CN `clientName`; throws naming the failed `openssl` command. */
export function makeTestCertificates(dir: string, clientName: string): TestCertificates {
  const path = (file: string): string => join(dir, file);
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
  const files = {
    ca: path('ca.pem'),
    otherCa: path('other-ca.pem'),
    serverCert: path('server.pem'),
    serverKey: path('server.key'),
    clientCert: path('client.pem'),
    clientKey: path('client.key'),
  };
  const read = (file: string): string => readFileSync(file, 'utf8');
  return { ca: read(files.ca), otherCa: read(files.otherCa), clientCert: read(files.clientCert), clientKey: read(files.clientKey), files };
}
