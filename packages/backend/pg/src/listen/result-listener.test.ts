import { EventEmitter } from 'node:events';
import { encodeResultDocument } from '@q/core/adapter';
import { silentLogger, type TaskMeta } from '@q/core';
import { describe, expect, it, vi } from 'vitest';
import { taskChannel } from '../schema/table-refs.js';
import { ResultListener, type ListenClient, type ListenerHost } from './result-listener.js';

const meta = (taskId: string, status: string, result: unknown = null): TaskMeta => ({ taskId, status, result, traceback: null, children: [], dateDone: null });

/** A fake LISTEN connection: records statements, refuses LISTEN with `listenError` when set. */
class FakeClient extends EventEmitter {
  readonly statements: string[] = [];
  constructor(private readonly listenError: (Error & { code?: string }) | null) {
    super();
  }
  connect(): Promise<void> {
    return Promise.resolve();
  }
  query(text: string): Promise<unknown> {
    this.statements.push(text);
    if (this.listenError && text.startsWith('LISTEN')) return Promise.reject(this.listenError);
    return Promise.resolve({ rows: [] });
  }
  end(): Promise<void> {
    return Promise.resolve();
  }
  notify(channel: string, payload: string): void {
    this.emit('notification', { channel, payload, processId: 1 });
  }
}

function listener(client: FakeClient, read: ListenerHost['read'], mode: 'listen' | 'poll' = 'listen', recheckIntervalMs = 0): ResultListener {
  return new ResultListener({
    clientConfig: {},
    read,
    logger: silentLogger,
    mode,
    pollIntervalMs: 5,
    recheckIntervalMs,
    retryForMs: 1000,
    createClient: () => client as unknown as ListenClient,
  });
}

describe('ResultListener', () => {
  it("hands each notified state to the task's watchers in order, from the payload, without reading", async () => {
    const client = new FakeClient(null);
    const read = vi.fn(async () => [] as (TaskMeta | null)[]);
    const l = listener(client, read);
    const seen: string[] = [];
    const stop = await l.watch('t1', (m) => seen.push(m.status));
    expect(client.statements).toEqual([`LISTEN "${taskChannel('t1')}"`]);
    client.notify(taskChannel('t1'), encodeResultDocument(meta('t1', 'STARTED')));
    client.notify(taskChannel('t1'), encodeResultDocument(meta('t1', 'SUCCESS', 3)));
    client.notify(taskChannel('other'), encodeResultDocument(meta('other', 'SUCCESS')));
    expect(seen).toEqual(['STARTED', 'SUCCESS']);
    expect(read).not.toHaveBeenCalled();
    await stop();
    expect(client.statements.at(-1)).toBe(`UNLISTEN "${taskChannel('t1')}"`);
    await l.close();
  });

  it('reads the row for a notification without payload (a state too large to send)', async () => {
    const client = new FakeClient(null);
    const read = vi.fn(async (ids: readonly string[]) => ids.map((id) => meta(id, 'SUCCESS', 'big')));
    const l = listener(client, read);
    const got = new Promise<TaskMeta>((resolve) => void l.watch('t2', resolve));
    await vi.waitFor(() => expect(client.statements).toHaveLength(1));
    client.notify(taskChannel('t2'), '');
    expect((await got).result).toBe('big');
    expect(read).toHaveBeenCalledWith(['t2']);
    await l.close();
  });

  it('polls the watched tasks when the server refuses LISTEN (a pooler: 0A000)', async () => {
    const refused = Object.assign(new Error('LISTEN is not supported'), { code: '0A000' });
    const client = new FakeClient(refused);
    let stored: TaskMeta | null = null;
    const l = listener(client, async (ids) => ids.map(() => stored));
    const seen: string[] = [];
    await l.watch('t3', (m) => seen.push(m.status));
    expect(l.polling).toBe(true);
    stored = meta('t3', 'SUCCESS', 1);
    await vi.waitFor(() => expect(seen).toEqual(['SUCCESS']));
    await new Promise((r) => setTimeout(r, 30));
    expect(seen).toEqual(['SUCCESS']); // the same state is handed over once
    await l.close();
  });

  it('while listening, re-reads watched tasks now and then: a row written without a notification (Python) is found', async () => {
    const client = new FakeClient(null);
    let stored: TaskMeta | null = null;
    const l = listener(client, async (ids) => ids.map(() => stored), 'listen', 10);
    const seen: string[] = [];
    await l.watch('t5', (m) => seen.push(m.status));
    expect(l.polling).toBe(false);
    stored = meta('t5', 'SUCCESS', 1);
    await vi.waitFor(() => expect(seen).toEqual(['SUCCESS']));
    client.notify(taskChannel('t5'), encodeResultDocument(meta('t5', 'SUCCESS', 1)));
    await new Promise((r) => setTimeout(r, 30));
    expect(seen).toEqual(['SUCCESS', 'SUCCESS']); // a notification is always handed over; the re-read only hands over changes
    await l.close();
  });

  it('ends every watch with Q_ERR_CONNECTION_LOST when closed', async () => {
    const client = new FakeClient(null);
    const l = listener(client, async () => []);
    const ended: unknown[] = [];
    await l.watch('t4', () => undefined, (err) => ended.push(err));
    await l.close();
    expect(ended).toHaveLength(1);
    expect((ended[0] as { code?: string }).code).toBe('Q_ERR_CONNECTION_LOST');
  });
});
