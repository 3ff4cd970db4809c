/**
 * The little of DER that a certificate id needs: walk the `tbsCertificate` of an X.509 certificate to its serial
 * number and the attribute values of its issuer, decoded as Python's `cryptography` decodes them.
 */

/** One DER element: tag byte, content bounds. */
interface Element {
  readonly tag: number;
  readonly start: number;
  readonly end: number;
}

function read(der: Uint8Array, at: number): Element {
  const tag = der[at];
  let lengthByte = der[at + 1];
  if (tag === undefined || lengthByte === undefined) throw new Error('truncated DER');
  let start = at + 2;
  let length = lengthByte;
  if (lengthByte & 0x80) {
    const n = lengthByte & 0x7f;
    if (n === 0 || n > 4) throw new Error('unsupported DER length');
    length = 0;
    for (let i = 0; i < n; i++) {
      lengthByte = der[start + i];
      if (lengthByte === undefined) throw new Error('truncated DER');
      length = length * 256 + lengthByte;
    }
    start += n;
  }
  if (start + length > der.length) throw new Error('truncated DER');
  return { tag, start, end: start + length };
}

function children(der: Uint8Array, parent: Element): Element[] {
  const out: Element[] = [];
  for (let at = parent.start; at < parent.end; ) {
    const e = read(der, at);
    out.push(e);
    at = e.end;
  }
  return out;
}

/** A DER INTEGER (two's complement, big-endian) as a bigint. */
function integer(der: Uint8Array, e: Element): bigint {
  let v = 0n;
  for (let i = e.start; i < e.end; i++) v = (v << 8n) | BigInt(der[i] ?? 0);
  const bits = BigInt((e.end - e.start) * 8);
  if (e.end > e.start && ((der[e.start] ?? 0) & 0x80) !== 0) v -= 1n << bits;
  return v;
}

/** A directory string value by its ASN.1 string type. */
function text(der: Uint8Array, e: Element): string {
  const bytes = der.subarray(e.start, e.end);
  switch (e.tag) {
    case 0x1e: // BMPString: UTF-16BE
      return new TextDecoder('utf-16be').decode(bytes);
    case 0x1c: {
      // UniversalString: UTF-32BE
      let s = '';
      for (let i = 0; i + 3 < bytes.length; i += 4) {
        s += String.fromCodePoint((((bytes[i] ?? 0) << 24) | ((bytes[i + 1] ?? 0) << 16) | ((bytes[i + 2] ?? 0) << 8) | (bytes[i + 3] ?? 0)) >>> 0);
      }
      return s;
    }
    case 0x14: // T61String: cryptography decodes it as latin-1
      return new TextDecoder('latin1').decode(bytes);
    default: // UTF8String, PrintableString, IA5String, NumericString, VisibleString
      return new TextDecoder('utf-8').decode(bytes);
  }
}

/** The serial number and the issuer's attribute values (in order) of a DER-encoded X.509 certificate. */
export function issuerAndSerial(der: Uint8Array): { serial: bigint; issuerValues: string[] } {
  const cert = read(der, 0);
  const tbsElement = children(der, cert)[0];
  if (!tbsElement) throw new Error('not a certificate');
  const tbs = children(der, tbsElement);
  // version is an optional explicit [0] tag
  const offset = tbs[0]?.tag === 0xa0 ? 1 : 0;
  const serial = tbs[offset];
  const issuer = tbs[offset + 2];
  if (serial?.tag !== 0x02 || issuer?.tag !== 0x30) throw new Error('not a certificate');
  const issuerValues: string[] = [];
  for (const rdn of children(der, issuer)) {
    for (const attribute of children(der, rdn)) {
      const value = children(der, attribute)[1];
      if (value) issuerValues.push(text(der, value));
    }
  }
  return { serial: integer(der, serial), issuerValues };
}
