/**
 * A q client for the interop tests, driven over stdin/stdout with JSON lines like `e2e/python/client.py`, so a
 * backend whose driver cannot load inside vitest (`pg`) runs in this child process:
 *
 *   node --conditions=@q/source --import tsx e2e/apps/q-client.ts
 *
 * Broker and backend are `INTEROP_BROKER` / `INTEROP_BACKEND` (resolved by scheme), extra options
 * `INTEROP_Q_CONFIG` (see interop-config.ts). Each input line is `{"id", "op", …}`, each output line
 * `{"id", "ok": true, …}` or `{"id", "ok": false, "exc_type", "exc_module", "exc_args", "message", "traceback"}`
 * (a `RemoteError`'s fields, or the local error's name and message). Integers beyond 2**53 (bigints) are written
 * as `{"$bigint": "<decimal>"}`. Ops:
 *
 * - `send`: `task`, `args`, `kwargs`, `queue` → `task_id`.
 * - `get`: `task_id`, `timeout` (seconds) → `value`, `state`.
 * - `state`: `task_id` → `state`.
 * - `chord`: `header` and `body`, signature specs `{task, args, queue}` (the chord of `@q/core`, its backend's
 *   default mode) → `task_id` (the body's), `header_ids`.
 */
import { createInterface } from 'node:readline';
import { RemoteError, chord, createApp } from '@q/core';
import { interopConfig } from './interop-config.js';

/** A signature of the `chord` op. */
interface SpecJson {
  task: string;
  args?: unknown[];
  queue?: string;
}

const app = createApp({
  name: 'interop-client',
  broker: process.env['INTEROP_BROKER'] ?? 'redis://127.0.0.1:6379/3',
  backend: process.env['INTEROP_BACKEND'] ?? 'redis://127.0.0.1:6379/3',
  ...interopConfig(),
});

const signature = (spec: SpecJson) => app.signature(spec.task, spec.args ?? [], {}, spec.queue ? { queue: spec.queue } : {});

const ops: Record<string, (req: Record<string, unknown>) => Promise<Record<string, unknown>>> = {
  async send(req) {
    const options = typeof req['queue'] === 'string' ? { queue: req['queue'] } : {};
    const sent = await app.sendTask(String(req['task']), (req['args'] ?? []) as unknown[], (req['kwargs'] ?? {}) as Record<string, unknown>, options);
    return { task_id: sent.id };
  },
  async get(req) {
    const result = app.asyncResult(String(req['task_id']));
    const value = await result.get({ timeout: Number(req['timeout'] ?? 10) });
    return { task_id: result.id, value, state: await result.state() };
  },
  async state(req) {
    return { task_id: String(req['task_id']), state: await app.asyncResult(String(req['task_id'])).state() };
  },
  async chord(req) {
    const header = (req['header'] as SpecJson[]).map(signature);
    const headerIds = header.map((s) => s.freeze().id);
    const body = await chord(header, signature(req['body'] as SpecJson)).applyAsync();
    return { task_id: body.id, header_ids: headerIds };
  },
};

function failure(error: unknown): Record<string, unknown> {
  if (error instanceof RemoteError) {
    return { exc_type: error.excType, exc_module: error.excModule, exc_args: error.excArgs, message: error.message, traceback: error.remoteTraceback };
  }
  const e = error instanceof Error ? error : new Error(String(error));
  return { exc_type: e.name, exc_module: null, exc_args: [], message: e.message, traceback: e.stack ?? null };
}

const json = (doc: unknown) => JSON.stringify(doc, (_key, v: unknown) => (typeof v === 'bigint' ? { $bigint: v.toString() } : v));

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (!line.trim()) continue;
  const req = JSON.parse(line) as Record<string, unknown>;
  const op = ops[String(req['op'])];
  let reply: Record<string, unknown>;
  try {
    if (!op) throw new Error(`unknown op ${String(req['op'])}`);
    reply = { id: req['id'], ok: true, ...(await op(req)) };
  } catch (error) {
    reply = { id: req['id'], ok: false, ...failure(error) };
  }
  process.stdout.write(`${json(reply)}\n`);
}
await app.close();
