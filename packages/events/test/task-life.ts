/**
 * A task's whole life as events, shared by the state's merge tests (exhaustive and property-based).
 */
import type { QEvent } from '../src/wire/event.js';

/** A task's events in the order they happen, each with its own timestamp and fields (RETRY left out: it is order-dependent by design). */
export const LIFE: readonly { subject: string; fields: Record<string, unknown> }[] = [
  { subject: 'sent', fields: { name: 'add', args: '(2, 3)', kwargs: '{}', queue: 'celery', hostname: 'gen1@h' } },
  { subject: 'received', fields: { name: 'add', args: '(2, 3)', kwargs: '{}', root_id: 'r', parent_id: 'p', retries: 0 } },
  { subject: 'rejected', fields: { requeue: false } },
  { subject: 'started', fields: {} },
  { subject: 'revoked', fields: { terminated: true, signum: 15, expired: false } },
  { subject: 'progress', fields: {} },
  { subject: 'failed', fields: { exception: "ValueError('x')", traceback: 'Traceback…' } },
  { subject: 'succeeded', fields: { result: '5', runtime: 0.5 } },
];

/** The event of step `index` of {@link LIFE}, its timestamp and clock following the step. */
export function eventOf(index: number): QEvent {
  const step = LIFE[index];
  if (step === undefined) throw new Error(`no step ${index}`);
  return {
    type: `task-${step.subject}`,
    uuid: 't1',
    hostname: 'w1@h',
    timestamp: 1000 + index,
    utcoffset: 0,
    pid: 1,
    clock: index + 1,
    local_received: 1000 + index,
    ...step.fields,
  };
}
