/**
 * Pidbox requests and replies against the messages captured from Celery 5.2.6 (`control-*-request.json`,
 * `control-*-reply.json`), and the node matching of `destination` / `pattern`.
 */
import { VECTORS_DIR } from '@q/test-services';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeEnvelope } from '../protocol/envelope.js';
import { decodeControlReply, decodeControlRequest, encodeControlReply, encodeControlRequest, isForNode } from './pidbox-message.js';

interface Captured {
  envelope: Record<string, unknown>;
  decoded_body: Record<string, unknown>;
}
const load = (name: string): Captured => JSON.parse(readFileSync(`${VECTORS_DIR}${name}`, 'utf8')) as Captured;
const received = (name: string) => decodeEnvelope(JSON.stringify(load(name).envelope)).message;

describe('control requests', () => {
  it.each(['control-ping-request.json', 'control-revoke-request.json', 'control-rate-limit-request.json', 'control-revoke-terminate-request.json'])(
    'reads the captured %s',
    (file) => {
      const captured = load(file);
      const { request, clock, expiresAt } = decodeControlRequest(received(file));
      const body = captured.decoded_body;
      expect(request.method).toBe(body['method']);
      expect(request.arguments).toEqual(body['arguments']);
      expect(request.destination).toEqual(body['destination']);
      expect(request.ticket).toBe(body['ticket']);
      expect(request.replyTo?.routingKey).toBe((body['reply_to'] as { routing_key: string }).routing_key);
      const headers = captured.envelope['headers'] as { clock: number; expires: number };
      expect(clock).toBe(headers.clock);
      expect(expiresAt).toBeCloseTo(headers.expires * 1000, 0);
    },
  );

  it('writes what it reads, with Celery keys and headers (expires in epoch seconds, 0 for never)', () => {
    const request = { method: 'rate_limit', arguments: { task_name: 'a.b', rate_limit: '10/m' }, destination: ['w1@h'], pattern: null, matcher: null, ticket: 't-1', replyTo: { exchange: 'reply.celery.pidbox', routingKey: 'oid-1' } };
    const message = encodeControlRequest(request, { clock: 7, expiresAt: 1_700_000_000_500 });
    expect(message.headers).toEqual({ clock: 7, expires: 1_700_000_000.5 });
    expect(message.properties.deliveryMode).toBe(2);
    const body = JSON.parse(new TextDecoder().decode(message.body)) as Record<string, unknown>;
    expect(body['reply_to']).toEqual({ exchange: 'reply.celery.pidbox', routing_key: 'oid-1' });
    expect(decodeControlRequest(message)).toEqual({ request, clock: 7, expiresAt: 1_700_000_000_500 });
    const cast = encodeControlRequest({ method: 'shutdown', arguments: {}, destination: null, pattern: null, matcher: null }, { clock: 1 });
    expect(cast.headers['expires']).toBe(0);
    expect(JSON.parse(new TextDecoder().decode(cast.body))).not.toHaveProperty('ticket');
    expect(decodeControlRequest(cast).expiresAt).toBeUndefined();
  });

  it.each([
    ['not JSON', 'application/json', '{'],
    ['no method', 'application/json', '{"arguments": {}}'],
    ['arguments not an object', 'application/json', '{"method": "ping", "arguments": [1]}'],
    ['destination not a list', 'application/json', '{"method": "ping", "destination": "w1"}'],
    ['ticket without reply_to', 'application/json', '{"method": "ping", "ticket": "t"}'],
    ['unknown matcher', 'application/json', '{"method": "ping", "pattern": "w*", "matcher": "sql"}'],
    ['other content type', 'application/x-python-serialize', '{"method": "ping"}'],
  ])('a malformed request (%s) is a ProtocolError', (_why, contentType, text) => {
    const message = { body: new TextEncoder().encode(text), contentType, contentEncoding: 'utf-8', headers: {}, properties: {} };
    expect(() => decodeControlRequest(message)).toThrow(expect.objectContaining({ code: 'Q_ERR_MESSAGE_MALFORMED' }));
  });
});

describe('control replies', () => {
  it.each(['control-ping-reply.json', 'control-stats-reply.json', 'control-revoke-reply.json'])('reads the captured %s', (file) => {
    const captured = load(file);
    const reply = decodeControlReply(received(file));
    const [node] = Object.keys(captured.decoded_body);
    expect(reply.node).toBe(node);
    expect(reply.value).toEqual(captured.decoded_body[node as string]);
    expect(reply.ticket).toBe((captured.envelope['headers'] as { ticket: string }).ticket);
  });

  it('writes {node: value} with ticket and clock headers, delivery mode 1', () => {
    const message = encodeControlReply('w1@h', { ok: 'pong' }, { ticket: 't', clock: 3 });
    expect(message.properties.deliveryMode).toBe(1);
    expect(decodeControlReply(message)).toEqual({ ticket: 't', node: 'w1@h', value: { ok: 'pong' }, clock: 3 });
    expect(decodeControlReply(encodeControlReply('w1@h', undefined, { ticket: 't', clock: 3 })).value).toBeNull();
  });

  it('a reply without a ticket, or with two nodes, is a ProtocolError', () => {
    const bad = encodeControlReply('w1@h', 1, { ticket: 't', clock: 1 });
    expect(() => decodeControlReply({ ...bad, headers: {} })).toThrow(/ticket/);
    expect(() => decodeControlReply({ ...bad, body: new TextEncoder().encode('{"a": 1, "b": 2}') })).toThrow(/2 node names/);
  });
});

describe('isForNode', () => {
  const req = (destination: string[] | null, pattern: string | null = null, matcher: 'glob' | 'pcre' | null = null) => ({ destination, pattern, matcher });
  it('destination names the nodes; pattern applies only without one', () => {
    expect(isForNode(req(null), 'w1@h')).toBe(true);
    expect(isForNode(req(['w1@h', 'w2@h']), 'w2@h')).toBe(true);
    expect(isForNode(req(['w1@h']), 'w2@h')).toBe(false);
    expect(isForNode(req(['w1@h'], 'w2*'), 'w1@h')).toBe(true);
  });
  it('an empty destination is none (kombu runs such a request on every node, or on those matching the pattern)', () => {
    expect(isForNode(req([]), 'w1@h')).toBe(true);
    expect(isForNode(req([], 'w1*'), 'w1@h')).toBe(true);
    expect(isForNode(req([], 'w2*'), 'w1@h')).toBe(false);
  });
  it('glob: *, ?, [seq], [!seq], anchored at both ends; dots are literal', () => {
    expect(isForNode(req(null, 'w*@h'), 'w12@h')).toBe(true);
    expect(isForNode(req(null, 'w?@h'), 'w12@h')).toBe(false);
    expect(isForNode(req(null, 'w[12]@h'), 'w2@h')).toBe(true);
    expect(isForNode(req(null, 'w[!12]@h'), 'w2@h')).toBe(false);
    expect(isForNode(req(null, 'w1@h.x'), 'w1@hax')).toBe(false);
    expect(isForNode(req(null, 'w1'), 'w1@h')).toBe(false);
  });
  it('pcre: anchored at the start only (re.match); an invalid expression matches nothing', () => {
    expect(isForNode(req(null, 'w\\d+', 'pcre'), 'w12@h')).toBe(true);
    expect(isForNode(req(null, '\\d', 'pcre'), 'w12@h')).toBe(false);
    expect(isForNode(req(null, '(', 'pcre'), 'w12@h')).toBe(false);
  });
});
