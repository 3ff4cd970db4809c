/** A marker that makes a JS array encode as a Python tuple. */

const TAG = Symbol.for('q.pickle.tuple');

/**
 * Items that {@link encodePickle} writes as a Python `tuple` instead of a `list` (Celery's `exc_message`, for
 * example, is a tuple). Decoding a tuple gives a plain array, so this type only appears on the encoding side.
 */
export class PickleTuple {
  /** The tuple's items, in order. */
  readonly items: readonly unknown[];
  /** Brand checked by {@link isPickleTuple}, so two copies of this module recognise each other's tuples. */
  readonly [TAG] = true;

  constructor(items: readonly unknown[]) {
    this.items = items;
  }

  /** JSON form: the items, so a tuple logs and serializes to JSON like the array it stands for. */
  toJSON(): readonly unknown[] {
    return this.items;
  }
}

/** Makes a value that pickles as a Python tuple of `items` (e.g. `pickleTuple(['db fail'])` → `('db fail',)`). */
export function pickleTuple(items: readonly unknown[]): PickleTuple {
  return new PickleTuple(items);
}

/** True when `value` is a {@link PickleTuple} (from any copy of this module). */
export function isPickleTuple(value: unknown): value is PickleTuple {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[TAG] === true;
}
