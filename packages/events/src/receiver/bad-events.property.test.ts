/**
 * Bad events never break a monitor: whatever arrives as an event message body (any JSON, any bytes, events with
 * missing or mistyped fields, unknown types, clocks going backwards), decoding, Celery's clock and timestamp rules
 * and the cluster state take it without throwing, and a good event after it is still handled.
 */
import fc from 'fast-check';
import { LamportClock } from '@q/core';
import { describe, expect, it } from 'vitest';
import { ClusterState } from '../state/cluster-state.js';
import { decodeEvents } from '../wire/event-message.js';
import { prepareEvent } from './localize.js';

const TYPES = ['task-sent', 'task-received', 'task-started', 'task-succeeded', 'task-failed', 'task-retried', 'task-revoked', 'task-rejected'];
const ALSO = ['worker-online', 'worker-heartbeat', 'worker-offline', 'task-', 'worker-', 'x', '', 'task-custom'];

/** Something shaped like an event, with any of its fields missing, mistyped or out of range. */
const eventLike = fc.record(
  {
    type: fc.oneof(fc.constantFrom(...TYPES, ...ALSO), fc.string(), fc.integer(), fc.constant(null)),
    hostname: fc.oneof(fc.constantFrom('w1@h', 'w2@h'), fc.string(), fc.integer()),
    timestamp: fc.oneof(fc.double(), fc.integer({ min: -1e12, max: 1e12 }), fc.string()),
    utcoffset: fc.oneof(fc.integer({ min: -14, max: 14 }), fc.double(), fc.string()),
    pid: fc.oneof(fc.integer(), fc.string()),
    clock: fc.oneof(fc.integer({ min: -5, max: 1e9 }), fc.constant(null), fc.double(), fc.string()),
    uuid: fc.oneof(fc.constantFrom('t1', 't2', 't3'), fc.string(), fc.integer()),
    freq: fc.oneof(fc.double(), fc.integer(), fc.string()),
    result: fc.anything(),
    runtime: fc.oneof(fc.double(), fc.string()),
    parent_id: fc.oneof(fc.constantFrom('t1', 't2'), fc.anything()),
    loadavg: fc.oneof(fc.array(fc.double(), { maxLength: 4 }), fc.anything()),
  },
  { requiredKeys: [] },
);

/** A body: an event, a batch, any JSON, or text that is not JSON at all. */
const body = fc.oneof(
  eventLike.map((e) => JSON.stringify(e)),
  fc.array(eventLike, { maxLength: 5 }).map((b) => JSON.stringify(b)),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc.string(),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
);

describe('bad events', () => {
  it('never throw through decoding, clock and timestamp rules and the cluster state; a good event still counts after them', () => {
    fc.assert(
      fc.property(fc.array(body, { maxLength: 20 }), (bodies) => {
        const clock = new LamportClock();
        const state = new ClusterState({ now: () => 1_800_000_000_000 });
        const apply = (text: string): void => {
          const { events } = decodeEvents(text);
          for (const event of events) state.event(prepareEvent(event, { clock, nowMs: 1_800_000_000_000, localUtcoffset: 0 }));
        };
        for (const text of bodies) apply(text);
        apply(JSON.stringify({ type: 'worker-heartbeat', hostname: 'good@h', timestamp: 1_800_000_000, utcoffset: 0, pid: 1, clock: 1, freq: 2 }));
        expect(state.workers.get('good@h')?.alive).toBe(true);
        expect(() => JSON.stringify(state.snapshot())).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
