/**
 * File names for arbitrary keys and queue names: letters, digits and `-_.@` are kept, every other byte is
 * percent-encoded (UTF-8), a leading `.` is encoded too, and names too long for a file system are shortened with
 * a hash. Distinct inputs give distinct names (except on case-insensitive file systems, where `A` and `a` collide).
 */
import { createHash } from 'node:crypto';

/** Longest name kept verbatim (file systems allow 255 bytes; room is left for prefixes and suffixes). */
const MAX_NAME = 160;

/** A file-system-safe name for `key`. */
export function safeName(key: string): string {
  let out = '';
  for (const byte of new TextEncoder().encode(key)) {
    const c = String.fromCharCode(byte);
    const keep = /[A-Za-z0-9_\-.@]/.test(c) && !(out.length === 0 && c === '.');
    out += keep ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (out.length === 0) return '%';
  if (out.length <= MAX_NAME) return out;
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 32);
  return `${out.slice(0, MAX_NAME - 34)}~${hash}`;
}
