/**
 * The exact (slow) JSON parser behind `pyJsonParse`: Python's `NaN`/`Infinity`/`-Infinity`, integers beyond
 * 2^53 as `bigint`, and errors that name the position. `pyJsonParse` uses it only when `JSON.parse` cannot.
 */
const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

/** A strict recursive-descent JSON parser with Python's extensions (`NaN`, `Infinity`, exact big integers). */
export class PyJsonParser {
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
