import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { consoleLogger } from './console-logger.js';
import { FLUSH_INTERVAL_MS } from './log-buffer.js';

/** Collects what a logger writes, one entry per line (a write carries every line of one event-loop turn). */
function capture() {
  const lines: string[] = [];
  const writes: string[] = [];
  const write = (chunk: string): void => {
    writes.push(chunk);
    for (const line of chunk.split(/(?<=\n)(?=\[)/)) lines.push(line);
  };
  return { lines, writes, stream: { write } };
}

describe('consoleLogger', () => {
  it("writes Celery's text line: time, level label and name, message, then the fields", () => {
    const { lines, stream } = capture();
    const log = consoleLogger({ stream });
    log.info({ pool: 'async', concurrency: 100, queues: ['celery'] }, 'celery@box ready.');
    log.warn('careful');
    log.flush();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}: INFO\/worker\] celery@box ready\. pool=async concurrency=100 queues=\["celery"\]\n$/);
    expect(lines[1]).toMatch(/: WARNING\/worker\] careful\n$/);
  });

  it('drops lines below its level (info by default) and says which levels are on', () => {
    const { lines, stream } = capture();
    const log = consoleLogger({ stream });
    log.debug('hidden');
    log.trace({ a: 1 }, 'hidden');
    log.error('shown');
    log.fatal('shown');
    log.flush();
    expect(lines.map((l) => l.split('] ')[0]?.split(': ')[1])).toEqual(['ERROR/worker', 'CRITICAL/worker']);
    expect(log.isLevelEnabled('debug')).toBe(false);
    expect(log.isLevelEnabled('info')).toBe(true);
    const quiet = consoleLogger({ stream, level: 'silent' });
    quiet.fatal('nothing');
    quiet.flush();
    expect(lines).toHaveLength(2);
    const verbose = consoleLogger({ stream, level: 'debug', name: 'MainProcess' });
    verbose.debug('now shown');
    verbose.flush();
    expect(lines[2]).toMatch(/: DEBUG\/MainProcess\] now shown\n$/);
  });

  it("children carry their bindings; the worker's node name is not repeated on every line", () => {
    const { lines, stream } = capture();
    const task = consoleLogger({ stream }).child({ node: 'celery@box' }).child({ taskId: 't1', task: 'tasks.add' });
    task.info('Task tasks.add[t1] succeeded');
    task.flush();
    expect(lines[0]).toMatch(/\] Task tasks\.add\[t1\] succeeded taskId=t1 task=tasks\.add\n$/);
    expect(lines[0]).not.toContain('celery@box');
  });

  it('shows an error field as its type and message, followed by its stack', () => {
    const { lines, stream } = capture();
    const log = consoleLogger({ stream });
    log.error({ err: new TypeError('bad') }, 'failed');
    log.flush();
    expect(lines[0]).toMatch(/\] failed err="TypeError: bad"\nTypeError: bad\n {4}at /);
  });

  it('writes values JSON cannot show as text instead of throwing', () => {
    const { lines, stream } = capture();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const log = consoleLogger({ stream });
    log.info({ big: 10n, cyclic }, 'odd values');
    log.flush();
    expect(lines[0]).toMatch(/\] odd values big=10 cyclic=\[object Object\]\n$/);
  });
});

describe('consoleLogger off the hot path', () => {
  it('formats and writes nothing in the log call: the lines of a few milliseconds go out together', async () => {
    const { lines, writes, stream } = capture();
    const log = consoleLogger({ stream }).child({ node: 'celery@box' });
    let formatted = 0;
    const field = { toJSON: () => ((formatted += 1), 'v') };
    for (let i = 0; i < 2; i += 1) log.info({ field }, `line ${i}`);
    expect(writes).toEqual([]);
    expect(formatted).toBe(0);
    await new Promise((resolve) => setImmediate(resolve));
    log.info({ field }, 'line 2');
    expect(writes).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, FLUSH_INTERVAL_MS * 3));
    expect(writes).toHaveLength(1);
    expect(formatted).toBe(3);
    expect(lines.map((l) => l.replace(/^\[[^\]]*\] /, ''))).toEqual(['line 0 field="v"\n', 'line 1 field="v"\n', 'line 2 field="v"\n']);
  });

  it('shows a key bound again by a child, or given with the call, once with the latest value', () => {
    const { lines, stream } = capture();
    const log = consoleLogger({ stream }).child({ a: 1, b: 1 }).child({ b: 2, c: 2 });
    log.info({ c: 3 }, 'x');
    log.flush();
    expect(lines[0]).toMatch(/\] x a=1 b=2 c=3\n$/);
  });

  it('says which levels are on and what its level is', () => {
    const log = consoleLogger({ level: 'warn', stream: capture().stream });
    expect(log.level).toBe('warn');
    expect(log.isLevelEnabled('info')).toBe(false);
    expect(log.child({ a: 1 }).isLevelEnabled('error')).toBe(true);
  });

  it('writes pino JSON lines with format json, through the same buffer', async () => {
    const { writes, stream } = capture();
    const log = consoleLogger({ stream, format: 'json', level: 'info', name: 'worker' }).child({ node: 'celery@box' });
    log.info({ taskId: 't1' }, 'Task x[t1] received');
    log.debug('hidden');
    expect(writes).toEqual([]);
    log.flush();
    const record = JSON.parse(writes.join('')) as Record<string, unknown>;
    expect(record).toMatchObject({ level: 30, name: 'worker', node: 'celery@box', taskId: 't1', msg: 'Task x[t1] received' });
    expect(log.isLevelEnabled('debug')).toBe(false);
  });

  it('loses no line when the process exits right after logging (file destination, process.exit)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'q-log-'));
    try {
      const file = join(dir, 'sub', 'worker.log');
      const script = [
        `import { consoleLogger } from ${JSON.stringify(new URL('./console-logger.ts', import.meta.url).href)};`,
        `const log = consoleLogger({ destination: ${JSON.stringify(file)} });`,
        `for (let i = 0; i < 5000; i += 1) log.info({ i }, 'Task x[' + i + '] received');`,
        `process.exit(0);`,
      ].join('\n');
      const run = spawnSync(process.execPath, ['--conditions=@q/source', '--import', 'tsx', '--input-type=module', '-e', script], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(run.status, run.stderr).toBe(0);
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
      expect(lines).toHaveLength(5000);
      expect(lines[4999]).toMatch(/: INFO\/worker\] Task x\[4999\] received i=4999$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
