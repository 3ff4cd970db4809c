/** Shared by the integration tests: db 1 of the local Redis only, flushed before and after each file. */
import type { Message } from '@q/core/adapter';
import { waitFor } from '@q/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';

export const URL1 = 'redis://127.0.0.1:6379/1';

/** A raw client on db 1 (closed after the file). */
export function rawClient(): Redis {
  const client = new Redis({ host: '127.0.0.1', port: 6379, db: 1, lazyConnect: true, maxRetriesPerRequest: 3 });
  afterAll(() => client.quit().then(() => undefined, () => client.disconnect()));
  return client;
}

/** FLUSHDB db 1 before and after the file (never touches other databases). */
export function flushDb1(client: Redis): void {
  beforeAll(async () => {
    await client.connect().catch(() => undefined);
    await client.select(1);
    await client.flushdb();
  });
  afterAll(async () => {
    await client.select(1);
    await client.flushdb();
  });
}

/** A client name unique to this run, so a test kills only its own connections. */
export function uniqueClientName(label: string): string {
  return `qtest-${label}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
}

/** Kill every connection whose name starts with `prefix` (CLIENT LIST → CLIENT KILL ID). Returns how many. */
export async function killClients(admin: Redis, prefix: string): Promise<number> {
  const list = (await admin.call('CLIENT', 'LIST')) as string;
  const ids = list
    .split('\n')
    .map((line) => ({ id: /(?:^| )id=(\d+)/.exec(line)?.[1], name: /(?:^| )name=(\S*)/.exec(line)?.[1] ?? '' }))
    .filter((c) => c.id !== undefined && c.name.startsWith(prefix))
    .map((c) => c.id as string);
  for (const id of ids) await admin.call('CLIENT', 'KILL', 'ID', id);
  return ids.length;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Poll until `check` is true or fail after `timeoutMs` (`@q/testing`'s `waitFor`). */
export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  await waitFor(check, (ok) => ok, { timeoutMs, what, intervalMs: 5 });
}

/** A text message (no task protocol): what the transport tests publish. */
export const message = (body: string): Message => ({
  body: new TextEncoder().encode(body),
  contentType: 'text/plain',
  contentEncoding: 'utf-8',
  headers: {},
  properties: {},
});

/** The text of a {@link message}. */
export const text = (m: Message): string => new TextDecoder().decode(m.body);
