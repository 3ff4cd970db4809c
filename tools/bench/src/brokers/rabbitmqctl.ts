/**
 * The bench's RabbitMQ vhost through `rabbitmqctl` (as tools/test-services does for test suites): created at
 * start (a leftover of a crashed run is dropped first), its queues listed between scenarios, deleted at the end.
 * Synchronous, so the exit handler can delete the vhost too.
 */
import { spawnSync } from 'node:child_process';

function rabbitmqctl(args: readonly string[]): string {
  const run = spawnSync('rabbitmqctl', args, { encoding: 'utf8', timeout: 30_000 });
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}${run.error ? String(run.error) : ''}`;
  if (run.status !== 0) throw new Error(`rabbitmqctl ${args.join(' ')} failed: ${output.trim().split('\n').slice(0, 3).join(' ')}`);
  return run.stdout ?? '';
}

/** Creates `vhost` afresh with full permissions for `guest`. */
export function createVhost(vhost: string): void {
  deleteVhost(vhost);
  rabbitmqctl(['add_vhost', vhost]);
  rabbitmqctl(['set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*']);
}

/** Deletes `vhost` and everything in it; false when it could not (absent, or rabbitmqctl failed). */
export function deleteVhost(vhost: string): boolean {
  try {
    rabbitmqctl(['delete_vhost', vhost]);
    return true;
  } catch {
    return false;
  }
}

/** Names of every queue in `vhost`. */
export function queueNames(vhost: string): string[] {
  return rabbitmqctl(['-q', 'list_queues', '-p', vhost, '--no-table-headers', 'name'])
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}
