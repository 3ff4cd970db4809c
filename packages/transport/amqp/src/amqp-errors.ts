/**
 * Maps amqplib errors to q errors. A broker refusal (an AMQP channel or connection error with a reply code:
 * PRECONDITION_FAILED for a declaration whose flags differ, NOT_FOUND, ACCESS_REFUSED) is `Q_ERR_BROKER_REFUSED`,
 * final; anything about a closed channel or connection is `Q_ERR_CONNECTION_LOST`, retryable. A connection attempt
 * refused for its credentials or vhost, or whose TLS handshake rejected the broker's certificate, is final too.
 */
import { ConnectionError, QError, SerializationError, isQError } from '@q/core';
import { tlsVerifyCode } from '@q/core/adapter';

/** AMQP reply codes q names in messages. */
export const REPLY_CODES: Readonly<Record<number, string>> = {
  311: 'CONTENT_TOO_LARGE',
  320: 'CONNECTION_FORCED',
  403: 'ACCESS_REFUSED',
  404: 'NOT_FOUND',
  405: 'RESOURCE_LOCKED',
  406: 'PRECONDITION_FAILED',
  530: 'NOT_ALLOWED',
  540: 'NOT_IMPLEMENTED',
  541: 'INTERNAL_ERROR',
};

/** The AMQP reply code of an amqplib error (channel or connection close), if any. */
export function replyCode(error: unknown): number | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : null;
}

function text(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** True for errors that only say a channel or the connection is gone (the operation may be retried). */
export function isClosedError(error: unknown): boolean {
  if (replyCode(error) !== null) return replyCode(error) === 320;
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'IllegalOperationError') return true;
  return /channel closed|channel ended|connection closed|socket closed|unexpected close|heartbeat timeout|ECONNRESET|EPIPE/i.test(text(error));
}

/** Wraps `error` from operation `op` against `where` (a masked URL). */
export function toQError(error: unknown, op: string, where: string): Error {
  if (isQError(error)) return error;
  const code = replyCode(error);
  if (code !== null && code !== 320) {
    return new QError('Q_ERR_BROKER_REFUSED', `AMQP ${op} refused by ${where}: ${text(error)}`, { cause: error, retryable: false });
  }
  if (error instanceof TypeError || error instanceof RangeError) {
    return new SerializationError('Q_ERR_SERIALIZE_FAILED', `AMQP ${op}: ${text(error)}`, { cause: error });
  }
  return new ConnectionError('Q_ERR_CONNECTION_LOST', `AMQP ${op} failed on ${where}: ${text(error)}`, { cause: error, retryable: true });
}

/**
 * The error of a failed connection attempt: refusals of credentials or vhost, and a broker certificate that fails
 * verification, are final; the rest retryable.
 */
export function connectError(error: unknown, where: string): Error {
  if (isQError(error)) return error;
  let msg = text(error);
  // amqplib does not say why the broker answered connection.open with a close: the vhost does not exist, or the
  // user may not use it.
  const vhost = /Expected ConnectionOpenOk; got <ConnectionClose/.test(msg);
  if (vhost) msg = `the broker refused to open the vhost (it does not exist, or the user has no permission on it): ${msg}`;
  const code = tlsVerifyCode(error);
  const tls = code !== null;
  if (tls) msg = `the broker's TLS certificate failed verification (check ssl.ca and ssl.servername): ${msg} (${code})`;
  const refused = vhost || tls || /ACCESS[-_]REFUSED|NOT[-_]ALLOWED|SASL mechanism/i.test(msg);
  return new ConnectionError('Q_ERR_CONNECTION_FAILED', `cannot connect to ${where}: ${msg}`, { cause: error, retryable: !refused });
}
