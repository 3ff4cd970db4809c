/**
 * A RabbitMQ vhost of a suite's own: created before the suite (any leftover of a crashed run is dropped
 * first) and deleted after it, so suites sharing the machine's broker never see each other's queues.
 */
import { spawnSync } from 'node:child_process';
import { runsHere } from './gate.js';
import { RABBITMQ, servicesAvailable } from './index.js';

/** A vhost made for one suite. */
export interface TestVhost {
  /** The vhost's name, e.g. `q-test-transport-amqp`. */
  readonly name: string;
  /** `amqp://guest:guest@127.0.0.1:5672/<vhost>` (the vhost URL-encoded). */
  readonly url: string;
  /** Deletes the vhost and everything in it. */
  drop(): Promise<void>;
}

function rabbitmqctl(args: string[]): { ok: boolean; output: string } {
  const run = spawnSync('rabbitmqctl', args, { encoding: 'utf8', timeout: 30_000 });
  return { ok: run.status === 0, output: `${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? String(run.error) : ''}` };
}

/**
 * Creates the vhost `q-test-<name>` with full permissions for `guest`, or returns `null` (after one line on
 * stderr) when RabbitMQ or `rabbitmqctl` is missing on a developer machine. In CI a missing piece throws.
 */
export async function rabbitVhost(suite: string, name: string): Promise<TestVhost | null> {
  if (!(await servicesAvailable(suite, RABBITMQ))) return null;
  const vhost = `q-test-${name}`;
  rabbitmqctl(['delete_vhost', vhost]);
  const added = rabbitmqctl(['add_vhost', vhost]);
  if (!added.ok) {
    runsHere(suite, [`cannot create RabbitMQ vhost ${vhost} with rabbitmqctl (run as a user that may: ${added.output.trim().split('\n')[0] ?? ''})`]);
    return null;
  }
  const perms = rabbitmqctl(['set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*']);
  if (!perms.ok) throw new Error(`rabbitmqctl set_permissions on ${vhost} failed: ${perms.output}`);
  return {
    name: vhost,
    url: `amqp://guest:guest@${RABBITMQ.host}:${RABBITMQ.port}/${encodeURIComponent(vhost)}`,
    async drop() {
      rabbitmqctl(['delete_vhost', vhost]);
    },
  };
}

/** `rabbitmqctl list_queues -p <vhost> <columns…>` as rows of tab-separated cells (header dropped). */
export function listQueues(vhost: string, columns: string[]): string[][] {
  const run = rabbitmqctl(['-q', 'list_queues', '-p', vhost, '--no-table-headers', ...columns]);
  if (!run.ok) throw new Error(`rabbitmqctl list_queues failed: ${run.output}`);
  return run.output.split('\n').filter((l) => l.trim() !== '').map((l) => l.split('\t'));
}
