/**
 * The built-in inspect commands (Celery's `@inspect_command`s in `celery/worker/control.py`): questions answered
 * with the value itself, in Celery's shapes (`vectors/control-*-reply.json`).
 */
import { writeHeapSnapshot } from 'node:v8';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ControlCommand, HelloReply, QueryTaskReply } from '@q/core';
import { CORE_VERSION } from '@q/core';
import { confReply } from './conf-reply.js';
import type { ControlledWorker } from './controlled-worker.js';
import { MAX_MEM_SAMPLES, nodeRecords } from './node-records.js';
import { queueInfo } from './queue-info.js';
import { requestInfo, scheduledInfo } from './request-info.js';
import { mergeRevoked, revokedEntries } from './revoked-entries.js';
import { statsReply } from './stats-reply.js';

type InspectCommand = ControlCommand<ControlledWorker>;

/** Celery's `DEFAULT_TASK_INFO_ITEMS`: the task attributes `registered` shows when set. */
export const DEFAULT_TASK_INFO_ITEMS = ['exchange', 'routing_key', 'rate_limit'] as const;

const list = (value: unknown): unknown[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]);

/** Python's `str()` of a task attribute. */
function pyStr(value: unknown): string {
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null) return 'None';
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** `routing_key` → `routingKey` (the task option holding Celery's attribute). */
const camel = (name: string): string => name.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

/** `"name"` or `"name [attr=value …]"`, as Celery's `registered` writes a task. */
function taskEntry(name: string, options: Readonly<Record<string, unknown>>, items: readonly string[]): string {
  const fields = items.flatMap((item) => {
    const value = options[camel(item)];
    return value === undefined || value === null ? [] : [`${item}=${pyStr(value)}`];
  });
  return fields.length === 0 ? name : `${name} [${fields.join(' ')}]`;
}

/** Bytes as Celery's `humanbytes` writes them: five significant digits, `46.797MB`. */
function humanBytes(n: number): string {
  const units: [number, string][] = [
    [2 ** 40, 'TB'],
    [2 ** 30, 'GB'],
    [2 ** 20, 'MB'],
    [2 ** 10, 'KB'],
    [1, 'b'],
  ];
  for (const [div, unit] of units) if (n >= div) return `${Number((n / div).toPrecision(5))}${unit}`;
  return `${n}b`;
}

/** The lines of `report` (Celery's `bugreport`). */
function reportText(worker: ControlledWorker): string {
  const conf = confReply(worker.app.conf, { broker: worker.parts.transport?.describe() ?? null, backend: worker.parts.backend?.describe() ?? null }, false);
  const settings = Object.entries(conf).map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
  return [
    '',
    `software -> q:${CORE_VERSION} node:${process.versions.node}`,
    `platform -> system:${process.platform} arch:${process.arch} pid:${process.pid}`,
    `settings -> transport:${worker.parts.transport?.describe() ?? 'none'} results:${worker.parts.backend?.describe() ?? 'disabled'}`,
    '',
    ...settings,
    '',
  ].join('\n');
}

/** The built-in inspect commands, in Celery's order. */
export const INSPECT_COMMANDS: readonly InspectCommand[] = [
  {
    name: 'report',
    type: 'inspect',
    help: 'information about the installation, for bug reports',
    handler: ({ worker }) => ({ ok: reportText(worker) }),
  },
  {
    name: 'conf',
    type: 'inspect',
    args: [{ name: 'with_defaults', type: 'boolean' }],
    signature: '[include_defaults=False]',
    help: 'list configuration',
    handler: ({ worker }, args) =>
      confReply(worker.app.conf, { broker: worker.parts.transport?.describe() ?? null, backend: worker.parts.backend?.describe() ?? null }, args['with_defaults'] === true),
  },
  {
    name: 'query_task',
    type: 'inspect',
    variadic: 'ids',
    signature: '[id1 [id2 [... [idN]]]]',
    help: 'query for task information by id',
    handler: ({ worker }, args) => {
      // As Celery 5.2.6: tasks held for their ETA are not reserved yet, so not listed.
      const out: QueryTaskReply = {};
      for (const [id, [state, info]] of Object.entries(worker.queryTask(list(args['ids']).map(String)))) out[id] = [state, requestInfo(info)];
      return out;
    },
  },
  {
    name: 'clock',
    type: 'inspect',
    help: 'get the current logical clock value',
    handler: ({ worker }) => ({ clock: worker.clock.value }),
  },
  {
    name: 'ping',
    type: 'inspect',
    help: 'ping worker(s)',
    handler: () => ({ ok: 'pong' }),
  },
  {
    name: 'stats',
    type: 'inspect',
    help: 'request worker statistics/information',
    handler: ({ worker }) => statsReply(worker, nodeRecords(worker).startedAt),
  },
  {
    name: 'scheduled',
    type: 'inspect',
    help: 'list of currently scheduled ETA/countdown tasks',
    handler: ({ worker }) => worker.requests().scheduled.map(scheduledInfo),
  },
  {
    name: 'reserved',
    type: 'inspect',
    help: 'list of currently reserved tasks, not including scheduled/active',
    handler: ({ worker }) => worker.requests().reserved.map(requestInfo),
  },
  {
    name: 'active',
    type: 'inspect',
    help: 'list of tasks currently being executed',
    handler: ({ worker }) => worker.requests().active.map(requestInfo),
  },
  {
    name: 'revoked',
    type: 'inspect',
    help: 'list of revoked task ids',
    handler: ({ worker }) => [...worker.nodeState.revoked],
  },
  {
    name: 'registered',
    type: 'inspect',
    variadic: 'taskinfoitems',
    signature: '[attr1 [attr2 [... [attrN]]]]',
    help: 'list of registered tasks',
    handler: ({ worker }, args) => {
      const asked = list(args['taskinfoitems']).map(String);
      const items = asked.length > 0 ? asked : DEFAULT_TASK_INFO_ITEMS;
      const builtins = args['builtins'] === true;
      const tasks = worker.app.tasks;
      return tasks
        .names()
        .filter((name) => builtins || !name.startsWith('celery.'))
        .sort()
        .map((name) => taskEntry(name, { ...(tasks.get(name)?.options ?? {}), rateLimit: worker.rateLimitOf(name) }, items));
    },
  },
  {
    name: 'objgraph',
    type: 'inspect',
    args: [
      { name: 'type', type: 'string' },
      { name: 'num', type: 'number' },
      { name: 'max_depth', type: 'number' },
    ],
    signature: '[object_type=Request] [num=200 [max_depth=10]]',
    help: 'write a V8 heap snapshot of the worker (Celery: an objgraph PNG); replies its file name',
    handler: ({ worker }) => ({ filename: writeHeapSnapshot(join(tmpdir(), `q-${worker.hostname.replace(/[^\w.@-]/g, '_')}-${process.pid}-${Date.now()}.heapsnapshot`)) }),
  },
  {
    name: 'memsample',
    type: 'inspect',
    help: 'sample current RSS memory usage',
    handler: ({ worker }) => {
      const sample = humanBytes(process.memoryUsage.rss());
      const samples = nodeRecords(worker).memSamples;
      samples.push(sample);
      if (samples.length > MAX_MEM_SAMPLES) samples.shift();
      return sample;
    },
  },
  {
    name: 'memdump',
    type: 'inspect',
    args: [{ name: 'samples', type: 'number' }],
    signature: '[n_samples=10]',
    help: 'dump statistics of previous memsample requests',
    handler: ({ worker }, args) => {
      const n = typeof args['samples'] === 'number' && args['samples'] > 0 ? args['samples'] : 10;
      const samples = nodeRecords(worker).memSamples.slice(-n);
      const lines = samples.length === 0 ? ['- rss (sample): none (memsample first)'] : ['- rss (sample):', ...samples.map((s) => `-    > ${s},`)];
      return [...lines, `- rss (end): ${humanBytes(process.memoryUsage.rss())}.`, ''].join('\n');
    },
  },
  {
    name: 'active_queues',
    type: 'inspect',
    help: 'list the task queues a worker is consuming from',
    handler: ({ worker }) => worker.activeQueues().map(queueInfo),
  },
  {
    name: 'hello',
    type: 'inspect',
    help: 'request mingle sync-data (revoked ids and the clock)',
    handler: ({ worker, hostname, logger }, args): HelloReply | null => {
      const from = args['from_node'];
      if (from === hostname) {
        nodeRecords(worker).ownHellos += 1;
        return null;
      }
      logger.info(`sync with ${String(from)}`);
      const revoked = worker.nodeState.revoked;
      if (mergeRevoked(revoked, args['revoked']) > 0) worker.nodeState.revision += 1;
      revoked.purge();
      return { revoked: revokedEntries(revoked), clock: worker.clock.forward() };
    },
  },
];

/** Celery's other names of inspect commands (`dump_tasks` is `registered`, …). */
export const INSPECT_ALIASES: Readonly<Record<string, string>> = {
  dump_tasks: 'registered',
  dump_active: 'active',
  dump_reserved: 'reserved',
  dump_schedule: 'scheduled',
  dump_revoked: 'revoked',
  dump_conf: 'conf',
};
