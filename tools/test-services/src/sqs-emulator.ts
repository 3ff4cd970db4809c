/**
 * A private SQS endpoint for tests: a child process running fauxqs plus a Query-protocol gateway
 * (`sqs/emulator-main.mjs`), so that `@aws-sdk/client-sqs` (JSON protocol), boto3 and kombu (Query protocol, XML)
 * all talk to the same queues. Queue URLs are `http://127.0.0.1:<port>/000000000000/<name>`.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Path of emulator-main.mjs, for processes that spawn it themselves (the bench). */
export const SQS_EMULATOR_SCRIPT: string = fileURLToPath(new URL('./sqs/emulator-main.mjs', import.meta.url));

/** A running SQS emulator process. */
export interface SqsEmulator {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  /** A kombu broker URL for it: `sqs://test:test@127.0.0.1:<port>` (is_secure false → http). */
  readonly brokerUrl: string;
  /** Stop the child process (SIGTERM, SIGKILL after 3 s) and wait for its exit. Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startSqsEmulator}. */
export interface SqsEmulatorOptions {
  /** Port to listen on (127.0.0.1); 0 (the default) takes a free one. */
  port?: number;
  /** Environment of the child process (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

const READY = /^SQS_EMULATOR_LISTENING (\d+)$/m;
const START_TIMEOUT_MS = 10_000;

/** Start a private SQS emulator process (fauxqs + the Query gateway) and wait until it listens (10 s max). */
export function startSqsEmulator(options: SqsEmulatorOptions = {}): Promise<SqsEmulator> {
  const child = spawn(process.execPath, [SQS_EMULATOR_SCRIPT, '--port', String(options.port ?? 0)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: options.env ?? process.env,
  });
  let stderr = '';
  let stdout = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8192);
  });
  child.stdout.setEncoding('utf8');
  // stdin stays open: the child exits when it closes, i.e. when this process dies without stopping it.
  child.stdin.on('error', () => undefined);

  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        child.kill('SIGTERM');
        await exited;
        clearTimeout(timer);
      }
      child.stdin.destroy();
    })();
    return stopping;
  };

  return new Promise<SqsEmulator>((resolve, reject) => {
    const fail = (why: string): void => {
      cleanup();
      void stop().then(() => reject(new Error(`SQS emulator did not start: ${why}${stderr ? `\n${stderr.trim()}` : ''}`)));
    };
    const onData = (chunk: string): void => {
      stdout += chunk;
      const match = READY.exec(stdout);
      if (!match) return;
      cleanup();
      child.stdout.resume();
      const port = Number(match[1]);
      resolve({
        endpoint: `http://127.0.0.1:${port}`,
        port,
        brokerUrl: `sqs://test:test@127.0.0.1:${port}`,
        stop,
      });
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      fail(`it exited (code ${String(code)}, signal ${String(signal)})`);
    };
    const onError = (err: Error): void => fail(err.message);
    const timer = setTimeout(() => fail(`no SQS_EMULATOR_LISTENING line within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
    function cleanup(): void {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
    }
    child.stdout.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}
