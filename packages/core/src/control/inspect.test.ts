/** `app.control.inspect()` on the memory broker against stand-in workers: merged replies, `null`, arguments, patterns. */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startResponder, type Answer, type Responder } from '../../test/pidbox-responder.js';
import { createApp, type App } from '../app/app.js';
import { memoryQueueDriver } from '../transport/memory-queue-driver.js';
import { virtualTransport } from '../transport/virtual-transport.js';
import { flattenReplies } from './flatten-replies.js';

const apps: App[] = [];
const responders: Responder[] = [];
afterEach(async () => {
  await Promise.all(responders.splice(0).map((r) => r.stop()));
  await Promise.all(apps.splice(0).map((a) => a.close()));
});

const echo: Answer = (method, args) => ({ method, args });

async function setup(nodes: string[], answer: Answer = echo) {
  const ns = `inspect-${randomUUID()}`;
  const app = createApp({ broker: `memory://${ns}`, backend: null });
  apps.push(app);
  const started: Responder[] = [];
  for (const node of nodes) {
    const responder = await startResponder(virtualTransport(memoryQueueDriver({ namespace: ns })), node, (m, a) => (m === 'ping' ? { ok: 'pong' } : answer(m, a)));
    responders.push(responder);
    started.push(responder);
  }
  return { app, responders: started };
}

describe('Inspect', () => {
  it('merges the replies by node name', async () => {
    const { app } = await setup(['w1@test', 'w2@test']);
    expect(await app.control.inspect({ timeout: 0.3 }).ping()).toEqual({ 'w1@test': { ok: 'pong' }, 'w2@test': { ok: 'pong' } });
  });

  it('resolves null when no node replied', async () => {
    const { app } = await setup([]);
    expect(await app.control.inspect({ timeout: 0.2 }).stats()).toBeNull();
  });

  it('sends each question with the arguments Python sends', async () => {
    const { app } = await setup(['w1@test']);
    const inspect = app.control.inspect({ destination: ['w1@test'], timeout: 2 });
    const asked = async (reply: Promise<Record<string, unknown> | null>) => (await reply)?.['w1@test'];
    expect(await asked(inspect.stats())).toEqual({ method: 'stats', args: {} });
    expect(await asked(inspect.active())).toEqual({ method: 'active', args: { safe: null } });
    expect(await asked(inspect.reserved())).toEqual({ method: 'reserved', args: {} });
    expect(await asked(inspect.scheduled())).toEqual({ method: 'scheduled', args: {} });
    expect(await asked(inspect.revoked())).toEqual({ method: 'revoked', args: {} });
    expect(await asked(inspect.registered())).toEqual({ method: 'registered', args: { taskinfoitems: [] } });
    expect(await asked(inspect.registeredTasks('rate_limit', 'time_limit'))).toEqual({ method: 'registered', args: { taskinfoitems: ['rate_limit', 'time_limit'] } });
    expect(await asked(inspect.activeQueues())).toEqual({ method: 'active_queues', args: {} });
    expect(await asked(inspect.queryTask('a', 'b'))).toEqual({ method: 'query_task', args: { ids: ['a', 'b'] } });
    expect(await asked(inspect.queryTask(['c', 'd']))).toEqual({ method: 'query_task', args: { ids: ['c', 'd'] } });
    expect(await asked(inspect.conf())).toEqual({ method: 'conf', args: { with_defaults: false } });
    expect(await asked(inspect.conf({ withDefaults: true }))).toEqual({ method: 'conf', args: { with_defaults: true } });
    expect(await asked(inspect.clock())).toEqual({ method: 'clock', args: {} });
    expect(await asked(inspect.report())).toEqual({ method: 'report', args: {} });
    expect(await asked(inspect.hello('me@host'))).toEqual({ method: 'hello', args: { from_node: 'me@host', revoked: null } });
    expect(await asked(inspect.memsample())).toEqual({ method: 'memsample', args: {} });
    expect(await asked(inspect.memdump())).toEqual({ method: 'memdump', args: { samples: 10 } });
    expect(await asked(inspect.objgraph())).toEqual({ method: 'objgraph', args: { num: 200, max_depth: 10, type: 'Request' } });
    expect(await asked(inspect.call('cache_size', { region: 'eu' }))).toEqual({ method: 'cache_size', args: { region: 'eu' } });
  });

  it('asks only the nodes a pattern matches, and keeps only their replies', async () => {
    const { app, responders } = await setup(['alpha@test', 'beta@test']);
    expect(await app.control.inspect({ pattern: 'a*', timeout: 0.3 }).ping()).toEqual({ 'alpha@test': { ok: 'pong' } });
    expect(responders.map((r) => r.seen[0]?.forMe)).toEqual([true, false]);
  });

  it('passes each reply to the callback', async () => {
    const { app } = await setup(['w1@test']);
    const seen: unknown[] = [];
    await app.control.inspect({ timeout: 0.2, callback: (r) => seen.push(r) }).ping();
    expect(seen).toEqual([{ 'w1@test': { ok: 'pong' } }]);
  });
});

describe('flattenReplies', () => {
  it('merges one-key replies and names the nodes that replied twice (the later reply wins)', () => {
    expect(flattenReplies([{ a: 1 }, { b: 2 }, { a: 3 }])).toEqual({ byNode: { a: 3, b: 2 }, duplicates: ['a'] });
  });
});
