/**
 * `group(sigs)`: run signatures in parallel (Celery's `group`). Every member's message carries the group's id
 * (`group`), and the result is a `GroupResult` whose `get()` gives the members' values in order.
 */
import type { WireSignature } from '../protocol/task-message.js';
import type { GroupResult } from '../result/group-result.js';
import type { ApplyOptions } from '../task/types.js';
import type { CanvasApp } from './canvas-app.js';
import type { AnySignature, ResultOf, ResultsOf } from './canvas-types.js';
import { appOf } from './chain.js';
import { groupSignature } from './freeze.js';
import { Canvas } from './signature.js';

/** A group: its result is a `GroupResult` of its members' values, in order. */
export class Group<T extends unknown[] = unknown[]> extends Canvas<unknown[], T, false, GroupResult<T>> {
  /** @internal Use {@link group}. */
  constructor(wire: WireSignature, app: CanvasApp | null) {
    super(wire, app);
  }

  /** The members' signature dicts. */
  get tasks(): readonly WireSignature[] {
    return this.kwargs.tasks as WireSignature[];
  }

  /** Sends every member with `args` in front of its own. */
  delay(...args: unknown[]): Promise<GroupResult<T>> {
    return this.send(args, {}, {});
  }

  /** Sends every member; `options` apply to each. */
  applyAsync(options: ApplyOptions = {}): Promise<GroupResult<T>> {
    return this.send([], {}, options);
  }
}

/** A group of the signatures in `sigs` (a list, or any iterable, as Celery's `group(gen)`). */
export function group<const S extends readonly AnySignature[]>(sigs: S): Group<ResultsOf<S>>;
export function group<S extends AnySignature>(sigs: Iterable<S>): Group<ResultOf<S>[]>;
export function group(sigs: Iterable<AnySignature>): Group {
  const list = [...sigs];
  return new Group(groupSignature(list.map((s) => s.toWire()), {}), appOf(list));
}
