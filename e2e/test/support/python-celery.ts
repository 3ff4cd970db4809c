/**
 * Python Celery 5.2.6 (Debian's `python3-celery`) for the interop tests: a worker of `e2e/python/capapp.py`,
 * and a client (`e2e/python/client.py`) driven over stdin/stdout with JSON lines.
 */
import { fileURLToPath } from 'node:url';
import { startProcess } from './managed-process.js';
import type { ManagedProcess } from './managed-process.js';
import { JsonLinesClient } from './json-lines-client.js';

/** The folder of `capapp.py` and `client.py`. */
export const PYTHON_DIR = fileURLToPath(new URL('../../python', import.meta.url));

/** Where the Python side connects: broker, result backend, ledger. */
export interface InteropEnv {
  broker: string;
  backend: string;
  ledger: string;
  /** `x-max-priority` of the queues both sides declare (AMQP priorities); unset = none. */
  maxPriority?: number;
  /** Extra Celery settings of the Python side (`app.conf.update`, e.g. `database_table_schemas`). */
  celeryConf?: Record<string, unknown>;
  /** kombu `Broadcast` queues the Python side declares as `task_queues` (`INTEROP_BROADCAST_QUEUES`). */
  broadcastQueues?: readonly string[];
  /** Extra `createApp` options of the q side (`result`, `task`, `resolveFrom`; see `e2e/apps/interop-config.ts`). */
  qConfig?: Record<string, unknown>;
}

/** The environment both the Python and the q side read their settings from. */
export function envOf(urls: InteropEnv): Record<string, string> {
  const env: Record<string, string> = { INTEROP_BROKER: urls.broker, INTEROP_BACKEND: urls.backend, INTEROP_LEDGER: urls.ledger, PYTHONUNBUFFERED: '1' };
  if (urls.maxPriority !== undefined) env['INTEROP_QUEUE_MAX_PRIORITY'] = String(urls.maxPriority);
  if (urls.broadcastQueues) env['INTEROP_BROADCAST_QUEUES'] = urls.broadcastQueues.join(',');
  if (urls.celeryConf) env['INTEROP_CELERY_CONF'] = JSON.stringify(urls.celeryConf);
  if (urls.qConfig) env['INTEROP_Q_CONFIG'] = JSON.stringify(urls.qConfig);
  return env;
}

/** Starts `celery -A capapp worker` (solo pool, no gossip/mingle/heartbeat) and waits until it is ready. */
export async function startPythonWorker(
  python: string,
  urls: InteropEnv,
  options: { hostname: string; queues?: readonly string[]; extraArgs?: readonly string[] },
): Promise<ManagedProcess> {
  const args = ['-m', 'celery', '-A', 'capapp', 'worker', '-l', 'info', '-n', options.hostname, '-P', 'solo',
    '--without-gossip', '--without-mingle', '--without-heartbeat', ...(options.extraArgs ?? [])];
  if (options.queues) args.push('-Q', options.queues.join(','));
  const worker = startProcess(python, args, { cwd: PYTHON_DIR, env: envOf(urls) });
  await worker.waitFor(/ ready\./, 20_000);
  return worker;
}

/** A reply of `client.py`: `ok` with the op's fields, or the exception the op raised. */
export type ClientReply =
  | ({ ok: true; task_id: string } & Record<string, unknown>)
  | { ok: false; exc_type: string; exc_module: string; message: string; args: unknown[] };

/** What `get`/`call` return on success. */
export interface GetReply {
  ok: true;
  task_id: string;
  value: unknown;
  state: string;
  elapsed: number;
  children: string[];
}

/** A signature for `link` / `link_error`. */
export interface SignatureSpec {
  task: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  options?: Record<string, unknown>;
  immutable?: boolean;
}

/** Links of a canvas spec: callbacks and errbacks, themselves canvas specs. */
interface CanvasLinks {
  link?: CanvasSpec[];
  link_error?: CanvasSpec[];
}

/** A canvas `client.py` builds with Celery's own `chain`, `group` and `chord` (see its `canvas` op). */
export type CanvasSpec =
  | (SignatureSpec & CanvasLinks)
  | ({ chain: CanvasSpec[] } & CanvasLinks)
  | ({ group: CanvasSpec[] } & CanvasLinks)
  | ({ chord: { header: CanvasSpec[]; body: CanvasSpec } } & CanvasLinks);

/** What `canvas` returns: the result's id (a chain's last step, a chord's body, a group), its parents' ids. */
export interface CanvasReply {
  task_id: string;
  kind: 'AsyncResult' | 'GroupResult';
  /** Ids of the result's parents, nearest first. */
  parents: string[];
  /** A group's child ids, in order. */
  results?: string[];
}

/** The options `client.py` passes to `send_task`. */
export interface SendOptions {
  countdown?: number;
  eta?: string;
  expires?: number | string;
  priority?: number;
  queue?: string;
  task_id?: string;
  link?: SignatureSpec[];
  link_error?: SignatureSpec[];
  time_limit?: number;
  soft_time_limit?: number;
  /** Extra message headers (`send_task(headers=…)`). */
  headers?: Record<string, unknown>;
  /** A node name: send to that worker's direct queue (Celery's `worker_direct(nodename)` as `queue`). */
  worker_direct?: string;
  /**
   * Declare `queue`'s exchange on the publishing connection first: kombu's Redis transport takes an undeclared
   * exchange for a direct one, and Celery declares no `Broadcast` queue before publishing.
   */
  declare_exchange?: boolean;
}

/** The long-running Python client. */
export class PythonClient extends JsonLinesClient<ClientReply> {
  constructor(python: string, urls: InteropEnv) {
    super('python client', startProcess(python, ['client.py'], { cwd: PYTHON_DIR, env: envOf(urls) }));
  }

  /** `send_task`; resolves with the task id. */
  async send(task: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}, options: SendOptions = {}): Promise<string> {
    const reply = await this.request('send', { task, args, kwargs, options });
    if (!reply.ok) throw new Error(`python send_task failed: ${reply.exc_type}: ${reply.message}`);
    return reply.task_id;
  }

  /** `AsyncResult(id).get(timeout)`: the value, or the exception Python raised. */
  get(taskId: string, timeout = 10): Promise<ClientReply> {
    return this.request('get', { task_id: taskId, timeout }, (timeout + 10) * 1000);
  }

  /** `send_task` then `get`. */
  call(task: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}, options: SendOptions = {}, timeout = 10): Promise<ClientReply> {
    return this.request('call', { task, args, kwargs, options, timeout }, (timeout + 10) * 1000);
  }

  /**
   * Builds `spec` with Celery's canvas and applies it (`queue` is set on every signature naming none). A group's
   * result is kept by the client: {@link get} of its id waits for the whole group.
   */
  async canvas(spec: CanvasSpec, queue?: string, options: SendOptions = {}): Promise<CanvasReply> {
    const reply = await this.request('canvas', { canvas: spec, queue, options });
    if (!reply.ok) throw new Error(`python canvas apply_async failed: ${reply.exc_type}: ${reply.message}`);
    return reply as unknown as CanvasReply;
  }

  /** The stored meta as Python's backend reads it (no waiting). */
  meta(taskId: string): Promise<ClientReply> {
    return this.request('meta', { task_id: taskId });
  }
}

/** Narrows a reply to success, failing with the Python exception otherwise. */
export function expectOk(reply: ClientReply): GetReply {
  if (!reply.ok) throw new Error(`python raised ${reply.exc_type}: ${reply.message}`);
  return reply as unknown as GetReply;
}
