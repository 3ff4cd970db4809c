/**
 * Celery's `auth` serializer (`celery.security.serialization.SecureSerializer`): the body is serialized with the
 * inner serializer (`json`), signed with RSA-PSS, and sent as the base64 of
 * `signer \x00\x01 signature \x00\x01 content_type \x00\x01 content_encoding \x00\x01 body`, where `signer` is the
 * id of the sender's certificate. Receiving, the signer must be in the certificate store and valid now, and the
 * signature must verify, before the body is decoded. It signs; it does not encrypt.
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { Serializer } from '../contracts/serializer.js';
import { ConfigError, SerializationError } from '../errors/q-error.js';
import { parseCertificate, type Certificate } from './certificate.js';
import { CertStore } from './cert-store.js';
import { pssOptions, signingDigest } from './digest.js';

/** Content type of signed messages (kombu registers `auth` as `application/data`). */
export const AUTH_CONTENT_TYPE = 'application/data';

const SEP = Uint8Array.of(0x00, 0x01);
const encoder = new TextEncoder();
const utf8 = new TextDecoder('utf-8', { fatal: true });
const ascii = new TextDecoder('latin1');

/** Options of {@link authSerializer}. */
export interface AuthSerializerOptions {
  /** PEM private key (RSA) that signs; without it (or `certificate`) this serializer only verifies. */
  key?: string | null;
  /** PEM certificate of `key`: its id names the signer. */
  certificate?: string | null;
  /** Trusted certificates: PEM texts or a {@link CertStore}. */
  certStore?: CertStore | readonly string[];
  /** Digest (Celery `security_digest`, default `sha256`). */
  digest?: string;
  /** Serializer of the body before signing, or a function giving it when a message is signed (a plugin's). */
  serializer: Serializer | (() => Serializer);
  /** The serializer of a received body's inner content type (the app's registry). */
  serializerFor: (contentType: string) => Serializer;
  /** Clock of the validity checks (default: now). */
  now?: () => Date;
}

/**
 * The `auth` serializer.
 * @throws ConfigError `Q_ERR_CONFIG_INVALID` for a key or certificate that cannot be read, a key that is not the
 *   certificate's, or an unknown digest.
 */
export function authSerializer(options: AuthSerializerOptions): Serializer & { readonly certStore: CertStore } {
  const digest = signingDigest(options.digest ?? 'sha256');
  const store = options.certStore instanceof CertStore ? options.certStore : new CertStore(options.certStore ?? []);
  const signer = signerOf(options.key ?? null, options.certificate ?? null);
  const now = options.now ?? (() => new Date());
  const innerOf = typeof options.serializer === 'function' ? options.serializer : ((s: Serializer) => () => s)(options.serializer);

  return {
    name: 'auth',
    contentType: AUTH_CONTENT_TYPE,
    contentEncoding: 'utf-8',
    certStore: store,
    encode(value: unknown): Uint8Array {
      if (!signer) {
        throw new SerializationError('Q_ERR_SERIALIZE_FAILED', 'auth: cannot sign without security.key and security.certificate');
      }
      const inner = innerOf();
      if (inner.contentType === AUTH_CONTENT_TYPE) throw new SerializationError('Q_ERR_SERIALIZE_FAILED', 'auth: security.serializer cannot be "auth" itself');
      const body = inner.encode(value);
      const signature = sign(digest.name, body, { key: signer.key, ...pssOptions(signer.cert.keyBits, digest) });
      const parts = [encoder.encode(signer.cert.id), signature, encoder.encode(inner.contentType), encoder.encode(inner.contentEncoding), body];
      const packed = Buffer.concat(parts.flatMap((p, i) => (i === 0 ? [p] : [SEP, p])));
      return encoder.encode(packed.toString('base64'));
    },
    decode(bytes: Uint8Array): unknown {
      const raw = Buffer.from(ascii.decode(bytes), 'base64');
      const first = raw.indexOf(SEP);
      if (first <= 0) throw malformed('no signer');
      const id = text(raw.subarray(0, first), 'the signer');
      const cert = store.trusted(id, now());
      const sigEnd = first + 2 + (cert.keyBits >> 3);
      if (raw.length < sigEnd + 2 || raw[sigEnd] !== 0x00 || raw[sigEnd + 1] !== 0x01) throw malformed(`the signature is not ${cert.keyBits >> 3} bytes`);
      const signature = raw.subarray(first + 2, sigEnd);
      const rest = raw.subarray(sigEnd + 2);
      const typeEnd = rest.indexOf(SEP);
      const encodingEnd = typeEnd < 0 ? -1 : rest.indexOf(SEP, typeEnd + 2);
      if (encodingEnd < 0) throw malformed('no content type and encoding');
      const contentType = text(rest.subarray(0, typeEnd), 'the content type');
      const body = rest.subarray(encodingEnd + 2);
      if (!verify(digest.name, body, { key: cert.publicKey, ...pssOptions(cert.keyBits, digest) }, signature)) {
        throw new SerializationError(
          'Q_ERR_MESSAGE_SIGNATURE_INVALID',
          `auth: bad signature (signer ${JSON.stringify(id)}): the body was changed, or signed with a key that is not this certificate's`,
        );
      }
      if (contentType === AUTH_CONTENT_TYPE) throw malformed('a signed body cannot be signed again');
      return options.serializerFor(contentType).decode(new Uint8Array(body.buffer, body.byteOffset, body.byteLength));
    },
  };
}

function malformed(why: string): SerializationError {
  return new SerializationError('Q_ERR_MESSAGE_SIGNATURE_INVALID', `auth: malformed signed message: ${why}`);
}

function text(bytes: Uint8Array, what: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw malformed(`${what} is not UTF-8`);
  }
}

/** The private key and its certificate, checked to belong together; `null` when neither is given. */
function signerOf(keyPem: string | null, certPem: string | null): { key: KeyObject; cert: Certificate } | null {
  if (keyPem === null && certPem === null) return null;
  if (keyPem === null || certPem === null) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `security.${keyPem === null ? 'key' : 'certificate'}: needed with security.${keyPem === null ? 'certificate' : 'key'} to sign`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch (cause) {
    // never the key's text in the message
    throw new ConfigError('Q_ERR_CONFIG_INVALID', 'security.key: not a PEM private key without a passphrase', { cause: new Error(cause instanceof Error ? cause.message : 'invalid key') });
  }
  const cert = parseCertificate(certPem, 'security.certificate');
  const spki = (k: KeyObject): string => k.export({ format: 'der', type: 'spki' }).toString('base64');
  if (spki(createPublicKey(key)) !== spki(cert.publicKey)) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `security.key: not the key of security.certificate (${JSON.stringify(cert.id)})`);
  }
  return { key, cert };
}
