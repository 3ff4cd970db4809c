/**
 * The pidbox node on its own and against a real worker: expired, malformed and foreign requests are dropped
 * without stopping anything; request infos, broker info and conf masking keep Celery's wire shapes.
 */
import { controlExchange, encodeControlRequest } from '@q/core/adapter';
import type { Message, PublishTarget } from '@q/core/adapter';
import { silentLogger } from '@q/core';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '@q/core/internal';
import { brokerInfo } from '../src/control/broker-info.js';
import { builtinCommands } from '../src/control/command-registry.js';
import { confReply, maskUrlPassword } from '../src/control/conf-reply.js';
import type { ControlledWorker } from '../src/control/controlled-worker.js';
import type { TaskRequestInfo } from '../src/state/request-info.js';
import { PidboxNode } from '../src/control/pidbox-node.js';
import { rateLimitError } from '../src/control/rate-limit-check.js';
import { requestInfo, scheduledInfo } from '../src/control/request-info.js';
import { NodeState } from '../src/state/node-state.js';
import { capturedReply } from './control-shape.js';
import { makeApp, namespace, recordingLogger, startWorker } from './helpers.js';

const encoder = new TextEncoder();

/** A node over a stub worker and a transport that records what is published. */
function stubNode(now = Date.now): { node: PidboxNode; published: [Message, PublishTarget][]; worker: ControlledWorker } {
  const published: [Message, PublishTarget][] = [];
  const nodeState = new NodeState();
  const worker = {
    hostname: 'w1@stub',
    nodeState,
    clock: nodeState.clock,
    logger: silentLogger,
    revoke: (ids: string[]) => {
      nodeState.revoked.update(ids);
      return { revoked: ids, terminated: [], signal: null };
    },
  } as unknown as ControlledWorker;
  const transport = { publish: async (m: Message, t: PublishTarget) => void published.push([m, t]) } as never;
  return { node: new PidboxNode({ worker, commands: builtinCommands(), transport, logger: silentLogger, now }), published, worker };
}

const replyTo = { exchange: 'reply.celery.pidbox', routingKey: 'oid-1' };
const request = (method: string, extra: Record<string, unknown> = {}) => ({ method, arguments: {}, destination: null, pattern: null, matcher: null, ticket: 't-1', replyTo, ...extra });

describe('PidboxNode', () => {
  it('replies to its ticket on reply_to, moves its clock past the sender, stamps the reply', async () => {
    const { node, published, worker } = stubNode();
    await node.handle(encodeControlRequest(request('ping'), { clock: 41 }));
    expect(worker.clock.value).toBeGreaterThan(41);
    expect(published).toHaveLength(1);
    const [message, target] = published[0] as [Message, PublishTarget];
    expect(target).toEqual({ exchange: 'reply.celery.pidbox', routingKey: 'oid-1', exchangeType: 'direct' });
    expect(message.headers).toEqual({ ticket: 't-1', clock: worker.clock.value });
    expect(message.properties.deliveryMode).toBe(1);
    expect(JSON.parse(new TextDecoder().decode(message.body))).toEqual({ 'w1@stub': { ok: 'pong' } });
  });

  it('ignores an expired question and requests for other nodes, runs an expired action, sends nothing for a cast', async () => {
    const { node, published, worker } = stubNode();
    expect(await node.handle(encodeControlRequest(request('ping'), { clock: 1, expiresAt: Date.now() - 1000 }))).toBeUndefined();
    expect(await node.handle(encodeControlRequest(request('ping', { destination: ['other@host'] }), { clock: 1 }))).toBeUndefined();
    expect(await node.handle(encodeControlRequest(request('ping', { pattern: 'x*', matcher: 'glob' }), { clock: 1 }))).toBeUndefined();
    const { ticket: _t, replyTo: _r, ...cast } = request('revoke', { arguments: { task_id: 'c1' } });
    await node.handle(encodeControlRequest({ ...cast, arguments: { task_id: 'c0' } }, { clock: 1, expiresAt: Date.now() - 1 }));
    await node.handle(encodeControlRequest(cast, { clock: 1, expiresAt: Date.now() + 1000 }));
    expect([...worker.nodeState.revoked]).toEqual(['c0', 'c1']);
    expect(published).toHaveLength(0);
  });

  it('logs and drops a malformed request', async () => {
    const published: unknown[] = [];
    const logger = recordingLogger();
    const worker = { hostname: 'w1@stub', nodeState: new NodeState(), logger } as unknown as ControlledWorker;
    const node = new PidboxNode({ worker, commands: builtinCommands(), transport: { publish: async () => void published.push(1) } as never, logger });
    const bad: Message = { body: encoder.encode('{"arguments": 3'), contentType: 'application/json', contentEncoding: 'utf-8', headers: {}, properties: {} };
    expect(await node.handle(bad)).toBeUndefined();
    expect(await node.handle({ ...bad, body: encoder.encode('{"method": 3}') })).toBeUndefined();
    expect(logger.lines.filter((l) => l.level === 'warn' && l.msg.startsWith('malformed remote-control request'))).toHaveLength(2);
    expect(published).toHaveLength(0);
  });
});

describe('a worker receiving bad requests', () => {
  it('keeps running and answering after a malformed request and an unknown method', async () => {
    const app = makeApp(namespace());
    await startWorker(app, { mingle: false });
    const transport = await app.getTransport();
    await transport.publish(
      { body: encoder.encode('not json'), contentType: 'application/json', contentEncoding: 'utf-8', headers: {}, properties: { deliveryMode: 2 } },
      { exchange: controlExchange().name, routingKey: '', exchangeType: 'fanout' },
    );
    expect(await app.control.broadcast('no_such_cmd', { reply: true, timeout: 0.5, limit: 1 })).toEqual([{ 'w1@test': { error: "KeyError('no_such_cmd')" } }]);
    expect(await app.control.ping({ timeout: 0.5, limit: 1 })).toEqual([{ 'w1@test': { ok: 'pong' } }]);
  });
});

describe('wire shapes', () => {
  it('request infos map to Celery\'s Request.info()', () => {
    const [active] = capturedReply('active') as Record<string, unknown>[];
    const a = active as { id: string; name: string; args: unknown[]; kwargs: Record<string, unknown>; type: string; hostname: string; time_start: number; acknowledged: boolean; worker_pid: number };
    const info: TaskRequestInfo = {
      id: a.id,
      name: a.name,
      args: a.args,
      kwargs: a.kwargs,
      type: a.type,
      hostname: a.hostname,
      timeStart: a.time_start,
      acknowledged: a.acknowledged,
      deliveryInfo: { exchange: '', routingKey: 'celery', priority: 0, redelivered: false },
      workerPid: a.worker_pid,
    };
    expect(requestInfo(info)).toEqual(active);
    const [scheduled] = capturedReply('scheduled') as { eta: string; priority: number; request: Record<string, unknown> }[];
    const s = scheduled as { eta: string; priority: number; request: { id: string; args: unknown[] } };
    const request: TaskRequestInfo = { ...info, id: s.request.id, name: 'capapp.add', type: 'capapp.add', args: s.request.args, timeStart: null, acknowledged: false, workerPid: null };
    expect(scheduledInfo({ eta: s.eta, priority: s.priority, request })).toEqual(scheduled);
  });

  it('broker info from a transport description, password left out', () => {
    const conf = resolveConfig({});
    expect(brokerInfo('redis transport redis://:secret@127.0.0.1:6379/15', conf)).toEqual({
      hostname: '127.0.0.1',
      userid: null,
      virtual_host: '15',
      port: 6379,
      insist: false,
      ssl: false,
      transport: 'redis',
      connect_timeout: 4,
      transport_options: {},
      login_method: null,
      uri_prefix: null,
      heartbeat: null,
      failover_strategy: 'round-robin',
      alternates: [],
    });
    expect(brokerInfo('amqps://u:***@a:5671/v;amqps://u:***@b/v', conf)).toMatchObject({ hostname: 'a', userid: 'u', virtual_host: 'v', ssl: true, transport: 'amqp', alternates: ['amqps://u@b/v'] });
    expect(JSON.stringify(brokerInfo('amqp://guest:guest@h//', conf))).not.toContain('guest@');
  });

  it('conf masks URL passwords and secret settings', () => {
    expect(maskUrlPassword('redis://:pw@h:6379/0')).toBe('redis://:********@h:6379/0');
    expect(maskUrlPassword('amqp://u:pw@h//;amqp://u:pw2@g//')).toBe('amqp://u:********@h//;amqp://u:********@g//');
    const conf = confReply(resolveConfig({ brokerOptions: { transportOptions: { password: 'x', region: 'eu' } } }), { broker: 'redis transport redis://:pw@h/1', backend: null }, false);
    expect(conf).toEqual({ broker_url: 'redis://:********@h/1', broker_transport_options: { password: '********', region: 'eu' } });
  });

  it('rate limit strings are checked as Python does', () => {
    for (const ok of ['10', '10/s', '5/m', '1.5/h', 5, null, '']) expect(rateLimitError(ok)).toBeNull();
    expect(rateLimitError('abc')).toBe(`ValueError("could not convert string to float: 'abc'")`);
    expect(rateLimitError('5/d')).toBe("KeyError('d')");
  });
});
