/**
 * JSON text exactly as Python's `json.dumps` writes it with kombu's defaults (separators `", "` and `": "`,
 * `ensure_ascii=True`, `allow_nan=True`), and a parser that accepts everything Python writes (`NaN`,
 * `Infinity`, `-Infinity`, integers beyond 2^53).
 */
import { SerializationError } from '../errors/q-error.js';
import { PyJsonParser } from './python-json-parser.js';
import { toIsoWithOffset } from './time.js';

const HEX = '0123456789abcdef';
/** Characters Python's `ensure_ascii` leaves alone: printable ASCII except `"` and `\`. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** A JSON string literal with Python's `ensure_ascii` escaping (`\u00e9`, surrogate pairs, lowercase hex). */
export function pyJsonString(text: string): string {
  if (PLAIN.test(text)) return `"${text}"`;
  let out = '"';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e && c !== 0x22 && c !== 0x5c) continue;
    // Copy the run of plain characters before this one in one piece.
    if (i > start) out += text.slice(start, i);
    start = i + 1;
    switch (c) {
      case 0x22:
        out += '\\"';
        break;
      case 0x5c:
        out += '\\\\';
        break;
      case 0x0a:
        out += '\\n';
        break;
      case 0x0d:
        out += '\\r';
        break;
      case 0x09:
        out += '\\t';
        break;
      case 0x08:
        out += '\\b';
        break;
      case 0x0c:
        out += '\\f';
        break;
      default:
        out += `\\u${HEX[(c >> 12) & 15]}${HEX[(c >> 8) & 15]}${HEX[(c >> 4) & 15]}${HEX[c & 15]}`;
    }
  }
  if (start < text.length) out += text.slice(start);
  return `${out}"`;
}

/** Object keys recur (header and property names): their literals are kept, up to a bound. */
const KEY_CACHE = new Map<string, string>();
const KEY_CACHE_SIZE = 2048;

/** {@link pyJsonString} of an object key, cached. */
function keyString(key: string): string {
  let text = KEY_CACHE.get(key);
  if (text === undefined) {
    text = pyJsonString(key);
    if (KEY_CACHE.size >= KEY_CACHE_SIZE) KEY_CACHE.clear();
    KEY_CACHE.set(key, text);
  }
  return text;
}

/**
 * A number as Python writes it. Integral values are written as integers (a JS number cannot say whether it
 * was an `int` or a `float`); other values use Python's float `repr` (exponent form below 1e-4: `1e-05`).
 */
export function pyNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (Number.isInteger(value)) {
    return Number.isSafeInteger(value) ? String(value === 0 ? 0 : value) : BigInt(value).toString();
  }
  const abs = Math.abs(value);
  if (abs < 1e-4) {
    // JS switches to exponent form only below 1e-6; Python below 1e-4, with a two-digit exponent.
    const [mantissa, exponent = '0'] = value.toExponential().split('e');
    const sign = exponent.startsWith('-') ? '-' : '+';
    const digits = exponent.replace(/^[+-]/, '').padStart(2, '0');
    return `${mantissa}e${sign}${digits}`;
  }
  return String(value);
}

function fail(message: string): never {
  throw new SerializationError('Q_ERR_SERIALIZE_FAILED', message);
}

/**
 * Writes one value. `open` holds the containers being written (the path from the root), for cycle detection:
 * a short array scan is cheaper than a `Set` for the shallow documents messages are.
 */
/**
 * Values registered by {@link shareSerialized}: deep-frozen, so their text cannot change; `null` until first
 * written, then that text.
 */
const sharedText = new WeakMap<object, string | null>();

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}

/**
 * Deep-freezes `value` and lets {@link pyJsonStringify} write it once and reuse the text wherever the same object
 * appears again: for a value carried by many messages (a chord's body, in each of its thousands of header
 * messages). Returns `value`.
 */
export function shareSerialized<T extends object>(value: T): T {
  deepFreeze(value);
  if (!sharedText.has(value)) sharedText.set(value, null);
  return value;
}

function write(value: unknown, open: object[], inArray: boolean): string | undefined {
  if (typeof value === 'object' && value !== null) {
    const shared = sharedText.get(value);
    if (typeof shared === 'string') return shared;
    if (shared === null) {
      const text = writeValue(value, open, inArray);
      if (text !== undefined) sharedText.set(value, text);
      return text;
    }
  }
  return writeValue(value, open, inArray);
}

function writeValue(value: unknown, open: object[], inArray: boolean): string | undefined {
  switch (typeof value) {
    case 'string':
      return pyJsonString(value);
    case 'number':
      return pyNumber(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'undefined':
      return inArray ? 'null' : undefined;
    case 'function':
    case 'symbol':
      return fail(`cannot serialize a ${typeof value} as JSON`);
    default:
      break;
  }
  if (value === null) return 'null';
  const obj = value as object;
  if (obj instanceof Date) {
    const time = obj.getTime();
    if (Number.isNaN(time)) fail('cannot serialize an invalid Date as JSON');
    // kombu's encoder: datetime.isoformat() with a trailing "+00:00" replaced by "Z".
    return pyJsonString(`${toIsoWithOffset(obj).slice(0, -6)}Z`);
  }
  if (open.includes(obj)) fail('cannot serialize a circular structure as JSON');
  open.push(obj);
  try {
    if (Array.isArray(obj)) {
      const items = obj as unknown[];
      if (items.length === 0) return '[]';
      let out = '[';
      for (let i = 0; i < items.length; i++) {
        if (i > 0) out += ', ';
        out += write(items[i], open, true) ?? 'null';
      }
      return `${out}]`;
    }
    let out = '{';
    let first = true;
    const plain = Object.getPrototypeOf(obj) === Object.prototype;
    if (!plain && obj instanceof Map) {
      for (const [k, v] of obj as Map<unknown, unknown>) {
        const text = write(v, open, false);
        if (text === undefined) continue;
        out += `${first ? '' : ', '}${pyJsonString(String(k))}: ${text}`;
        first = false;
      }
      return `${out}}`;
    }
    if (!plain && obj instanceof Set) return write([...(obj as Set<unknown>)], open, inArray);
    const toJSON = (obj as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return write((toJSON as () => unknown).call(obj), open, inArray);
    const rec = obj as Record<string, unknown>;
    for (const key of Object.keys(rec)) {
      const text = write(rec[key], open, false);
      if (text === undefined) continue;
      out += `${first ? '' : ', '}${keyString(key)}: ${text}`;
      first = false;
    }
    return `${out}}`;
  } finally {
    open.pop();
  }
}

/**
 * Serialize like Python's `json.dumps(value)` as kombu calls it: `", "`/`": "` separators, non-ASCII as
 * `\uXXXX`, `NaN`/`Infinity`/`-Infinity` for float specials, bigints as integer digits, `undefined` object
 * members skipped (`null` in arrays), `Date` as an ISO string ending in `Z` (kombu's datetime rule), `Map` as
 * an object, `Set` as an array, objects with `toJSON` through it.
 *
 * @throws SerializationError (`Q_ERR_SERIALIZE_FAILED`) for functions, symbols, invalid dates and cycles.
 */
export function pyJsonStringify(value: unknown): string {
  const text = write(value, [], false) ?? 'null';
  // The text was built by concatenation (a rope); flatten it once here, while its pieces are young, rather
  // than in whatever later touches it (`Number()` on a string flattens it and fails at once on `{`/`[`).
  Number(text);
  return text;
}

/**
 * Parse JSON text as Python writes it. Accepts `NaN`, `Infinity` and `-Infinity`; integers outside the
 * safe range come back as `bigint`, all other numbers as `number`. Ordinary input goes through `JSON.parse`;
 * the slower exact parser runs only when that fails (special floats, or really invalid text) or when the
 * parsed value holds a number of magnitude 2^53 or more (the only way an unsafe integer literal can show).
 *
 * @throws SyntaxError on invalid text, naming the position.
 */
export function pyJsonParse(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    // NaN/Infinity, or really invalid (the parser below reports where).
    return new PyJsonParser(text).parseDocument();
  }
  return hasHugeNumber(value) ? new PyJsonParser(text).parseDocument() : value;
}

/** 2^53: every integer literal this large or larger lost precision in `JSON.parse`. */
const UNSAFE = 2 ** 53;

/** The stack of {@link hasHugeNumber}'s walk, kept between walks (empty then) so that a walk allocates nothing. */
const walkStack: object[] = [];

/** Whether a parsed JSON value holds a number with `|n| >= 2^53` (walked with a stack: no recursion limit). */
function hasHugeNumber(root: unknown): boolean {
  if (typeof root === 'number') return root >= UNSAFE || root <= -UNSAFE;
  if (typeof root !== 'object' || root === null) return false;
  const stack = walkStack;
  stack.push(root);
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (Array.isArray(node)) {
      const items = node as unknown[];
      for (let i = 0; i < items.length; i++) {
        const v = items[i];
        if (typeof v === 'number') {
          if (v >= UNSAFE || v <= -UNSAFE) return foundHuge(stack);
        } else if (typeof v === 'object' && v !== null) stack.push(v);
      }
      continue;
    }
    const rec = node as Record<string, unknown>;
    // JSON.parse makes plain objects whose keys are all own (even "__proto__"), so for…in sees exactly them.
    for (const k in rec) {
      const v = rec[k];
      if (typeof v === 'number') {
        if (v >= UNSAFE || v <= -UNSAFE) return foundHuge(stack);
      } else if (typeof v === 'object' && v !== null) stack.push(v);
    }
  }
  return false;
}

/** Ends a walk early: empties its stack. */
function foundHuge(stack: object[]): true {
  stack.length = 0;
  return true;
}
