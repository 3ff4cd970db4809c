/**
 * The q client of `e2e/apps/q-client.ts`, run in a child process (from source, by tsx) and driven with JSON lines:
 * for backends whose driver cannot load inside vitest (`pg`, see the brief's vitest note).
 */
import { startProcess } from './managed-process.js';
import { JsonLinesClient } from './json-lines-client.js';
import { envOf } from './python-celery.js';
import type { InteropEnv } from './python-celery.js';
import { ROOT, TSX_ARGS } from './q-process.js';

/** A reply of `q-client.ts`: `ok` with the op's fields, or the error (a `RemoteError`'s fields). */
export type QClientReply =
  | ({ ok: true; task_id: string } & Record<string, unknown>)
  | { ok: false; exc_type: string; exc_module: string | null; exc_args: unknown[]; message: string; traceback: string | null };

/** A signature of the `chord` op. */
export interface QSignatureSpec {
  task: string;
  args?: unknown[];
  queue?: string;
}

/** The q client process. */
export class QClient extends JsonLinesClient<QClientReply> {
  constructor(urls: InteropEnv) {
    super('q client', startProcess(process.execPath, [...TSX_ARGS, 'e2e/apps/q-client.ts'], { cwd: ROOT, env: envOf(urls) }));
  }

  /** `app.sendTask`; resolves with the task id. */
  async send(task: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}, queue?: string): Promise<string> {
    return expectQOk(await this.request('send', { task, args, kwargs, queue })).task_id;
  }

  /** `asyncResult(id).get({ timeout })`: `value` and `state`, or the error. */
  get(taskId: string, timeout = 15): Promise<QClientReply> {
    return this.request('get', { task_id: taskId, timeout }, (timeout + 10) * 1000);
  }

  /** `send` then `get`. */
  async call(task: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}, queue?: string): Promise<QClientReply> {
    return this.get(await this.send(task, args, kwargs, queue));
  }

  /** `asyncResult(id).state()`. */
  async state(taskId: string): Promise<string> {
    return String(expectQOk(await this.request('state', { task_id: taskId }))['state']);
  }

  /** `chord(header, body).applyAsync()` of `@q/core`: the body's id and the header's. */
  async chord(header: QSignatureSpec[], body: QSignatureSpec): Promise<{ taskId: string; headerIds: string[] }> {
    const reply = expectQOk(await this.request('chord', { header, body }));
    return { taskId: reply.task_id, headerIds: reply['header_ids'] as string[] };
  }
}

/** Narrows a reply to success, failing with the q error otherwise. */
export function expectQOk(reply: QClientReply): { ok: true; task_id: string } & Record<string, unknown> {
  if (!reply.ok) throw new Error(`q raised ${reply.exc_type}: ${reply.message}`);
  return reply;
}
