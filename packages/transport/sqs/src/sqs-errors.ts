/**
 * Maps AWS SDK errors to q errors (the native error is kept as `cause`): bad credentials, signatures or missing
 * permissions are final {@link ConnectionError}s naming the endpoint and the AWS code; an unreachable endpoint and
 * throttling or 5xx left after the SDK's own retries are retryable; a missing queue is named.
 */
import { ConfigError, ConnectionError, isQError } from '@q/core';

/** AWS codes that no retry can fix: credentials, signatures, permissions. */
const AUTH_CODES = new Set([
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'UnrecognizedClientException',
  'AccessDenied',
  'AccessDeniedException',
  'InvalidSecurity',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'InvalidAccessKeyId',
  'ExpiredToken',
  'ExpiredTokenException',
  'AuthFailure',
  'OptInRequired',
  'RequestExpired',
  'KMS.AccessDeniedException',
]);

const MISSING_QUEUE_CODES = new Set(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'NonExistentQueue']);

interface AwsErrorShape {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

/** The AWS error code of `error` (the Query-protocol code when the service sent one), or `undefined`. */
export function awsErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as AwsErrorShape;
  // A service reply has an HTTP status; a network failure (ECONNREFUSED, a timeout) has none.
  if (e.$metadata?.httpStatusCode === undefined) return undefined;
  return e.Code ?? e.name;
}

/** Whether `error` says the queue does not exist. */
export function isMissingQueue(error: unknown): boolean {
  const code = awsErrorCode(error);
  return code !== undefined && (MISSING_QUEUE_CODES.has(code) || code.endsWith('NonExistentQueue'));
}

/** Whether `error` is a credential, signature or permission error. */
export function isAuthError(error: unknown): boolean {
  const code = awsErrorCode(error);
  return code !== undefined && AUTH_CODES.has(code);
}

/** A DNS "no such name" for an `amazonaws.com` host: the region (which names the host) does not exist. */
function isUnknownAwsHost(error: unknown): boolean {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; hostname?: unknown };
  return e.code === 'ENOTFOUND' && typeof e.hostname === 'string' && /(^|\.)amazonaws\.com(\.cn)?$/.test(e.hostname);
}

/** Wraps `error` of SQS operation `op` against `where` (the endpoint or region). */
export function toQError(error: unknown, op: string, where: string): Error {
  if (isQError(error)) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as AwsErrorShape;
  const message = error instanceof Error ? error.message : String(error);
  const code = awsErrorCode(error);
  if (code === undefined && isUnknownAwsHost(error)) {
    return new ConnectionError(
      'Q_ERR_CONNECTION_FAILED',
      `SQS ${op} failed on ${where}: ${message}. No such AWS endpoint: check the region.`,
      { cause: error, retryable: false },
    );
  }
  if (code === undefined) {
    return new ConnectionError('Q_ERR_CONNECTION_LOST', `SQS ${op} failed on ${where}: ${message}`, { cause: error, retryable: true });
  }
  if (AUTH_CODES.has(code)) {
    return new ConnectionError(
      'Q_ERR_CONNECTION_FAILED',
      `SQS refused the credentials on ${where} (${code}): ${message}. Check the access key, secret, region and IAM permissions.`,
      { cause: error, retryable: false },
    );
  }
  if (isMissingQueue(error)) {
    return new ConfigError('Q_ERR_CONFIG_INVALID', `SQS ${op} failed on ${where}: the queue does not exist (${code})`, { cause: error });
  }
  const server = e.$fault === 'server' || (e.$metadata?.httpStatusCode ?? 0) >= 500 || /throttl/i.test(code);
  return new ConnectionError('Q_ERR_CONNECTION_FAILED', `SQS ${op} failed on ${where} (${code}): ${message}`, { cause: error, retryable: server });
}

/** Runs `fn`, mapping its error with {@link toQError}. */
export async function guarded<T>(op: string, where: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw toQError(error, op, where);
  }
}
