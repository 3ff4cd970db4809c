/** Parsers for the text arguments of protocol 0/1 opcodes (INT, LONG, FLOAT, STRING, UNICODE, PUT, GET). */
import { MAX_INT_DIGITS } from './python-int.js';

/** Python's `int(text, 0)` for the forms pickle writes (decimal, 0x/0o/0b), or null when it is not one. */
export function parsePythonInt(text: string): bigint | null {
  const m = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|[1-9][0-9]*|0+)\s*$/.exec(text);
  if (!m) return null;
  const body = m[2] as string;
  if (body.length > MAX_INT_DIGITS) return null;
  const x = /^0+$/.test(body) ? 0n : BigInt(body);
  return m[1] === '-' ? -x : x;
}

/** Python's `float(text)`, or null when it is not a float literal. */
export function parsePythonFloat(text: string): number | null {
  const t = text.trim();
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(t)) return NaN;
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
  return Number(t);
}

const SIMPLE_ESCAPES = new Map(Object.entries({ '\n': '', '\\': '\\', "'": "'", '"': '"', b: '\b', f: '\f', t: '\t', n: '\n', r: '\r', v: '\v', a: '\x07' }));

/** Python's `codecs.escape_decode` (the STRING opcode's body) to latin-1 text, or null on a bad escape. */
export function decodeEscapes(text: string): string | null {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    i++;
    if (i >= text.length) return null;
    const e = text[i] as string;
    const simple = SIMPLE_ESCAPES.get(e);
    if (simple !== undefined) out += simple;
    else if (e >= '0' && e <= '7') {
      let code = 0;
      let k = 0;
      while (k < 3 && i < text.length && (text[i] as string) >= '0' && (text[i] as string) <= '7') {
        code = code * 8 + Number(text[i]);
        i++;
        k++;
      }
      i--;
      out += String.fromCharCode(code & 0xff);
    } else if (e === 'x') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return null;
      out += String.fromCharCode(parseInt(hex, 16));
      i += 2;
    } else out += `\\${e}`;
  }
  return out;
}

/** Python's `raw-unicode-escape` decoding (the UNICODE opcode's body, given as latin-1 text), or null. */
export function decodeRawUnicodeEscape(text: string): string | null {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c !== '\\') {
      out += c;
      i++;
      continue;
    }
    let run = 0;
    while (i < text.length && text[i] === '\\') {
      run++;
      i++;
    }
    const next = text[i];
    if (run % 2 === 0 || (next !== 'u' && next !== 'U')) {
      out += '\\'.repeat(run);
      continue;
    }
    out += '\\'.repeat(run - 1);
    const width = next === 'u' ? 4 : 8;
    const hex = text.slice(i + 1, i + 1 + width);
    if (hex.length !== width || !/^[0-9a-fA-F]+$/.test(hex)) return null;
    const cp = parseInt(hex, 16);
    if (cp > 0x10ffff) return null;
    out += String.fromCodePoint(cp);
    i += 1 + width;
  }
  return out;
}
