/** Shared by the integration tests: a RabbitMQ vhost per file, rabbitmqctl, polling. */
import { spawnSync } from 'node:child_process';
import { rabbitVhost, type TestVhost } from '@q/test-services';
import { waitFor } from '@q/testing';
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

/** Poll until `check` is true or fail after `timeoutMs` (`@q/testing`'s `waitFor`). */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  await waitFor(check, (ok) => ok, { timeoutMs, what, intervalMs: 10 });
}
