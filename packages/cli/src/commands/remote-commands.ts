/**
 * The remote-control commands `q inspect` and `q control` know, and how their positional arguments are read:
 * Celery 5.2.6's visible commands with its argument metadata (`celery/worker/control.py`: `args`, `variadic`,
 * `signature`), plus those the app's plugins register (`api.controlCommand` / `api.inspectCommand`), read
 * through their `ControlCommand.args`. `q control rate_limit tasks.add 10/m` sends
 * `{task_name: "tasks.add", rate_limit: "10/m"}`, as `celery control rate_limit tasks.add 10/m` does.
 */
import type { ControlArgType, ControlCommand, ControlCommandType } from '@q/core';
import { BOOLEAN_WORDS_HINT, parseBooleanWord } from '@q/core/adapter';
import { UsageError } from '../usage-error.js';

/** What the CLI knows of a command. */
export type RemoteCommandInfo = Pick<ControlCommand, 'name' | 'type' | 'args' | 'variadic' | 'signature' | 'help'>;

const str = (name: string) => ({ name, type: 'string' as const });
const num = (name: string) => ({ name, type: 'number' as const });

/** Celery's visible commands (`Panel.meta`), in its order within each type. */
export const BUILTIN_COMMANDS: readonly RemoteCommandInfo[] = [
  { name: 'report', type: 'inspect', help: 'information about the installation, for bug reports' },
  { name: 'conf', type: 'inspect', args: [{ name: 'with_defaults', type: 'boolean' }], signature: '[include_defaults=False]', help: 'list configuration' },
  { name: 'query_task', type: 'inspect', variadic: 'ids', signature: '[id1 [id2 [... [idN]]]]', help: 'query for task information by id' },
  { name: 'clock', type: 'inspect', help: 'get the current logical clock value' },
  { name: 'ping', type: 'inspect', help: 'ping worker(s)' },
  { name: 'stats', type: 'inspect', help: 'request worker statistics/information' },
  { name: 'scheduled', type: 'inspect', help: 'list of currently scheduled ETA/countdown tasks' },
  { name: 'reserved', type: 'inspect', help: 'list of currently reserved tasks, not including scheduled/active' },
  { name: 'active', type: 'inspect', help: 'list of tasks currently being executed' },
  { name: 'revoked', type: 'inspect', help: 'list of revoked task ids' },
  { name: 'registered', type: 'inspect', variadic: 'taskinfoitems', signature: '[attr1 [attr2 [... [attrN]]]]', help: 'list of registered tasks' },
  { name: 'objgraph', type: 'inspect', args: [str('type'), num('num'), num('max_depth')], signature: '[object_type=Request] [num=200 [max_depth=10]]', help: 'create a graph of uncollected objects (memory-leak debugging)' },
  { name: 'memsample', type: 'inspect', help: 'sample current RSS memory usage' },
  { name: 'memdump', type: 'inspect', args: [num('samples')], signature: '[n_samples=10]', help: 'dump statistics of previous memsample requests' },
  { name: 'active_queues', type: 'inspect', help: 'list the task queues a worker is consuming from' },
  { name: 'revoke', type: 'control', variadic: 'task_id', signature: '[id1 [id2 [... [idN]]]]', help: 'revoke task by id (or list of ids)' },
  { name: 'terminate', type: 'control', args: [str('signal')], variadic: 'task_id', signature: '<signal> [id1 [id2 [... [idN]]]]', help: 'terminate task by id (or list of ids)' },
  { name: 'rate_limit', type: 'control', args: [str('task_name'), str('rate_limit')], signature: '<task_name> <rate_limit (e.g., 5/s | 5/m | 5/h)>', help: 'set a new rate limit for a task type' },
  { name: 'time_limit', type: 'control', args: [str('task_name'), num('soft'), num('hard')], signature: '<task_name> <soft_secs> [hard_secs]', help: 'set new time limits for a task type' },
  { name: 'election', type: 'control', help: 'hold an election' },
  { name: 'enable_events', type: 'control', help: 'tell worker(s) to send task-related events' },
  { name: 'disable_events', type: 'control', help: 'tell worker(s) to stop sending task-related events' },
  { name: 'heartbeat', type: 'control', help: 'tell worker(s) to send an event heartbeat immediately' },
  { name: 'pool_grow', type: 'control', args: [num('n')], signature: '[N=1]', help: 'grow the pool by n processes/threads' },
  { name: 'pool_shrink', type: 'control', args: [num('n')], signature: '[N=1]', help: 'shrink the pool by n processes/threads' },
  { name: 'pool_restart', type: 'control', help: 'restart the execution pool' },
  { name: 'autoscale', type: 'control', args: [num('max'), num('min')], signature: '[max [min]]', help: 'modify autoscale settings' },
  { name: 'shutdown', type: 'control', help: 'shut down worker(s)' },
  { name: 'add_consumer', type: 'control', args: [str('queue'), str('exchange'), str('exchange_type'), str('routing_key')], signature: '<queue> [exchange [type [routing_key]]]', help: 'tell worker(s) to consume from a task queue by name' },
  { name: 'cancel_consumer', type: 'control', args: [str('queue')], signature: '<queue>', help: 'tell worker(s) to stop consuming from a task queue by name' },
];

/** The commands of `type`: the built-in ones, then the plugins' (a plugin command named as a built-in one is not listed twice). */
export function knownCommands(type: ControlCommandType, pluginCommands: readonly RemoteCommandInfo[]): RemoteCommandInfo[] {
  const builtin = BUILTIN_COMMANDS.filter((c) => c.type === type);
  const names = new Set(builtin.map((c) => c.name));
  return [...builtin, ...pluginCommands.filter((c) => c.type === type && !names.has(c.name))];
}

/**
 * The command `name` among `known`.
 * @throws UsageError naming the known commands.
 */
export function findCommand(verb: 'inspect' | 'control', name: string, known: readonly RemoteCommandInfo[]): RemoteCommandInfo {
  const command = known.find((c) => c.name === name);
  if (command) return command;
  throw new UsageError(`${verb}: unknown command ${JSON.stringify(name)}; known commands: ${known.map((c) => c.name).join(', ')}`);
}

/**
 * The request's `arguments` from the positional ones: in order, each converted by its declared type; what is left
 * goes to the variadic name as a list (Celery's `_compile_arguments`). Missing trailing arguments are left out (the
 * worker's defaults apply).
 * @throws UsageError for more arguments than the command takes, or one that does not convert.
 */
export function commandArguments(command: RemoteCommandInfo, positional: readonly string[]): Record<string, unknown> {
  const declared = command.args ?? [];
  const out: Record<string, unknown> = {};
  positional.slice(0, declared.length).forEach((value, i) => {
    const arg = declared[i]!;
    out[arg.name] = convert(command.name, arg.name, arg.type, value);
  });
  const rest = positional.slice(declared.length);
  if (command.variadic !== undefined) out[command.variadic] = rest;
  else if (rest.length > 0) {
    const signature = command.signature ?? (declared.length === 0 ? 'no arguments' : declared.map((a) => `<${a.name}>`).join(' '));
    throw new UsageError(`command ${JSON.stringify(command.name)} takes arguments: ${signature}`);
  }
  return out;
}

function convert(command: string, name: string, type: ControlArgType, value: string): unknown {
  const bad = (expected: string) => new UsageError(`${command}: argument ${name} must be ${expected}, got ${JSON.stringify(value)}`);
  switch (type) {
    case 'string':
      return value;
    case 'number': {
      const n = Number(value);
      if (value.trim() === '' || !Number.isFinite(n)) throw bad('a number');
      return n;
    }
    case 'boolean': {
      const b = parseBooleanWord(value);
      if (b === undefined) throw bad(`one of ${BOOLEAN_WORDS_HINT}`);
      return b;
    }
    case 'json':
      try {
        return JSON.parse(value) as unknown;
      } catch {
        throw bad('JSON');
      }
  }
}

/** `  name <signature>  help` lines for `--help`. */
export function commandsHelp(commands: readonly RemoteCommandInfo[]): string {
  const heads = commands.map((c) => (c.signature ? `${c.name} ${c.signature}` : c.name));
  const width = Math.max(...heads.map((h) => h.length));
  return commands.map((c, i) => `  ${heads[i]!.padEnd(width)}  ${c.help ?? ''}`.trimEnd()).join('\n');
}
