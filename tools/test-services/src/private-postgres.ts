/**
 * A throwaway PostgreSQL server of a test's own, on a port and in a directory the test gives, for tests that stop,
 * crash and restart the server (a restart mid-drain, start-up with PostgreSQL down). Never the shared server on 5432.
 * Debian's binaries (`/usr/lib/postgresql/<version>/bin`); PostgreSQL refuses to run as root, so when the tests run
 * as root the cluster is made and run as the `postgres` OS user (which then owns the directory).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** How a private server is stopped: `fast` (SIGINT: sessions ended, clean shutdown) or `immediate` (SIGQUIT: a crash, recovery on the next start). */
export type PostgresStopMode = 'fast' | 'immediate';

/** A private PostgreSQL server the test starts and stops itself. */
export interface PrivatePostgres {
  readonly port: number;
  /** `postgresql://postgres@127.0.0.1:<port>/postgres` (trust authentication). */
  readonly url: string;
  /** Makes the cluster on first use (`initdb`), starts the server and waits until it accepts connections (20 s at most). */
  start(): Promise<void>;
  /** Stops the server (default `fast`; SIGKILL after 10 s) and waits for its exit; nothing when it is not running. */
  stop(options?: { mode?: PostgresStopMode }): Promise<void>;
  /** `stop({ mode: 'fast' })`, then `start()`. */
  restart(): Promise<void>;
}

const PG_LIB = '/usr/lib/postgresql';

/** The `bin` directory of the newest PostgreSQL installed under `/usr/lib/postgresql` with `initdb`, or null. */
export function postgresBinDir(): string | null {
  if (!existsSync(PG_LIB)) return null;
  const versions = readdirSync(PG_LIB)
    .filter((v) => /^\d+(\.\d+)?$/.test(v) && existsSync(join(PG_LIB, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? null : join(PG_LIB, versions[0], 'bin');
}

/** The uid and gid of the `postgres` OS user, or null when there is none. */
function postgresUser(): { uid: number; gid: number } | null {
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return null;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

const runningAsRoot = (): boolean => process.getuid?.() === 0;

/** Why a private PostgreSQL server cannot be started here, or null. */
export function missingPostgresServer(): string | null {
  if (postgresBinDir() === null) return `PostgreSQL's initdb is not installed under ${PG_LIB}/<version>/bin (apt-get install -y postgresql)`;
  if (runningAsRoot() && postgresUser() === null) return 'running as root and there is no postgres OS user to run PostgreSQL as (apt-get install -y postgresql)';
  return null;
}

/** A {@link PrivatePostgres} on `port` (take one from `freePort`) keeping its cluster and socket in `dir`. */
export function privatePostgres(port: number, dir: string): PrivatePostgres {
  const dataDir = join(dir, 'data');
  let server: ChildProcess | null = null;
  let log = '';
  // When the test process dies without stopping it, the server must not outlive it.
  const killOnExit = (): void => {
    server?.kill('SIGQUIT');
  };

  const bin = (): string => {
    const found = postgresBinDir();
    if (found === null) throw new Error(missingPostgresServer() ?? 'PostgreSQL is not installed');
    return found;
  };
  /** Spawn options running as `postgres` when root. */
  const asOwner = (): { uid?: number; gid?: number } => {
    if (!runningAsRoot()) return {};
    const user = postgresUser();
    if (user === null) throw new Error('running as root and there is no postgres OS user');
    return user;
  };

  const initdb = (): void => {
    if (existsSync(join(dataDir, 'PG_VERSION'))) return;
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const owner = asOwner();
    if (owner.uid !== undefined && owner.gid !== undefined) {
      chownSync(dir, owner.uid, owner.gid);
      chownSync(dataDir, owner.uid, owner.gid);
    }
    const made = spawnSync(join(bin(), 'initdb'), ['-D', dataDir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale', 'C'], {
      ...owner,
      cwd: dir,
      encoding: 'utf8',
    });
    if (made.status !== 0) throw new Error(`initdb of the private PostgreSQL in ${dataDir} failed (exit ${String(made.status)}): ${made.stderr || made.stdout}`);
  };

  const ready = (): Promise<boolean> =>
    new Promise((resolve) => {
      const probe = spawn(join(bin(), 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-t', '1'], { stdio: 'ignore' });
      probe.once('exit', (code) => resolve(code === 0));
      probe.once('error', () => resolve(false));
    });

  const stop = async (options: { mode?: PostgresStopMode } = {}): Promise<void> => {
    const s = server;
    server = null;
    process.off('exit', killOnExit);
    if (!s || s.exitCode !== null || s.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => s.kill('SIGKILL'), 10_000);
      s.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      s.kill(options.mode === 'immediate' ? 'SIGQUIT' : 'SIGINT');
    });
  };

  const start = async (): Promise<void> => {
    if (server !== null) return;
    initdb();
    log = '';
    // fsync off: only the process crashes in these tests, never the machine. Commits stay synchronous, so a crash
    // (`immediate`) loses nothing the server acknowledged.
    const args = ['-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-c', 'fsync=off', '-c', 'logging_collector=off'];
    const proc = spawn(join(bin(), 'postgres'), args, { ...asOwner(), cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    server = proc;
    process.once('exit', killOnExit);
    proc.stderr?.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString('utf8')).slice(-4000);
    });
    const deadline = Date.now() + 20_000;
    while (!(await ready())) {
      if (proc.exitCode !== null || proc.signalCode !== null || Date.now() > deadline) {
        await stop({ mode: 'immediate' });
        throw new Error(`private PostgreSQL on port ${port} did not start (exit code ${String(proc.exitCode)}):\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  return {
    port,
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    async restart() {
      await stop({ mode: 'fast' });
      await start();
    },
  };
}
