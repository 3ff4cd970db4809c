/**
 * Node's codes for a server certificate that failed verification: OpenSSL's X509 verify errors (`UNABLE_TO_…`,
 * `CERT_…`, `SELF_SIGNED_CERT_IN_CHAIN`, …) and the host name check. Retrying a connection cannot fix them, so
 * adapters report them as final (`retryable: false`).
 */
const TLS_VERIFY_CODE =
  /^(UNABLE_TO_\w+|CERT_\w+|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|INVALID_CA|PATH_LENGTH_EXCEEDED|INVALID_PURPOSE|HOSTNAME_MISMATCH|ERR_TLS_CERT_ALTNAME_INVALID)$/;

/** The verification code of `error` when it is a TLS certificate verification failure, else `null`. */
export function tlsVerifyCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && TLS_VERIFY_CODE.test(code) ? code : null;
}
