/**
 * What Celery's `EventReceiver.event_from_message` does to each event before handing it on: the receiver's Lamport
 * clock moves past the event's (a `task-sent` event's clock, from a client that never syncs, is replaced by the
 * receiver's own value minus one, {@link CLIENT_CLOCK_SKEW}); an event without a clock gets the receiver's next
 * tick; the sender's `timestamp` is moved into the local zone (`timestamp - (utcoffset - localUtcoffset) * 3600`);
 * and `local_received` (epoch seconds) is added.
 */
import type { LamportClock } from '@q/core';
import type { QEvent } from '../wire/event.js';
import { adjustTimestamp } from '../wire/utcoffset.js';

/** Celery's `CLIENT_CLOCK_SKEW`: a `task-sent` event is placed just before the receiver's current clock. */
export const CLIENT_CLOCK_SKEW = -1;

/** How {@link prepareEvent} treats an event. */
export interface PrepareEventOptions {
  /** The receiver's clock (moved forward). */
  clock: LamportClock;
  /** Rewrite `timestamp` into the local zone (default true). */
  localize?: boolean;
  /** Receive time, epoch ms. */
  nowMs: number;
  /** The receiver's `utcoffset` (hours west of UTC). */
  localUtcoffset: number;
}

/** Applies Celery's `event_from_message` to `event` in place (see the module comment) and returns it. */
export function prepareEvent(event: QEvent, options: PrepareEventOptions): QEvent {
  const { clock } = options;
  if (event.type === 'task-sent') {
    const value = (clock.value || 1) + CLIENT_CLOCK_SKEW;
    event.clock = value;
    clock.adjust(value);
  } else if (typeof event.clock === 'number') {
    clock.adjust(event.clock);
  } else {
    event.clock = clock.forward();
  }
  if (options.localize !== false && typeof event.utcoffset === 'number' && typeof event.timestamp === 'number') {
    event.timestamp = adjustTimestamp(event.timestamp, event.utcoffset, options.localUtcoffset);
  }
  event.local_received = options.nowMs / 1000;
  return event;
}
