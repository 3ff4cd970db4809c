/**
 * Python reprs as Celery writes them into `argsrepr`/`kwargsrepr` headers and task events. This follows
 * Celery's `saferepr` (a streaming, truncating repr) rather than Python's builtin `repr`: strings are
 * quoted with `'` and only `'` is escaped, containers nested deeper than 3 levels become `[...]`, and
 * output past `maxLen` characters ends with `, ...` followed by the still-open brackets.
 */

/** A Python tuple for {@link pythonRepr} (JS has none): `(1,)`, `(2, 3)`, `()`. */
export class PyTuple {
  constructor(readonly items: readonly unknown[]) {}
}

interface Lit {
  kind: 'lit';
  value: string;
  /** False for brackets: they are still written after truncation. */
  truncate: boolean;
  direction: -1 | 0 | 1;
}
type Item = Lit | { kind: 'key'; value: unknown } | { kind: 'dirty'; obj: object } | { kind: 'val'; value: unknown };
type Token = Lit | { kind: 'key'; value: unknown } | { kind: 'quoted'; value: string } | { kind: 'text'; value: string };

const lit = (value: string, truncate: boolean, direction: -1 | 0 | 1): Lit => ({ kind: 'lit', value, truncate, direction });
const KV_SEP = lit(': ', true, 0);
const SEP = lit(', ', true, 0);
const MAX_LEVELS = 3;

/** Celery's `truncate`: cut at `maxLen`, back to the last space, and add `...`. */
function truncate(text: string, maxLen: number | null): string {
  if (!maxLen || text.length < maxLen) return text;
  const head = text.slice(0, maxLen);
  const space = head.lastIndexOf(' ');
  return `${space === -1 ? head : head.slice(0, space)}...`;
}

/** Python's `str()` of a number: integral JS numbers are ints, others floats. */
function numberText(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  if (Number.isInteger(n)) return Number.isSafeInteger(n) ? String(n === 0 ? 0 : n) : BigInt(n).toString();
  const abs = Math.abs(n);
  if (abs >= 1e-4) return String(n);
  const [mantissa, exponent = '0'] = n.toExponential().split('e');
  return `${mantissa}e${exponent.startsWith('-') ? '-' : '+'}${exponent.replace(/^[+-]/, '').padStart(2, '0')}`;
}

/** Python's builtin `repr()` of a `str`: picks `'` or `"`, escapes control and non-printable characters. */
export function pyStrRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch !== ' ' && /[\p{C}\p{Z}]/u.test(ch)) {
      if (cp < 0x100) out += `\\x${cp.toString(16).padStart(2, '0')}`;
      else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
      else out += `\\U${cp.toString(16).padStart(8, '0')}`;
    } else out += ch;
  }
  return out + quote;
}

function dateRepr(d: Date): string {
  const parts = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes()];
  const s = d.getUTCSeconds();
  const us = d.getUTCMilliseconds() * 1000;
  if (us) parts.push(s, us);
  else if (s) parts.push(s);
  return `datetime.datetime(${parts.join(', ')}, tzinfo=datetime.timezone.utc)`;
}

function bytesText(bytes: Uint8Array, maxLen: number | null): string {
  const chunk = maxLen && bytes.length > maxLen ? bytes.subarray(0, maxLen) : bytes;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(chunk);
  } catch {
    text = Buffer.from(chunk).toString('hex');
  }
  return `b'${text}${chunk === bytes ? '' : '...'}'`;
}

function scalarText(value: unknown): string | null {
  switch (typeof value) {
    case 'number':
      return numberText(value);
    case 'bigint':
      return value.toString();
    case 'boolean':
      return value ? 'True' : 'False';
    case 'undefined':
      return 'None';
    case 'symbol':
      return value.toString();
    case 'function':
      return `<function ${value.name || '<lambda>'}>`;
    default:
      break;
  }
  if (value === null) return 'None';
  if (value instanceof Date) return dateRepr(value);
  if (value instanceof Error) return `${value.name}(${pyStrRepr(value.message)})`;
  return null;
}

/** Opening literal, closing literal and children of a container, or null for a scalar. */
function container(value: object): [Lit, Lit, Item[]] | 'empty-set' | null {
  const seq = (items: Iterable<unknown>): Item[] => {
    const out: Item[] = [];
    for (const v of items) {
      if (out.length) out.push(SEP);
      out.push({ kind: 'val', value: v });
    }
    return out;
  };
  const dict = (entries: Iterable<[unknown, unknown]>): Item[] => {
    const out: Item[] = [];
    for (const [k, v] of entries) {
      if (out.length) out.push(SEP);
      out.push({ kind: 'key', value: k }, KV_SEP, { kind: 'val', value: v });
    }
    return out;
  };
  if (value instanceof PyTuple) {
    return [lit('(', false, 1), lit(value.items.length === 1 ? ',)' : ')', false, -1), seq(value.items)];
  }
  if (Array.isArray(value)) return [lit('[', false, 1), lit(']', false, -1), seq(value)];
  if (value instanceof Set) return value.size ? [lit('{', false, 1), lit('}', false, -1), seq(value)] : 'empty-set';
  if (value instanceof Map) return [lit('{', false, 1), lit('}', false, -1), dict(value)];
  return [lit('{', false, 1), lit('}', false, -1), dict(Object.entries(value))];
}

/**
 * Python repr as Celery's `saferepr(value, maxLen)` produces it: `None`/`True`/`False`, `'str'`, `[1, 2]`,
 * `{'y': 5}`, {@link PyTuple} as `(1,)`. Output is cut after about `maxLen` characters (1024 as Celery's
 * `argsrepr_maxsize`); `maxLen` 0 means no limit.
 */
export function pythonRepr(value: unknown, maxLen = 1024): string {
  const fast = fastRepr(value, 0, [], maxLen > 0 ? maxLen : Infinity);
  // Output shorter than maxLen never reached a truncation point, so it equals the streaming result below.
  if (fast !== null && (maxLen <= 0 || fast.length < maxLen)) return fast;
  return streamingRepr(value, maxLen);
}

function quoted(text: string): string {
  return text.includes("'") ? `'${text.replace(/'/g, "\\'")}'` : `'${text}'`;
}

/**
 * The untruncated repr written directly (no token stream), or `null` once it grows to `limit` or meets a value
 * whose truncation depends on bytes rather than characters (`Uint8Array`): the caller then streams.
 * `open` holds the containers being written (at most {@link MAX_LEVELS}), for cycle detection.
 */
function fastRepr(value: unknown, level: number, open: object[], limit: number): string | null {
  if (typeof value === 'string') return quoted(value);
  if (value instanceof Uint8Array) return null;
  const scalar = scalarText(value);
  if (scalar !== null) return scalar;
  const obj = value as object;
  const isList = Array.isArray(obj);
  const isTuple = !isList && obj instanceof PyTuple;
  const isSet = !isList && !isTuple && obj instanceof Set;
  if (isSet && (obj as Set<unknown>).size === 0) return 'set()';
  const start = isList ? '[' : isTuple ? '(' : '{';
  const end = isList ? ']' : isTuple ? ((obj as PyTuple).items.length === 1 ? ',)' : ')') : '}';
  if (level >= MAX_LEVELS) return `${start}...${end}`;
  if (open.includes(obj)) return `<Recursion on ${isList ? 'list' : 'dict'}>`;
  open.push(obj);
  let out = start;
  let first = true;
  if (isList || isTuple || isSet) {
    const items = isTuple ? (obj as PyTuple).items : (obj as Iterable<unknown>);
    for (const item of items) {
      const text = fastRepr(item, level + 1, open, limit);
      if (text === null) return null;
      out += first ? text : `, ${text}`;
      first = false;
      if (out.length >= limit) return null;
    }
  } else if (obj instanceof Map) {
    for (const [k, v] of obj as Map<unknown, unknown>) {
      // A key is its own saferepr (levels and cycles counted afresh), as in the streaming path.
      const key = typeof k === 'string' ? quoted(k) : fastRepr(k, 0, [], limit);
      const text = key === null ? null : fastRepr(v, level + 1, open, limit);
      if (text === null) return null;
      out += `${first ? '' : ', '}${key}: ${text}`;
      first = false;
      if (out.length >= limit) return null;
    }
  } else {
    const rec = obj as Record<string, unknown>;
    for (const k of Object.keys(rec)) {
      const text = fastRepr(rec[k], level + 1, open, limit);
      if (text === null) return null;
      out += `${first ? '' : ', '}${quoted(k)}: ${text}`;
      first = false;
      if (out.length >= limit) return null;
    }
  }
  open.pop();
  return out + end;
}

/** Celery's streaming saferepr, which knows where to cut. */
function streamingRepr(value: unknown, maxLen: number): string {
  let remaining: number | null = maxLen > 0 ? maxLen : null;
  const frames: { items: Item[]; i: number }[] = [{ items: [{ kind: 'val', value }], i: 0 }];
  const seen = new Set<object>();
  let level = 0;
  let out = '';
  const next = (): Item | undefined => {
    for (let top = frames.at(-1); top; top = frames.at(-1)) {
      if (top.i < top.items.length) return top.items[top.i++];
      frames.pop();
    }
    return undefined;
  };
  for (let item = next(); item; item = next()) {
    let token: Token;
    if (item.kind === 'dirty') {
      seen.delete(item.obj);
      continue;
    } else if (item.kind === 'lit') {
      level += item.direction;
      token = item;
    } else if (item.kind === 'key') {
      token = item;
    } else if (typeof item.value === 'string') {
      token = { kind: 'quoted', value: item.value };
    } else if (item.value instanceof Uint8Array) {
      token = { kind: 'text', value: bytesText(item.value, remaining) };
    } else {
      const scalar = scalarText(item.value);
      if (scalar !== null) token = { kind: 'text', value: scalar };
      else {
        const obj = item.value as object;
        const shape = container(obj);
        if (shape === null || shape === 'empty-set') token = { kind: 'text', value: 'set()' };
        else if (level >= MAX_LEVELS) token = { kind: 'text', value: `${shape[0].value}...${shape[1].value}` };
        else if (seen.has(obj)) token = { kind: 'text', value: `<Recursion on ${Array.isArray(obj) ? 'list' : 'dict'}>` };
        else {
          seen.add(obj);
          frames.push({ items: [shape[0], ...shape[2], { kind: 'dirty', obj }, shape[1]], i: 0 });
          continue;
        }
      }
    }
    if (remaining !== null && remaining <= 0) {
      out += ', ...';
      // Close what is still open (the current token is dropped, as in Celery).
      for (let f = frames.length - 1; f >= 0; f--) {
        const frame = frames[f];
        if (!frame) continue;
        for (let i = frame.i; i < frame.items.length; i++) {
          const rest = frame.items[i];
          if (rest?.kind === 'lit' && !rest.truncate) out += rest.value;
        }
      }
      break;
    }
    let text: string;
    if (token.kind === 'lit') text = token.value;
    else if (token.kind === 'key') text = pythonRepr(token.value, remaining ?? 0);
    else if (token.kind === 'quoted') text = `'${truncate(token.value, remaining).replace(/'/g, "\\'")}'`;
    else text = truncate(token.value, remaining);
    out += text;
    if (remaining !== null) remaining -= text.length;
  }
  return out;
}

/** `argsrepr` of positional arguments, as a tuple: `(2, 3)`, `(1,)`, `()`. */
export function argsRepr(args: readonly unknown[], maxLen = 1024): string {
  return pythonRepr(new PyTuple(args), maxLen);
}

/** `kwargsrepr` of keyword arguments: `{'y': 5}`. */
export function kwargsRepr(kwargs: Readonly<Record<string, unknown>>, maxLen = 1024): string {
  return pythonRepr(kwargs, maxLen);
}
