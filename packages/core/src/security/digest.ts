/**
 * `security.digest` (Celery's `security_digest`, a name of `cryptography.hazmat.primitives.hashes` in any case:
 * `sha256`, `SHA512`, `sha3_256`) → the Node.js hash name, and the RSA-PSS parameters Celery signs with: MGF1 with
 * the same digest, salt of the maximum length.
 */
import { constants, createHash, getHashes } from 'node:crypto';
import { ConfigError } from '../errors/q-error.js';

/** A digest resolved for signing: its Node.js name and output size. */
export interface SigningDigest {
  /** Node.js name (`sha256`, `sha3-256`, `sha512-224`). */
  readonly name: string;
  /** Output size in bytes. */
  readonly size: number;
}

/** @throws ConfigError `Q_ERR_CONFIG_INVALID` naming `security.digest` when Node.js has no such hash. */
export function signingDigest(digest: string): SigningDigest {
  const name = digest.trim().toLowerCase().replace(/_/g, '-');
  if (!getHashes().includes(name)) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `security.digest: unknown digest ${JSON.stringify(digest)} (sha256, sha384, sha512, sha3_256, …)`);
  }
  return { name, size: createHash(name).digest().length };
}

/**
 * The RSA-PSS padding options of Node's `crypto.sign`/`verify` for a key of `keyBits` bits: Celery's
 * `PSS(mgf=MGF1(digest), salt_length=PSS.MAX_LENGTH)` (OpenSSL uses the signing digest for MGF1). The salt length
 * is given as a number, for verifying too, so a signature with another salt length is refused as Python refuses it.
 */
export function pssOptions(keyBits: number, digest: SigningDigest): { padding: number; saltLength: number } {
  const emLen = Math.ceil((keyBits - 1) / 8);
  return { padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: emLen - digest.size - 2 };
}
