/**
 * Where a worker logs: the `logger` option, else the app's logger, else (neither given) the console, as a Celery
 * worker does. The node name is bound as `node`, so a pino logger's lines carry `hostname` once.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '@q/core';
import type { Logger } from '@q/core';
import { createWorker } from '../src/index.js';
import { makeApp, namespace, recordingLogger } from './helpers.js';

afterEach(() => {
  vi.restoreAllMocks();
});

/** Captures what is written to stderr while `run` runs. */
async function stderrDuring(run: () => Promise<void>): Promise<string> {
  let text = '';
  const write = process.stderr.write.bind(process.stderr);
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return typeof rest[0] === 'function' ? write('', rest[0] as () => void) : true;
  });
  try {
    await run();
  } finally {
    vi.restoreAllMocks();
  }
  return text;
}

/**
 * A logger that renders lines the way pino does: its `base` fields (pino's default has the machine's `hostname`)
 * then each child's bindings, appended as they are (pino does not merge a binding with a base field of the same name).
 */
function pinoShaped(out: string[], chindings = ',"pid":1,"hostname":"machine"'): Logger {
  const at =
    (level: number) =>
    (obj: object | string, msg?: string): void => {
      const fields = typeof obj === 'string' ? '' : Object.entries(obj).map(([k, v]) => `,${JSON.stringify(k)}:${JSON.stringify(v)}`).join('');
      out.push(`{"level":${level}${chindings}${fields},"msg":${JSON.stringify(typeof obj === 'string' ? obj : (msg ?? ''))}}`);
    };
  return {
    trace: at(10),
    debug: at(20),
    info: at(30),
    warn: at(40),
    error: at(50),
    fatal: at(60),
    child: (bindings) =>
      pinoShaped(out, chindings + Object.entries(bindings).map(([k, v]) => `,${JSON.stringify(k)}:${JSON.stringify(v)}`).join('')),
  };
}

describe('the logger of a worker', () => {
  it('logs "<node> ready." and the shutdown to stderr when neither the worker nor the app was given a logger', () => {
    // The default logger writes to file descriptor 2 asynchronously (not through process.stderr): a real process.
    const script = [
      `import { createApp, memoryQueueDriver } from '@q/core';`,
      `import { createWorker } from ${JSON.stringify(new URL('../src/index.ts', import.meta.url).href)};`,
      `const app = createApp({ name: 'test', broker: memoryQueueDriver({ namespace: 'console-${process.pid}' }), backend: null });`,
      `const worker = createWorker(app, { hostname: 'console@test', pool: 'solo' });`,
      `await worker.start();`,
      `await worker.stop();`,
    ].join('\n');
    const run = spawnSync(process.execPath, ['--conditions=@q/source', '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^\[[\d-]+ [\d:.]+: INFO\/worker\] console@test ready\. pool=solo concurrency=1 queues=\["celery"\]$/m);
    expect(run.stderr).toMatch(/: INFO\/worker\] console@test: warm shutdown$/m);
  });

  it("uses the app's logger when the app has one, and the worker's own over both; silentLogger logs nothing", async () => {
    const appLogger = recordingLogger();
    const app = makeApp(namespace(), { logger: appLogger });
    const text = await stderrDuring(async () => {
      const worker = createWorker(app, { hostname: 'app@test', closeApp: false });
      await worker.start();
      await worker.stop();
      const own = recordingLogger();
      const second = createWorker(app, { hostname: 'own@test', logger: own, closeApp: false });
      await second.start();
      await second.stop();
      expect(own.lines.map((l) => l.msg)).toContain('own@test ready.');
      const quiet = createWorker(makeApp(namespace()), { hostname: 'quiet@test', logger: silentLogger });
      await quiet.start();
      await quiet.stop();
    });
    expect(appLogger.lines.map((l) => l.msg)).toContain('app@test ready.');
    expect(appLogger.lines.map((l) => l.msg)).not.toContain('own@test ready.');
    expect(text).toBe('');
  });

  it('binds the node name as `node`, so the lines of a pino logger (whose base has `hostname`) carry `hostname` once', async () => {
    const lines: string[] = [];
    const app = makeApp(namespace(), { logger: pinoShaped(lines) });
    app.task('tasks.add', (x: number, y: number) => x + y);
    const worker = createWorker(app, { hostname: 'json@test', pool: 'solo' });
    await worker.start();
    await (await app.sendTask('tasks.add', [1, 2])).get({ timeout: 3 });
    await worker.stop();
    const workerLines = lines.filter((l) => l.includes('"node"'));
    expect(workerLines.some((l) => l.includes('"msg":"json@test ready."'))).toBe(true);
    expect(workerLines.some((l) => /"msg":"Task tasks\.add\[[^\]]+\] succeeded/.test(l))).toBe(true);
    for (const line of lines) {
      expect(line.match(/"hostname":/g)).toHaveLength(1);
      expect(() => JSON.parse(line) as unknown).not.toThrow();
    }
    expect(JSON.parse(workerLines[0] ?? '{}')).toMatchObject({ hostname: 'machine', node: 'json@test' });
  });
});
