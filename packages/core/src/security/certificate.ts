/**
 * An X.509 certificate of the message-signing serializer (Celery's `celery.security.certificate.Certificate`):
 * its id (`issuer serial`, what a signed message names as its signer), its RSA public key and its validity.
 */
import { X509Certificate, type KeyObject } from 'node:crypto';
import { ConfigError } from '../errors/q-error.js';
import { issuerAndSerial } from './der.js';

/** A parsed certificate. Build one with {@link parseCertificate}. */
export interface Certificate {
  /**
   * Celery's `get_id()`: the issuer's attribute values joined by spaces, a space, the serial number in decimal
   * (`US q tests q signing test CA 4097`).
   */
  readonly id: string;
  /** The RSA public key that verifies the signer's signatures. */
  readonly publicKey: KeyObject;
  /** Size of the RSA modulus in bits (the signature is this many bits long). */
  readonly keyBits: number;
  /** Start of the validity (`notBefore`). */
  readonly validFrom: Date;
  /** End of the validity (`notAfter`): from then on its signatures are refused. */
  readonly validTo: Date;
  /** The certificate as PEM text. */
  readonly pem: string;
}

/**
 * Parses a PEM certificate with an RSA key (Celery's signatures are RSA-PSS).
 * @param what names the setting in errors (`security.certStore[1]`).
 * @throws ConfigError `Q_ERR_CONFIG_INVALID` when it is not a PEM certificate or its key is not RSA.
 */
export function parseCertificate(pem: string, what: string): Certificate {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(pem);
  } catch (cause) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `${what}: not a PEM certificate (${describe(cause)})`, { cause });
  }
  const publicKey = x509.publicKey;
  const keyBits = publicKey.asymmetricKeyDetails?.modulusLength;
  if (publicKey.asymmetricKeyType !== 'rsa' || keyBits === undefined) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `${what}: the certificate's key is ${publicKey.asymmetricKeyType ?? 'unknown'}, not RSA (Celery signs with RSA-PSS)`);
  }
  let parsed: { serial: bigint; issuerValues: string[] };
  try {
    parsed = issuerAndSerial(new Uint8Array(x509.raw));
  } catch (cause) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `${what}: cannot read the issuer and serial number (${describe(cause)})`, { cause });
  }
  return Object.freeze({
    id: `${parsed.issuerValues.join(' ')} ${parsed.serial.toString()}`,
    publicKey,
    keyBits,
    validFrom: new Date(x509.validFrom),
    validTo: new Date(x509.validTo),
    pem: x509.toString(),
  });
}

/** True when `now` is past the certificate's `notAfter` (Celery's `has_expired`) or before its `notBefore`. */
export function isOutOfValidity(cert: Certificate, now: Date): boolean {
  return now.getTime() >= cert.validTo.getTime() || now.getTime() < cert.validFrom.getTime();
}

function describe(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
