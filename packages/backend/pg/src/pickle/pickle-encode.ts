/**
 * Writes JS values as Python pickles, byte for byte what CPython's C pickler (`pickle.dumps(v, protocol=5)`)
 * writes for the same Python value. Iterative: nesting depth is bounded by memory, not by the JS call stack.
 */
import { BATCH_SIZE, FRAME_SIZE_TARGET, HIGHEST_PROTOCOL, OP } from './opcodes.js';
import { unpicklable } from './pickle-errors.js';
import { isPickleTuple } from './pickle-tuple.js';
import { PickleWriter } from './pickle-writer.js';
import { encodeLong } from './python-int.js';
import { encodeUtf8SurrogatePass } from './utf8-surrogatepass.js';

/** Options of {@link encodePickle}. */
export interface PickleEncodeOptions {
  /** Pickle protocol written in the PROTO header: 4 or 5 (default 5, as Celery's database backend writes). */
  protocol?: 4 | 5;
}

type Task =
  | { readonly kind: 'value'; readonly value: unknown; readonly fromToJSON: boolean }
  | { readonly kind: 'op'; readonly op: number }
  | { readonly kind: 'memoize'; readonly ref: object }
  | { readonly kind: 'leave'; readonly ref: object };

const MARK: Task = { kind: 'op', op: OP.MARK };
const APPEND: Task = { kind: 'op', op: OP.APPEND };
const APPENDS: Task = { kind: 'op', op: OP.APPENDS };
const SETITEM: Task = { kind: 'op', op: OP.SETITEM };
const SETITEMS: Task = { kind: 'op', op: OP.SETITEMS };
const TUPLE_OPS = [OP.EMPTY_TUPLE, OP.TUPLE1, OP.TUPLE2, OP.TUPLE3] as const;

function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

function u64(n: number): number[] {
  return [...u32(n >>> 0), ...u32(Math.floor(n / 2 ** 32))];
}

function isPlainObject(v: object): boolean {
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function describe(v: unknown): string {
  if (typeof v === 'function') return `a function (${v.name || 'anonymous'})`;
  if (typeof v === 'symbol') return 'a symbol';
  if (typeof v === 'object' && v !== null) return `an instance of ${v.constructor?.name ?? 'an unknown class'}`;
  return typeof v;
}

/**
 * Pickles `value` as CPython would pickle the corresponding Python value with `protocol=5`.
 *
 * Mapping: `null`/`undefined` → `None`; boolean → `bool`; safe-integer number → `int`, other numbers → `float`
 * (`-0` is the integer 0, as in JSON); bigint → `int`; string → `str`; `Uint8Array`/`Buffer` → `bytes`; array →
 * `list`; {@link pickleTuple} → `tuple`; plain object → `dict` with `str` keys in insertion order; an object with
 * `toJSON()` (e.g. `Date`) → its JSON value. The same array/object/bytes/tuple reached twice is written once and
 * then referenced (BINGET), as Python does for one object; strings have no identity in JS, so each occurrence is
 * written afresh — except the empty string and one-character strings up to U+00FF (and empty / one-byte bytes),
 * which CPython always shares, so they are referenced as CPython references them.
 *
 * @throws SerializationError `Q_ERR_SERIALIZE_FAILED` for functions, symbols, class instances without `toJSON`,
 *   other typed arrays, maps, sets, and cycles.
 */
export function encodePickle(value: unknown, options: PickleEncodeOptions = {}): Uint8Array {
  const protocol = options.protocol ?? HIGHEST_PROTOCOL;
  if (protocol !== 4 && protocol !== 5) throw unpicklable(`protocol ${String(protocol)} is not supported (4 or 5)`);
  const out = new PickleWriter();
  out.write([OP.PROTO, protocol]);
  out.startFraming();

  const memo = new Map<object, number>();
  const shared = new Map<string, number>(); // CPython's singleton str/bytes → memo index
  const ancestors = new Set<object>();
  let memoSize = 0;
  const memoize = (): number => {
    out.byte(OP.MEMOIZE);
    return memoSize++;
  };
  const get = (index: number): void => {
    out.write(index < 256 ? [OP.BINGET, index] : [OP.LONG_BINGET, ...u32(index)]);
  };
  const payload = (short: number, long: number, huge: number, data: Uint8Array): void => {
    const n = data.length;
    if (n <= 0xff) {
      out.write([short, n]);
      out.write(data);
    } else if (n > 0xffffffff) out.writeLarge([huge, ...u64(n)], data);
    else if (n >= FRAME_SIZE_TARGET) out.writeLarge([long, ...u32(n)], data);
    else {
      out.write([long, ...u32(n)]);
      out.write(data);
    }
  };
  const saveInt = (x: number | bigint): void => {
    const n = Number(x);
    if (n >= -0x80000000 && n <= 0x7fffffff && (typeof x === 'number' || BigInt(n) === x)) {
      if (n >= 0 && n <= 0xff) out.write([OP.BININT1, n]);
      else if (n >= 0 && n <= 0xffff) out.write([OP.BININT2, n & 0xff, n >> 8]);
      else out.write([OP.BININT, ...u32(n)]);
      return;
    }
    const bytes = encodeLong(BigInt(x));
    out.write(bytes.length < 256 ? [OP.LONG1, bytes.length] : [OP.LONG4, ...u32(bytes.length)]);
    out.write(bytes);
  };
  const saveFloat = (x: number): void => {
    const b = new Uint8Array(9);
    b[0] = OP.BINFLOAT;
    new DataView(b.buffer).setFloat64(1, x, false);
    out.write(b);
  };
  const saveStr = (s: string): void => {
    const key = s.length === 0 || (s.length === 1 && s.charCodeAt(0) < 256) ? `s${s}` : null;
    const seen = key === null ? undefined : shared.get(key);
    if (seen !== undefined) return get(seen);
    payload(OP.SHORT_BINUNICODE, OP.BINUNICODE, OP.BINUNICODE8, encodeUtf8SurrogatePass(s));
    const index = memoize();
    if (key !== null) shared.set(key, index);
  };
  const saveBytes = (b: Uint8Array): void => {
    const key = b.length <= 1 ? `b${b.length === 0 ? '' : String(b[0])}` : null;
    const seen = key === null ? undefined : shared.get(key);
    if (seen !== undefined) return get(seen);
    payload(OP.SHORT_BINBYTES, OP.BINBYTES, OP.BINBYTES8, b);
    const index = memoize();
    if (key !== null) shared.set(key, index);
    memo.set(b, index);
  };

  const tasks: Task[] = [{ kind: 'value', value, fromToJSON: false }];
  const pushReversed = (items: Task[]): void => {
    for (let i = items.length - 1; i >= 0; i--) tasks.push(items[i] as Task);
  };
  for (let task = tasks.pop(); task !== undefined; task = tasks.pop()) {
    if (task.kind === 'op') {
      out.byte(task.op);
      continue;
    }
    if (task.kind === 'memoize') {
      memo.set(task.ref, memoize());
      continue;
    }
    if (task.kind === 'leave') {
      ancestors.delete(task.ref);
      continue;
    }
    out.boundary();
    const v = task.value;
    if (v === null || v === undefined) out.byte(OP.NONE);
    else if (typeof v === 'boolean') out.byte(v ? OP.NEWTRUE : OP.NEWFALSE);
    else if (typeof v === 'number') {
      if (Number.isSafeInteger(v)) saveInt(v);
      else saveFloat(v);
    } else if (typeof v === 'bigint') saveInt(v);
    else if (typeof v === 'string') saveStr(v);
    else if (typeof v !== 'object') throw unpicklable(`${describe(v)} cannot be pickled`);
    else {
      if (ancestors.has(v)) throw unpicklable('the value contains a cycle');
      const index = memo.get(v);
      if (index !== undefined) {
        get(index);
        continue;
      }
      if (v instanceof Uint8Array) {
        saveBytes(v);
        continue;
      }
      if (isPickleTuple(v)) {
        const items = v.items.map((item): Task => ({ kind: 'value', value: item, fromToJSON: false }));
        if (items.length === 0) {
          out.byte(OP.EMPTY_TUPLE);
          continue;
        }
        ancestors.add(v);
        const close: Task = { kind: 'op', op: items.length <= 3 ? (TUPLE_OPS[items.length] as number) : OP.TUPLE };
        pushReversed([...(items.length <= 3 ? [] : [MARK]), ...items, close, { kind: 'memoize', ref: v }, { kind: 'leave', ref: v }]);
        continue;
      }
      if (!Array.isArray(v) && typeof (v as { toJSON?: unknown }).toJSON === 'function' && !task.fromToJSON) {
        tasks.push({ kind: 'value', value: (v as { toJSON: () => unknown }).toJSON(), fromToJSON: true });
        continue;
      }
      if (Array.isArray(v)) {
        out.byte(OP.EMPTY_LIST);
        memo.set(v, memoize());
        const items: Task[] = [];
        for (let i = 0; i < v.length; i++) items.push({ kind: 'value', value: v[i], fromToJSON: false });
        batched(items, 1, APPEND, APPENDS, pushReversed, v, ancestors);
        continue;
      }
      if (!isPlainObject(v)) throw unpicklable(`${describe(v)} cannot be pickled (only plain data, or objects with toJSON())`);
      out.byte(OP.EMPTY_DICT);
      memo.set(v, memoize());
      const items: Task[] = [];
      for (const key of Object.keys(v)) {
        items.push({ kind: 'value', value: key, fromToJSON: false });
        items.push({ kind: 'value', value: (v as Record<string, unknown>)[key], fromToJSON: false });
      }
      batched(items, 2, SETITEM, SETITEMS, pushReversed, v, ancestors);
    }
  }
  out.byte(OP.STOP);
  out.commit();
  return out.bytes();
}

/** Schedules a list's or dict's items: one item with APPEND/SETITEM, else MARK…APPENDS/SETITEMS per 1000. */
function batched(
  items: Task[],
  width: number,
  single: Task,
  many: Task,
  pushReversed: (items: Task[]) => void,
  ref: object,
  ancestors: Set<object>,
): void {
  const count = items.length / width;
  if (count === 0) return;
  ancestors.add(ref);
  const plan: Task[] = [];
  if (count === 1) plan.push(...items, single);
  else {
    for (let i = 0; i < items.length; i += BATCH_SIZE * width) {
      plan.push(MARK);
      for (let k = i; k < Math.min(items.length, i + BATCH_SIZE * width); k++) plan.push(items[k] as Task);
      plan.push(many);
    }
  }
  plan.push({ kind: 'leave', ref });
  pushReversed(plan);
}
