/**
 * Reads Python pickles (protocols 0–5) that hold plain data, refusing every opcode that would name, import or
 * call a Python object. Iterative (explicit stack), lengths checked against the remaining input before anything
 * is allocated, work linear in the input size.
 */
import { SerializationError } from '@q/core';
import { FORBIDDEN_OPCODES, HIGHEST_PROTOCOL, OP } from './opcodes.js';
import { malformed, unsafe } from './pickle-errors.js';
import { decodeEscapes, decodeRawUnicodeEscape, parsePythonFloat, parsePythonInt } from './pickle-text.js';
import { decodeLong, intValue } from './python-int.js';
import { decodeUtf8SurrogatePass } from './utf8-surrogatepass.js';

/**
 * Largest magnitude of an `int` dict key (2**1024): converting a key to a string costs time in its size, and one
 * key can be reused any number of times through the memo, so the size is capped to keep work linear in the input.
 */
const MAX_INT_KEY = 2n ** 1024n;

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}

/**
 * Unpickles `bytes` into plain JS values: `None` → `null`, `bool` → boolean, `int` → number when it is a safe
 * integer else bigint, `float` → number, `str` → string, `bytes`/`bytearray` → `Uint8Array`, `list`/`tuple` →
 * array, `dict` → plain object (keys: `str` as is, `int`/`float`/`bool`/`None` keys through `String()`), `set`/
 * `frozenset` → array in pickle order; protocol 0/1 `STRING`/`BINSTRING`/`SHORT_BINSTRING` → latin-1 string.
 *
 * @throws SerializationError `Q_ERR_PICKLE_UNSAFE` at the first opcode that would import or call Python code
 *   (GLOBAL, STACK_GLOBAL, REDUCE, BUILD, INST, OBJ, NEWOBJ, NEWOBJ_EX, PERSID, BINPERSID, EXT1/2/4,
 *   NEXT_BUFFER, READONLY_BUFFER) — nothing from the data is ever run; `Q_ERR_DESERIALIZE_FAILED` when the data
 *   is truncated, has an unknown opcode, a bad stack or mark, a missing memo entry, or a dict key of another type.
 */
export function decodePickle(bytes: Uint8Array): unknown {
  try {
    return decode(bytes);
  } catch (err) {
    if (err instanceof SerializationError) throw err;
    throw new SerializationError('Q_ERR_DESERIALIZE_FAILED', `cannot unpickle: ${String(err)}`, { cause: err });
  }
}

function decode(data: Uint8Array): unknown {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  const lists = new WeakSet<unknown[]>();
  const sets = new WeakSet<unknown[]>();
  let pos = 0;
  let at = 0; // offset of the opcode being run

  const need = (n: number): number => {
    if (n > data.length - pos) throw malformed(`pickle data was truncated (needs ${n} more bytes, ${data.length - pos} left)`, at);
    const start = pos;
    pos += n;
    return start;
  };
  const take = (n: number): Uint8Array => {
    const start = need(n);
    return new Uint8Array(data.subarray(start, start + n)); // a copy: results never alias the input
  };
  const peek = (n: number): Uint8Array => {
    const start = need(n);
    return data.subarray(start, start + n);
  };
  const u8 = (): number => data[need(1)] as number;
  const u16 = (): number => view.getUint16(need(2), true);
  const u32 = (): number => view.getUint32(need(4), true);
  const i32 = (): number => view.getInt32(need(4), true);
  const u64 = (): number => {
    const start = need(8);
    const hi = view.getUint32(start + 4, true);
    if (hi > 0x1fffff) throw malformed('length does not fit in memory', at);
    return hi * 2 ** 32 + view.getUint32(start, true);
  };
  const line = (): string => {
    const end = data.indexOf(0x0a, pos);
    if (end === -1) throw malformed('pickle data was truncated (no end of line)', at);
    const text = latin1(data.subarray(pos, end));
    pos = end + 1;
    return text;
  };
  const fence = (): number => (marks.length === 0 ? 0 : (marks[marks.length - 1] as number));
  const push = (v: unknown): void => {
    stack.push(v);
  };
  const pop = (): unknown => {
    if (stack.length <= fence()) throw malformed('unpickling stack underflow', at);
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length <= fence()) throw malformed('unpickling stack underflow', at);
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const mark = marks.pop();
    if (mark === undefined) throw malformed('could not find MARK', at);
    return stack.splice(mark);
  };
  const str = (b: Uint8Array): string => {
    const s = decodeUtf8SurrogatePass(b);
    if (s === null) throw malformed('str is not valid UTF-8', at);
    return s;
  };
  const int = (text: string): bigint => {
    const x = parsePythonInt(text);
    if (x === null) throw malformed(`invalid int literal ${JSON.stringify(text.slice(0, 40))}`, at);
    return x;
  };
  const memoIndex = (x: bigint | number): number => {
    if (typeof x === 'bigint') {
      if (x < 0n || x > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed('invalid memo index', at);
      return Number(x);
    }
    return x;
  };
  const memoGet = (index: number): void => {
    if (!memo.has(index)) throw malformed(`memo key ${index} not found`, at);
    push(memo.get(index));
  };
  const isDict = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
  const setItems = (dict: unknown, items: unknown[]): void => {
    if (!isDict(dict)) throw malformed('SETITEM(S) on a value that is not a dict', at);
    if (items.length % 2 !== 0) throw malformed('odd number of items for SETITEMS', at);
    for (let i = 0; i < items.length; i += 2) {
      const key = dictKey(items[i], at);
      if (key === '__proto__') Object.defineProperty(dict, key, { value: items[i + 1], writable: true, enumerable: true, configurable: true });
      else dict[key] = items[i + 1];
    }
  };
  const list = (items: unknown[]): unknown[] => {
    lists.add(items);
    return items;
  };

  for (;;) {
    at = pos;
    if (pos >= data.length) throw malformed('pickle data was truncated (no STOP opcode)', at);
    const op = data[pos++] as number;
    switch (op) {
      case OP.PROTO: {
        const proto = u8();
        if (proto > HIGHEST_PROTOCOL) throw malformed(`unsupported pickle protocol: ${proto}`, at);
        break;
      }
      case OP.FRAME:
        // A frame only groups opcodes for buffered reading: its content is read opcode by opcode like the rest,
        // each read checked against the data that is really there, so nothing is allocated from this length.
        u64();
        break;
      case OP.STOP:
        return pop();
      case OP.MARK:
        marks.push(stack.length);
        break;
      case OP.POP:
        if (stack.length > fence()) stack.pop();
        else if (marks.pop() === undefined) throw malformed('unpickling stack underflow', at);
        break;
      case OP.POP_MARK:
        popMark();
        break;
      case OP.DUP:
        push(top());
        break;
      case OP.NONE:
        push(null);
        break;
      case OP.NEWTRUE:
        push(true);
        break;
      case OP.NEWFALSE:
        push(false);
        break;
      case OP.INT: {
        const text = line();
        push(text === '00' ? false : text === '01' ? true : intValue(int(text)));
        break;
      }
      case OP.LONG: {
        const text = line();
        push(intValue(int(text.endsWith('L') ? text.slice(0, -1) : text)));
        break;
      }
      case OP.BININT:
        push(i32());
        break;
      case OP.BININT1:
        push(u8());
        break;
      case OP.BININT2:
        push(u16());
        break;
      case OP.LONG1:
        push(intValue(decodeLong(take(u8()))));
        break;
      case OP.LONG4: {
        const n = i32();
        if (n < 0) throw malformed('LONG pickle has negative byte count', at);
        push(intValue(decodeLong(take(n))));
        break;
      }
      case OP.FLOAT: {
        const x = parsePythonFloat(line());
        if (x === null) throw malformed('invalid float literal', at);
        push(x);
        break;
      }
      case OP.BINFLOAT:
        push(view.getFloat64(need(8), false));
        break;
      case OP.STRING: {
        const text = line();
        const q = text[0];
        if (text.length < 2 || (q !== '"' && q !== "'") || text[text.length - 1] !== q) throw malformed('the STRING opcode argument must be quoted', at);
        const s = decodeEscapes(text.slice(1, -1));
        if (s === null) throw malformed('invalid escape in STRING', at);
        push(s);
        break;
      }
      case OP.BINSTRING: {
        const n = i32();
        if (n < 0) throw malformed('BINSTRING pickle has negative byte count', at);
        push(latin1(peek(n)));
        break;
      }
      case OP.SHORT_BINSTRING:
        push(latin1(peek(u8())));
        break;
      case OP.UNICODE: {
        const s = decodeRawUnicodeEscape(line());
        if (s === null) throw malformed('invalid escape in UNICODE', at);
        push(s);
        break;
      }
      case OP.SHORT_BINUNICODE:
        push(str(peek(u8())));
        break;
      case OP.BINUNICODE:
        push(str(peek(u32())));
        break;
      case OP.BINUNICODE8:
        push(str(peek(u64())));
        break;
      case OP.SHORT_BINBYTES:
        push(take(u8()));
        break;
      case OP.BINBYTES:
        push(take(u32()));
        break;
      case OP.BINBYTES8:
      case OP.BYTEARRAY8:
        push(take(u64()));
        break;
      case OP.EMPTY_LIST:
        push(list([]));
        break;
      case OP.EMPTY_TUPLE:
        push([]);
        break;
      case OP.EMPTY_DICT:
        push({});
        break;
      case OP.EMPTY_SET: {
        const s: unknown[] = [];
        sets.add(s);
        push(s);
        break;
      }
      case OP.LIST:
        push(list(popMark()));
        break;
      case OP.TUPLE:
      case OP.FROZENSET:
        push(popMark());
        break;
      case OP.TUPLE1:
      case OP.TUPLE2:
      case OP.TUPLE3: {
        const n = op - OP.TUPLE1 + 1;
        if (stack.length - fence() < n) throw malformed('unpickling stack underflow', at);
        push(stack.splice(stack.length - n));
        break;
      }
      case OP.DICT: {
        const items = popMark();
        const dict = {};
        setItems(dict, items);
        push(dict);
        break;
      }
      case OP.APPEND: {
        const v = pop();
        const target = top();
        if (!Array.isArray(target) || !lists.has(target)) throw malformed('APPEND to a value that is not a list', at);
        target.push(v);
        break;
      }
      case OP.APPENDS: {
        const items = popMark();
        const target = top();
        if (!Array.isArray(target) || !lists.has(target)) throw malformed('APPENDS to a value that is not a list', at);
        for (const item of items) target.push(item);
        break;
      }
      case OP.ADDITEMS: {
        const items = popMark();
        const target = top();
        if (!Array.isArray(target) || !sets.has(target)) throw malformed('ADDITEMS to a value that is not a set', at);
        for (const item of items) target.push(item);
        break;
      }
      case OP.SETITEM: {
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case OP.SETITEMS: {
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case OP.PUT:
        memo.set(memoIndex(int(line())), top());
        break;
      case OP.BINPUT:
        memo.set(u8(), top());
        break;
      case OP.LONG_BINPUT:
        memo.set(u32(), top());
        break;
      case OP.MEMOIZE:
        memo.set(memo.size, top());
        break;
      case OP.GET:
        memoGet(memoIndex(int(line())));
        break;
      case OP.BINGET:
        memoGet(u8());
        break;
      case OP.LONG_BINGET:
        memoGet(u32());
        break;
      default: {
        const name = FORBIDDEN_OPCODES.get(op);
        if (name !== undefined) throw unsafe(name, op, at);
        throw malformed(`unknown pickle opcode 0x${op.toString(16).padStart(2, '0')}`, at);
      }
    }
  }
}

/** The JS key for a Python dict key: `str` as is, `int`/`float`/`bool`/`None` through `String()`. */
function dictKey(key: unknown, at: number): string {
  if (typeof key === 'string') return key;
  if (typeof key === 'bigint') {
    if (key > MAX_INT_KEY || key < -MAX_INT_KEY) throw malformed('int dict key beyond 2**1024 is not supported', at);
    return String(key);
  }
  if (typeof key === 'number' || typeof key === 'boolean' || key === null) return String(key);
  const kind = Array.isArray(key) ? 'list/tuple/set' : key instanceof Uint8Array ? 'bytes' : 'dict';
  throw malformed(`dict key of type ${kind} cannot be a JS object key`, at);
}
