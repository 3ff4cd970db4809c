/** Integration-test helpers: everything runs in Redis database 2, and only database 2 is ever flushed. */
import { connect } from 'node:net';
import { Redis } from 'ioredis';

export const DB = 2;
export const URL_DB2 = `redis://127.0.0.1:6379/${DB}`;
export { VECTORS_DIR as VECTORS, readVector as vector } from '@q/test-services';

/** A raw ioredis client on database 2, closed by `quitAll()`. */
const opened: Redis[] = [];
export function rawClient(): Redis {
  const client = new Redis({ host: '127.0.0.1', port: 6379, db: DB, lazyConnect: false, maxRetriesPerRequest: 1 });
  opened.push(client);
  return client;
}

export async function quitAll(): Promise<void> {
  await Promise.all(opened.splice(0).map((c) => c.quit().catch(() => c.disconnect())));
}

/** FLUSHDB on database 2 only (refuses any other database). */
export async function flushDb2(): Promise<void> {
  const client = new Redis({ host: '127.0.0.1', port: 6379, db: DB, maxRetriesPerRequest: 1 });
  try {
    if (client.options.db !== DB) throw new Error('refusing to flush a database other than 2');
    await client.select(DB);
    await client.flushdb();
  } finally {
    await client.quit();
  }
}

/** Wait until `check` holds, polling every 5 ms, up to `timeoutMs`. */
export async function until(check: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** One command seen by MONITOR. */
export interface MonitoredCommand {
  db: number;
  /** `lua` for commands run by a script, else the client address. */
  source: string;
  args: string[];
}

/**
 * MONITOR over a plain socket (ioredis' `monitor()` trips over busy servers: "Command queue state error").
 * Resolves once Redis acknowledged MONITOR; `stop()` closes the socket.
 */
export function monitorRedis(onCommand: (command: MonitoredCommand) => void): Promise<{ stop(): void }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: 6379 });
    let buffer = '';
    let started = false;
    socket.setEncoding('utf8');
    socket.once('error', reject);
    socket.on('connect', () => socket.write('MONITOR\r\n'));
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let end: number;
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (!started) {
          started = line === '+OK';
          if (started) resolve({ stop: () => socket.destroy() });
          continue;
        }
        const head = /^\+\S+ \[(\d+) ([^\]]+)\] (.*)$/.exec(line);
        if (!head) continue;
        const args = [...(head[3] as string).matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => (m[1] as string).replace(/\\(.)/g, '$1'));
        onCommand({ db: Number(head[1]), source: head[2] as string, args });
      }
    });
  });
}
