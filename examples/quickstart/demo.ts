/**
 * `pnpm demo`: the quickstart end to end, in about ten seconds and with nothing installed.
 *
 * Starts a real worker process (`q -A examples/quickstart/tasks.ts worker`) on the embedded broker in a fresh
 * temporary directory, sends a few hundred tasks by name, shows a retry, a countdown and a failure with its
 * remote traceback, then stops the worker with SIGTERM. Exits non-zero if anything went wrong.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, RemoteError } from '@q/core';
import type { AsyncResult } from '@q/core';

const TASKS = 300;
const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'q-demo-'));
const pidfile = path.join(dir, 'worker.pid');
const problems: string[] = [];
const out = (line = '') => process.stdout.write(`${line}\n`);

function check(ok: boolean, problem: string): void {
  if (!ok) problems.push(problem);
}

/** Starts `q worker` from source and resolves once it logged `ready`. */
function startWorker(): Promise<{ child: ChildProcess; logs: string[] }> {
  const args = ['--conditions=@q/source', '--import', 'tsx', 'packages/cli/src/bin.ts'];
  args.push('-A', 'examples/quickstart/tasks.ts', '--embedded-dir', dir, '-l', 'info');
  args.push('worker', '-c', '50', '-n', 'demo@%h', '--pidfile', pidfile);
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker not ready after 20 s:\n${logs.join('')}`)), 20_000);
    child.stdout?.on('data', (chunk: Buffer) => process.stdout.write(chunk.toString().replace(/^(?=.)/gm, '  worker | ')));
    child.stderr?.on('data', (chunk: Buffer) => {
      logs.push(chunk.toString());
      if (/\bready\b/.test(chunk.toString())) {
        clearTimeout(timer);
        resolve({ child, logs });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited early (code ${code}):\n${logs.join('')}`));
    });
  });
}

function progress(done: number, total: number): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stdout.write(`\r  [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`);
}

async function main(): Promise<void> {
  out(`q quickstart demo (embedded broker in ${dir})\n`);
  const { child, logs } = await startWorker();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const client = createApp({ name: 'quickstart-demo', embeddedDir: dir });
  try {
    // 1. A few hundred tasks, sent by name.
    out(`\n1. ${TASKS} tasks (tasks.add, tasks.mul, tasks.xsum)`);
    const started = performance.now();
    const sent: [AsyncResult, number][] = [];
    for (let i = 0; i < TASKS; i++) {
      if (i % 3 === 0) sent.push([await client.sendTask('tasks.add', [i, i]), 2 * i]);
      else if (i % 3 === 1) sent.push([await client.sendTask('tasks.mul', [i, 2]), 2 * i]);
      else sent.push([await client.sendTask('tasks.xsum', [[i, i, 1]]), 2 * i + 1]);
    }
    let correct = 0;
    for (const [index, [result, expected]] of sent.entries()) {
      if ((await result.get({ timeout: 30 })) === expected) correct++;
      if (index % 6 === 5 || index === TASKS - 1) progress(index + 1, TASKS);
    }
    const seconds = (performance.now() - started) / 1000;
    out(`\n  ${correct}/${TASKS} correct in ${seconds.toFixed(2)} s (${Math.round(TASKS / seconds)} tasks/s)`);
    check(correct === TASKS, `${TASKS - correct} results were wrong`);

    // 2. A retry: tasks.flaky fails its first attempt and retries itself.
    out('\n2. Retry: tasks.flaky');
    const retries = await (await client.sendTask('tasks.flaky')).get({ timeout: 10 });
    out(`  first attempt failed, retried after 0.2 s, succeeded after ${String(retries)} retry`);
    check(retries === 1, `tasks.flaky returned ${String(retries)}, expected 1 retry`);

    // 3. A countdown: the worker holds the task for one second.
    out('\n3. Countdown: tasks.add(20, 22) with countdown=1');
    const sentAt = performance.now();
    const sum = await (await client.sendTask('tasks.add', [20, 22], {}, { countdown: 1 })).get({ timeout: 10 });
    const delay = (performance.now() - sentAt) / 1000;
    out(`  result ${String(sum)} after ${delay.toFixed(2)} s`);
    check(sum === 42 && delay >= 0.95 && delay < 5, `countdown: got ${String(sum)} after ${delay.toFixed(2)} s`);

    // 4. A failure, with the remote traceback.
    out('\n4. Failure: tasks.fail("something went wrong")');
    try {
      await (await client.sendTask('tasks.fail', ['something went wrong'])).get({ timeout: 10 });
      check(false, 'tasks.fail did not fail');
    } catch (err) {
      if (!(err instanceof RemoteError)) throw err;
      out(`  raised ${err.excType}: ${String(err.excArgs[0])}`);
      // The header and the innermost frames (most recent call last, as Python prints it): where the task raised.
      const lines = (err.remoteTraceback ?? '(no traceback)').trimEnd().split('\n');
      const trace = lines.length > 4 ? [lines[0] ?? '', '  …', ...lines.slice(-3)] : lines;
      for (const line of trace) out(`    ${line}`);
      check(err.message.endsWith(': something went wrong'), `unexpected error ${err.message}`);
      check(trace.some((line) => line.includes('tasks.ts')), 'the traceback does not end in the task that raised (tasks.ts)');
    }

    // 5. Warm shutdown.
    out('\n5. SIGTERM: warm shutdown');
    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000))]);
    out(`  worker exited with code ${String(code)}, pidfile ${existsSync(pidfile) ? 'still there' : 'removed'}`);
    check(code === 0, `worker exit code ${String(code)}`);
    check(!existsSync(pidfile), 'pidfile left behind');

    out(`\nSummary: ${TASKS + 3} tasks, ${Math.round(TASKS / seconds)} tasks/s, ${problems.length === 0 ? 'all correct' : 'PROBLEMS'}`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await client.close();
    if (problems.length > 0) process.stderr.write(`\nworker log:\n${logs.join('')}`);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => {
    for (const problem of problems) process.stderr.write(`problem: ${problem}\n`);
    process.exit(problems.length === 0 ? 0 : 1);
  },
  (err: unknown) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
