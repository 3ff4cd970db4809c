/**
 * What `app.setupSecurity()` does (Celery's `app.setup_security()`): builds the `auth` serializer from the
 * `security.*` settings (or the arguments), and the configuration that uses it: `task.serializer` is `auth` and
 * `accept` is `['auth']`, so unsigned messages are refused.
 */
import type { Serializer } from '../contracts/serializer.js';
import type { ResolvedConfig } from '../config/options.js';
import { deepFreeze } from '../config/config-schema.js';
import { ConfigError } from '../errors/q-error.js';
import type { SerializerRegistry } from '../serialization/registry.js';
import { authSerializer } from './auth-serializer.js';

/** Arguments of `app.setupSecurity()`: each one overrides its `security.*` setting. Values are PEM text. */
export interface SecurityOptions {
  /** PEM private key that signs (Celery `key`, a file name there). */
  key?: string;
  /** PEM certificate of `key` (Celery `cert`). */
  certificate?: string;
  /** Trusted PEM certificates (Celery `store`, a directory or glob there). */
  certStore?: readonly string[];
  /** Digest (default `sha256`). */
  digest?: string;
  /** Serializer of the body before signing (default `json`). */
  serializer?: string;
}

/**
 * The `auth` serializer for `registry` and the configuration that signs every task message and accepts only signed
 * ones.
 * @throws ConfigError `Q_ERR_CONFIG_INVALID` when the key, the certificate or the store is missing (Celery's
 *   "you have to configure the security_key, security_certificate and security_cert_store settings") or cannot be
 *   read, or the inner serializer is `auth`.
 */
export function secureConfig(conf: ResolvedConfig, options: SecurityOptions, registry: SerializerRegistry): { conf: ResolvedConfig; serializer: Serializer } {
  const settings = {
    key: options.key ?? conf.security.key,
    certificate: options.certificate ?? conf.security.certificate,
    certStore: options.certStore ?? conf.security.certStore,
    digest: options.digest ?? conf.security.digest,
    serializer: options.serializer ?? conf.security.serializer,
  };
  const missing = [
    settings.key ? null : 'security.key',
    settings.certificate ? null : 'security.certificate',
    settings.certStore.length > 0 ? null : 'security.certStore',
  ].filter((m): m is string => m !== null);
  if (missing.length > 0) {
    throw new ConfigError('Q_ERR_CONFIG_INVALID', `setupSecurity: ${missing.join(', ')} must be set to sign and verify messages (PEM text)`);
  }
  if (settings.serializer === 'auth') throw new ConfigError('Q_ERR_CONFIG_INVALID', 'security.serializer: cannot be "auth" itself');
  const serializer = authSerializer({
    key: settings.key,
    certificate: settings.certificate,
    certStore: settings.certStore,
    digest: settings.digest,
    serializer: () => registry.byName(settings.serializer),
    serializerFor: (contentType) => registry.byContentType(contentType),
  });
  const secured = { ...conf, accept: ['auth'], task: { ...conf.task, serializer: 'auth' }, security: settings };
  return { conf: deepFreeze(secured), serializer };
}
