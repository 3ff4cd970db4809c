/**
 * `chain(a, b, c)`: run the steps one after another, each receiving the result of the one before (Celery's
 * `chain`, written `a | b | c` in Python). The first step's message carries the rest as the reversed
 * `chain` stack; a group followed by a step becomes a chord. TypeScript checks each step against the result
 * of the one before it ({@link CheckedSteps}).
 */
import type { WireSignature } from '../protocol/task-message.js';
import type { AsyncResult } from '../result/async-result.js';
import type { ApplyOptions } from '../task/types.js';
import type { CanvasApp } from './canvas-app.js';
import type { AnySignature, CheckedSteps, Last, ParamsOf, ResultOf } from './canvas-types.js';
import { Canvas } from './signature.js';

/** The handle a canvas's result comes in: a group's `GroupResult`, any other's `AsyncResult`. */
export type HandleOf<S> = S extends Canvas<infer _P, infer _R, boolean, infer H> ? H : AsyncResult;

/** A chain: its result is the last step's (with the earlier steps as its `parent`s). */
export class Chain<P extends unknown[] = unknown[], R = unknown, H = AsyncResult<R>> extends Canvas<P, R, false, H> {
  /** @internal Use {@link chain}. */
  constructor(wire: WireSignature, app: CanvasApp | null) {
    super(wire, app);
  }

  /** Sends the chain with `args` in front of the first step's own. */
  delay(...args: P): Promise<H> {
    return this.send(args, {}, {});
  }

  /** Sends the chain; `options` apply to its first step (as Celery's). */
  applyAsync(options: ApplyOptions = {}): Promise<H> {
    return this.send([], {}, options);
  }
}

/** The first app among `sigs`. */
export function appOf(sigs: readonly AnySignature[]): CanvasApp | null {
  for (const sig of sigs) if (sig.app) return sig.app;
  return null;
}

/**
 * A chain of `steps` (at least one). Each step after the first must accept the result of the one before as its
 * first remaining parameter, unless it is immutable (`.si()`); a step that does not is a compile error naming the
 * result type it would get.
 */
export function chain<S extends [AnySignature, ...AnySignature[]]>(
  ...steps: S & CheckedSteps<S>
): Chain<ParamsOf<S[0]>, ResultOf<Last<S>>, HandleOf<Last<S>>> {
  const list = steps as unknown as AnySignature[];
  const wire: WireSignature = {
    task: 'celery.chain',
    args: [],
    kwargs: { tasks: list.map((s) => s.toWire()) },
    options: {},
    subtask_type: 'chain',
    immutable: false,
  };
  return new Chain(wire, appOf(list));
}
