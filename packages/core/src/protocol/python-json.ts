/**
 * JSON text exactly as Python's `json.dumps` writes it with kombu's defaults (separators `", "` and `": "`,
 * `ensure_ascii=True`, `allow_nan=True`), and a parser that accepts everything Python writes (`NaN`,
 * `Infinity`, `-Infinity`, integers beyond 2^53).
 */
import { SerializationError } from '../errors/index.js';
import { toIsoWithOffset } from './time.js';

const HEX = '0123456789abcdef';
/** Characters Python's `ensure_ascii` leaves alone: printable ASCII except `"` and `\`. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** A JSON string literal with Python's `ensure_ascii` escaping (`\u00e9`, surrogate pairs, lowercase hex). */
export function pyJsonString(text: string): string {
  if (PLAIN.test(text)) return `"${text}"`;
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x20 && c <= 0x7e && c !== 0x22 && c !== 0x5c) {
      out += text[i];
      continue;
    }
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
  return `${out}"`;
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

function write(value: unknown, seen: Set<object>, inArray: boolean): string | undefined {
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
  if (seen.has(obj)) fail('cannot serialize a circular structure as JSON');
  seen.add(obj);
  try {
    if (Array.isArray(obj)) {
      if (obj.length === 0) return '[]';
      const parts: string[] = [];
      for (const item of obj as unknown[]) parts.push(write(item, seen, true) ?? 'null');
      return `[${parts.join(', ')}]`;
    }
    if (obj instanceof Map) {
      const parts: string[] = [];
      for (const [k, v] of obj as Map<unknown, unknown>) {
        const text = write(v, seen, false);
        if (text !== undefined) parts.push(`${pyJsonString(String(k))}: ${text}`);
      }
      return `{${parts.join(', ')}}`;
    }
    if (obj instanceof Set) return write([...(obj as Set<unknown>)], seen, inArray);
    const toJSON = (obj as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return write((toJSON as () => unknown).call(obj), seen, inArray);
    const parts: string[] = [];
    for (const key of Object.keys(obj)) {
      const text = write((obj as Record<string, unknown>)[key], seen, false);
      if (text !== undefined) parts.push(`${pyJsonString(key)}: ${text}`);
    }
    return `{${parts.join(', ')}}`;
  } finally {
    seen.delete(obj);
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
  return write(value, new Set(), false) ?? 'null';
}

/**
 * Digit runs long enough to be unsafe integers (2^53 has 16 digits), not counting fraction digits
 * (`0.005923101000007591`, common in event runtimes). Long digit runs inside strings only cost speed.
 */
const LONG_DIGITS = /(?<![\d.])\d{16}(?![\d]*[.eE])/;

/**
 * Parse JSON text as Python writes it. Accepts `NaN`, `Infinity` and `-Infinity`; integers outside the
 * safe range come back as `bigint`, all other numbers as `number`. Ordinary input goes through `JSON.parse`;
 * the slower exact parser runs only when the text has special floats or long digit runs.
 *
 * @throws SyntaxError on invalid text, naming the position.
 */
export function pyJsonParse(text: string): unknown {
  if (!LONG_DIGITS.test(text)) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // Fall through: NaN/Infinity, or really invalid (the parser below reports where).
    }
  }
  return new PyJsonParser(text).parseDocument();
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

/** A strict recursive-descent JSON parser with Python's extensions. */
class PyJsonParser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseDocument(): unknown {
    this.skip();
    const value = this.value();
    this.skip();
    if (this.pos < this.text.length) this.error('unexpected data after the JSON value');
    return value;
  }

  private error(message: string): never {
    throw new SyntaxError(`${message} at position ${this.pos} in JSON`);
  }

  private skip(): void {
    while (this.pos < this.text.length && WS.has(this.text.charCodeAt(this.pos))) this.pos++;
  }

  private literal(word: string, value: unknown): unknown {
    if (!this.text.startsWith(word, this.pos)) this.error('unexpected token');
    this.pos += word.length;
    return value;
  }

  private value(): unknown {
    const ch = this.text[this.pos];
    switch (ch) {
      case '{':
        return this.object();
      case '[':
        return this.array();
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      case 'N':
        return this.literal('NaN', NaN);
      case 'I':
        return this.literal('Infinity', Infinity);
      case undefined:
        return this.error('unexpected end of input');
      default:
        if (ch === '-' && this.text.startsWith('-Infinity', this.pos)) return this.literal('-Infinity', -Infinity);
        return this.number();
    }
  }

  private number(): number | bigint {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (!m) return this.error('unexpected token');
    this.pos = NUMBER.lastIndex;
    const n = Number(m[0]);
    if (m[1] === undefined && m[2] === undefined && !Number.isSafeInteger(n)) return BigInt(m[0]);
    return n;
  }

  private string(): string {
    const text = this.text;
    let i = ++this.pos;
    let out = '';
    let start = i;
    for (;;) {
      const c = text.charCodeAt(i);
      if (Number.isNaN(c)) {
        this.pos = i;
        this.error('unterminated string');
      }
      if (c === 0x22) break;
      if (c < 0x20) {
        this.pos = i;
        this.error('control character in string');
      }
      if (c !== 0x5c) {
        i++;
        continue;
      }
      out += text.slice(start, i);
      const esc = text[i + 1];
      i += 2;
      switch (esc) {
        case '"':
        case '\\':
        case '/':
          out += esc;
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'u': {
          const hex = text.slice(i, i + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
            this.pos = i;
            this.error('invalid \\u escape');
          }
          out += String.fromCharCode(parseInt(hex, 16));
          i += 4;
          break;
        }
        default:
          this.pos = i - 1;
          this.error('invalid escape');
      }
      start = i;
    }
    out += text.slice(start, i);
    this.pos = i + 1;
    return out;
  }

  private array(): unknown[] {
    this.pos++;
    const out: unknown[] = [];
    this.skip();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skip();
      out.push(this.value());
      this.skip();
      const ch = this.text[this.pos++];
      if (ch === ']') return out;
      if (ch !== ',') {
        this.pos--;
        this.error("expected ',' or ']'");
      }
    }
  }

  private object(): Record<string, unknown> {
    this.pos++;
    const out: Record<string, unknown> = {};
    this.skip();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skip();
      if (this.text[this.pos] !== '"') this.error('expected a string key');
      const key = this.string();
      this.skip();
      if (this.text[this.pos] !== ':') this.error("expected ':'");
      this.pos++;
      this.skip();
      const value = this.value();
      // defineProperty keeps "__proto__" an own key, as JSON.parse does.
      Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
      this.skip();
      const ch = this.text[this.pos++];
      if (ch === '}') return out;
      if (ch !== ',') {
        this.pos--;
        this.error("expected ',' or '}'");
      }
    }
  }
}
