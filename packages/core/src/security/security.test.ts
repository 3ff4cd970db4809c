import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDefaultRegistry } from '../serialization/registry.js';
import { authSerializer, AUTH_CONTENT_TYPE } from './auth-serializer.js';
import { parseCertificate } from './certificate.js';
import { CertStore } from './cert-store.js';
import { pssOptions, signingDigest } from './digest.js';
import { sign } from 'node:crypto';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
const vectors = JSON.parse(fixture('python-vectors.json')) as {
  certificates: Record<string, string>;
  value: unknown;
  signed: { digest: string; payload: string }[];
};
const alice = { key: fixture('alice.key'), certificate: fixture('alice.pem') };
const registry = createDefaultRegistry();
const json = registry.byName('json');
const base = { serializer: json, serializerFor: (ct: string) => registry.byContentType(ct) };
const store = [fixture('alice.pem'), fixture('bob.pem')];
const encode = (s: string): Uint8Array => new TextEncoder().encode(s);
const unpack = (bytes: Uint8Array): Buffer => Buffer.from(new TextDecoder().decode(bytes), 'base64');
const repack = (raw: Buffer): Uint8Array => encode(raw.toString('base64'));

describe('certificate ids', () => {
  it.each(['alice', 'bob', 'expired', 'mallory'])("%s's id is Celery's get_id()", (name) => {
    expect(parseCertificate(fixture(`${name}.pem`), name).id).toBe(vectors.certificates[name]);
  });

  it('reads the validity of an expired certificate', () => {
    const cert = parseCertificate(fixture('expired.pem'), 'expired');
    expect(cert.validTo.toISOString()).toBe('2001-01-01T00:00:00.000Z');
    expect(cert.keyBits).toBe(2048);
  });
});

describe('the auth serializer', () => {
  it('is kombu\'s application/data, utf-8', () => {
    const s = authSerializer({ ...base, ...alice, certStore: store });
    expect([s.name, s.contentType, s.contentEncoding]).toEqual(['auth', AUTH_CONTENT_TYPE, 'utf-8']);
  });

  it.each(['sha256', 'sha1', 'sha512'])('verifies and decodes a body Python Celery signed (%s)', (digest) => {
    const vector = vectors.signed.find((v) => v.digest === digest);
    const s = authSerializer({ ...base, certStore: store, digest });
    expect(s.decode(encode(vector?.payload ?? ''))).toEqual(vectors.value);
  });

  it('round-trips, and packs signer, signature, content type, encoding and the json body', () => {
    const s = authSerializer({ ...base, ...alice, certStore: store });
    const bytes = s.encode(vectors.value);
    expect(s.decode(bytes)).toEqual(vectors.value);
    const raw = unpack(bytes);
    const sep = Buffer.from([0, 1]);
    const signer = raw.subarray(0, raw.indexOf(sep)).toString();
    expect(signer).toBe(vectors.certificates['alice']);
    const rest = raw.subarray(signer.length + 2 + 256 + 2).toString();
    expect(rest.split('\x00\x01')).toEqual(['application/json', 'utf-8', new TextDecoder().decode(json.encode(vectors.value))]);
  });

  it('signs with the digest given, and a verifier with another digest refuses it', () => {
    const s512 = authSerializer({ ...base, ...alice, certStore: store, digest: 'SHA512' });
    expect(s512.decode(s512.encode([1]))).toEqual([1]);
    const s256 = authSerializer({ ...base, certStore: store });
    expect(() => s256.decode(s512.encode([1]))).toThrow(expect.objectContaining({ code: 'Q_ERR_MESSAGE_SIGNATURE_INVALID' }));
  });

  it('refuses a tampered body', () => {
    const s = authSerializer({ ...base, ...alice, certStore: store });
    const raw = unpack(s.encode({ amount: 1 }));
    const tampered = Buffer.from(raw.toString('latin1').replace('"amount": 1', '"amount": 9'), 'latin1');
    expect(tampered.equals(raw)).toBe(false);
    expect(() => s.decode(repack(tampered))).toThrow(expect.objectContaining({ code: 'Q_ERR_MESSAGE_SIGNATURE_INVALID', message: expect.stringMatching(/bad signature/) }));
  });

  it('refuses a body signed with another key under a trusted certificate id', () => {
    const s = authSerializer({ ...base, ...alice, certStore: store });
    const raw = unpack(s.encode([1, 2]));
    // mallory signs the same bytes with her key, but names alice as the signer
    const body = Buffer.from(json.encode([1, 2]));
    const digest = signingDigest('sha256');
    const forged = sign(digest.name, body, { key: fixture('mallory.key'), ...pssOptions(2048, digest) });
    const id = Buffer.from(vectors.certificates['alice'] ?? '');
    forged.copy(raw, id.length + 2);
    expect(() => s.decode(repack(raw))).toThrow(expect.objectContaining({ code: 'Q_ERR_MESSAGE_SIGNATURE_INVALID' }));
  });

  it('refuses a signer that is not in the store', () => {
    const mallory = authSerializer({ ...base, key: fixture('mallory.key'), certificate: fixture('mallory.pem') });
    const s = authSerializer({ ...base, certStore: store });
    expect(() => s.decode(mallory.encode([1]))).toThrow(expect.objectContaining({ code: 'Q_ERR_CERTIFICATE_UNKNOWN', message: expect.stringContaining(vectors.certificates['mallory'] ?? '?') }));
  });

  it('refuses a signer whose certificate expired, and one not valid yet', () => {
    const expired = authSerializer({ ...base, key: fixture('expired.key'), certificate: fixture('expired.pem') });
    const s = authSerializer({ ...base, certStore: [...store, fixture('expired.pem')] });
    expect(() => s.decode(expired.encode([1]))).toThrow(expect.objectContaining({ code: 'Q_ERR_CERTIFICATE_EXPIRED', message: expect.stringMatching(/expired on 2001-01-01/) }));
    const early = authSerializer({ ...base, certStore: store, now: () => new Date('1999-01-01T00:00:00Z') });
    const signed = authSerializer({ ...base, ...alice, certStore: store }).encode([1]);
    expect(() => early.decode(signed)).toThrow(expect.objectContaining({ code: 'Q_ERR_CERTIFICATE_EXPIRED', message: expect.stringMatching(/not valid before/) }));
  });

  it('refuses a body that is not a signed message', () => {
    const s = authSerializer({ ...base, certStore: store });
    expect(() => s.decode(json.encode([1]))).toThrow(expect.objectContaining({ code: 'Q_ERR_MESSAGE_SIGNATURE_INVALID' }));
    const id = vectors.certificates['alice'] ?? '';
    expect(() => s.decode(repack(Buffer.from(`${id}\x00\x01short\x00\x01`, 'latin1')))).toThrow(expect.objectContaining({ code: 'Q_ERR_MESSAGE_SIGNATURE_INVALID', message: expect.stringMatching(/256 bytes/) }));
  });

  it('cannot sign without a key, and refuses a key that is not the certificate\'s', () => {
    expect(() => authSerializer({ ...base, certStore: store }).encode([1])).toThrow(expect.objectContaining({ code: 'Q_ERR_SERIALIZE_FAILED' }));
    expect(() => authSerializer({ ...base, key: fixture('mallory.key'), certificate: alice.certificate })).toThrow(
      expect.objectContaining({ code: 'Q_ERR_CONFIG_INVALID', message: expect.stringMatching(/security.key: not the key of security.certificate/) }),
    );
    expect(() => authSerializer({ ...base, key: 'not a key', certificate: alice.certificate })).toThrow(
      expect.objectContaining({ code: 'Q_ERR_CONFIG_INVALID', message: 'security.key: not a PEM private key without a passphrase' }),
    );
    expect(() => authSerializer({ ...base, key: alice.key })).toThrow(expect.objectContaining({ code: 'Q_ERR_CONFIG_INVALID' }));
    expect(() => authSerializer({ ...base, digest: 'nope' })).toThrow(expect.objectContaining({ message: expect.stringMatching(/security.digest/) }));
  });

  it('refuses a store with two certificates of one id, or a text with no certificate', () => {
    expect(() => new CertStore([fixture('alice.pem'), fixture('alice.pem')])).toThrow(/duplicate certificate/);
    expect(() => new CertStore(['hello'])).toThrow(/security.certStore\[0\]: no PEM certificate/);
    expect(new CertStore([fixture('alice.pem') + fixture('bob.pem')]).size).toBe(2);
  });
});
