/** Python `int` ↔ the little-endian two's-complement bytes of LONG1/LONG4 (`pickle.encode_long`/`decode_long`). */

/** Python's default limit on decimal digits converted to or from `int` (`sys.int_info.default_max_str_digits`). */
export const MAX_INT_DIGITS = 4300;

/** Bytes of `x` as `pickle.encode_long(x)` writes them (minimal two's complement, little-endian; empty for 0). */
export function encodeLong(x: bigint): Uint8Array {
  if (x === 0n) return new Uint8Array(0);
  const abs = x < 0n ? -x : x;
  const bits = abs.toString(2).length;
  let nbytes = (bits >> 3) + 1;
  const twos = x < 0n ? (1n << BigInt(nbytes * 8)) + x : x;
  let hex = twos.toString(16);
  hex = hex.padStart(nbytes * 2, '0');
  const out = new Uint8Array(Buffer.from(hex, 'hex').reverse());
  if (x < 0n && nbytes > 1 && out[nbytes - 1] === 0xff && ((out[nbytes - 2] as number) & 0x80) !== 0) nbytes--;
  return out.subarray(0, nbytes);
}

/** The `int` that LONG1/LONG4 bytes stand for (`pickle.decode_long`). */
export function decodeLong(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let x = BigInt(`0x${Buffer.from(bytes).reverse().toString('hex')}`);
  if (((bytes[bytes.length - 1] as number) & 0x80) !== 0) x -= 1n << BigInt(bytes.length * 8);
  return x;
}

/** A JS number when the integer is safe, else the bigint (what decoding gives for a Python `int`). */
export function intValue(x: bigint): number | bigint {
  return x >= BigInt(Number.MIN_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x;
}
