/**
 * A long-running helper process driven over stdin/stdout with JSON lines: each request `{"id", "op", …}` gets one
 * reply line with the same `id` (the Python client `client.py`, the q client `e2e/apps/q-client.ts`).
 */
import type { ManagedProcess } from './managed-process.js';
import { onJsonLines } from './json-lines.js';

/** Sends requests to a JSON-lines helper and matches its replies by id. */
export class JsonLinesClient<Reply> {
  readonly process: ManagedProcess;
  readonly #name: string;
  #nextId = 1;
  readonly #pending = new Map<number, (reply: Reply) => void>();

  constructor(name: string, process: ManagedProcess) {
    this.#name = name;
    this.process = process;
    onJsonLines(process.child.stdout, (doc) => {
      const reply = doc as Reply & { id: number };
      this.#pending.get(reply.id)?.(reply);
      this.#pending.delete(reply.id);
    });
  }

  /** Sends one request; resolves with its reply (rejects when the helper dies or after `timeoutMs`). */
  request(op: string, body: Record<string, unknown>, timeoutMs = 20_000): Promise<Reply> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`${this.#name}: no reply to ${op} #${id} in ${timeoutMs} ms\n${this.process.output()}`));
      }, timeoutMs);
      this.#pending.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      void this.process.exited().then(() => reject(new Error(`${this.#name} exited\n${this.process.output()}`)));
      this.process.child.stdin?.write(`${JSON.stringify({ id, op, ...body })}\n`);
    });
  }
}
