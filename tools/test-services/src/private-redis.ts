/**
 * A plain (non-TLS) redis-server of a test's own, on a port and in a directory the test gives, for tests that stop
 * and start the server (restart, start-up with Redis down). Never the shared Redis.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';

/** A private redis-server the test starts and stops itself. */
export interface PrivateRedis {
  readonly port: number;
  /** Starts the server (AOF on, files in the directory) and waits until it answers PING (10 s at most). */
  start(): Promise<void>;
  /** Stops the server (SIGTERM, SIGKILL after 3 s) and waits for its exit; nothing when it is not running. */
  stop(): Promise<void>;
}

/** True when `port` answers `PING` with `+PONG` (not `-LOADING`) within 500 ms. */
function pong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.once('error', () => done(false));
  });
}

/** A {@link PrivateRedis} on `port` (take one from {@link freePort}) keeping its files in `dir`. */
export function privateRedis(port: number, dir: string): PrivateRedis {
  let server: ChildProcess | null = null;
  return {
    port,
    async start() {
      const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''], {
        stdio: 'ignore',
      });
      server = proc;
      const deadline = Date.now() + 10_000;
      while (!(await pong(port))) {
        if (proc.exitCode !== null || Date.now() > deadline) {
          proc.kill('SIGKILL');
          throw new Error(`private redis-server on port ${port} did not start (exit code ${String(proc.exitCode)})`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      const s = server;
      server = null;
      if (!s || s.exitCode !== null || s.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => s.kill('SIGKILL'), 3000);
        s.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        s.kill('SIGTERM');
      });
    },
  };
}
