/**
 * The certificates whose signatures are trusted (Celery's `CertStore`, filled from `security_cert_store`), by id.
 */
import { ConfigError, SerializationError } from '../errors/q-error.js';
import { isOutOfValidity, parseCertificate, type Certificate } from './certificate.js';

/** Trusted certificates by id (`issuer serial`). */
export class CertStore {
  readonly #certs = new Map<string, Certificate>();

  /**
   * @param pems PEM certificates (a PEM text may hold several).
   * @throws ConfigError `Q_ERR_CONFIG_INVALID` for a text that is not a certificate, or two with the same id.
   */
  constructor(pems: readonly string[] = []) {
    pems.forEach((pem, i) => {
      const blocks = splitPem(pem);
      if (blocks.length === 0) throw new ConfigError('Q_ERR_CONFIG_INVALID', `security.certStore[${i}]: no PEM certificate in it`);
      for (const block of blocks) this.add(parseCertificate(block, `security.certStore[${i}]`));
    });
  }

  /** Adds a certificate. @throws ConfigError `Q_ERR_CONFIG_INVALID` when one with its id is there already. */
  add(cert: Certificate): void {
    if (this.#certs.has(cert.id)) throw new ConfigError('Q_ERR_CONFIG_INVALID', `security.certStore: duplicate certificate ${JSON.stringify(cert.id)}`);
    this.#certs.set(cert.id, cert);
  }

  /** Number of certificates. */
  get size(): number {
    return this.#certs.size;
  }

  /** The certificates. */
  certificates(): Certificate[] {
    return [...this.#certs.values()];
  }

  /**
   * The certificate a message names as its signer, valid at `now`.
   * @throws SerializationError `Q_ERR_CERTIFICATE_UNKNOWN` (not in the store) or `Q_ERR_CERTIFICATE_EXPIRED`
   *   (expired, or not valid yet).
   */
  trusted(id: string, now: Date = new Date()): Certificate {
    const cert = this.#certs.get(id);
    if (!cert) throw new SerializationError('Q_ERR_CERTIFICATE_UNKNOWN', `auth: unknown certificate ${JSON.stringify(id)}: the signer is not in security.certStore`);
    if (isOutOfValidity(cert, now)) {
      const when = now < cert.validFrom ? `is not valid before ${cert.validFrom.toISOString()}` : `expired on ${cert.validTo.toISOString()}`;
      throw new SerializationError('Q_ERR_CERTIFICATE_EXPIRED', `auth: the signer's certificate ${JSON.stringify(id)} ${when}`);
    }
    return cert;
  }
}

/** The `-----BEGIN CERTIFICATE-----` blocks of a PEM text. */
function splitPem(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}
