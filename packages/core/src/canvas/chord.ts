/**
 * `chord(header, body)`: run the header's signatures in parallel, then the body with the list of their results
 * (Celery's `chord`). The header members carry the body (`chord`) and their place (`group_index`); the backend
 * joins them (natively on Redis, with `celery.chord_unlock` elsewhere) and the body runs once, after the last.
 * TypeScript checks that the body's first remaining parameter accepts the header's results.
 */
import type { WireSignature } from '../protocol/task-message.js';
import type { AsyncResult } from '../result/async-result.js';
import type { ApplyOptions } from '../task/types.js';
import type { CanvasApp } from './canvas-app.js';
import type { Accepts, AnySignature, DoesNotAccept, ResultOf, ResultsOf } from './canvas-types.js';
import { appOf, type HandleOf } from './chain.js';
import { chordSignature, groupSignature } from './freeze.js';
import { Group } from './group.js';
import { Canvas } from './signature.js';

/** A chord: its result is the body's, with the header's `GroupResult` as its `parent`. */
export class Chord<R = unknown, H = AsyncResult<R>> extends Canvas<unknown[], R, false, H> {
  /** @internal Use {@link chord}. */
  constructor(wire: WireSignature, app: CanvasApp | null) {
    super(wire, app);
  }

  /** Sends the header with `args` in front of each member's own. */
  delay(...args: unknown[]): Promise<H> {
    return this.send(args, {}, {});
  }

  /** Sends the chord; `options` apply to the body (as Celery's). */
  applyAsync(options: ApplyOptions = {}): Promise<H> {
    return this.send([], {}, options);
  }
}

/** The values a header gives the body. */
export type HeaderResults<G> = G extends Group<infer T> ? T : G extends readonly AnySignature[] ? ResultsOf<G> : unknown[];

/**
 * A chord of `header` (a `group` or a list of signatures) and `body`. The body must accept the list of header
 * results as its first remaining parameter (or be immutable).
 */
export function chord<const G extends Group<unknown[]> | readonly AnySignature[], B extends AnySignature>(
  header: G,
  body: B & (Accepts<B, HeaderResults<G>> extends true ? unknown : DoesNotAccept<HeaderResults<G>>),
): Chord<ResultOf<B>, HandleOf<B>> {
  const members = header instanceof Group ? [header as AnySignature] : [...(header as readonly AnySignature[])];
  const headerWire = header instanceof Group ? header.toWire() : groupSignature(members.map((s) => s.toWire()), {});
  const app = appOf([...members, body as AnySignature]);
  return new Chord(chordSignature(headerWire, (body as AnySignature).toWire(), {}), app);
}
