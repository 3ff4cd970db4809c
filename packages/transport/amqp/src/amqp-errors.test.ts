/** amqplib errors → q errors: broker refusals are final, closed channels and connections retryable. */
import { describe, expect, it } from 'vitest';
import { connectError, isClosedError, toQError } from './amqp-errors.js';

const withCode = (message: string, code: number): Error => Object.assign(new Error(message), { code });
const illegal = (message: string): Error => Object.assign(new Error(message), { name: 'IllegalOperationError' });

describe('amqp errors', () => {
  it('maps a reply code to Q_ERR_BROKER_REFUSED, not retryable (CONNECTION_FORCED excepted)', () => {
    const err = toQError(withCode("Operation failed: QueueDeclare; 406 (PRECONDITION-FAILED) with message \"inequivalent arg 'durable'\"", 406), 'declare queue "q"', 'amqp://h//');
    expect(err).toMatchObject({ code: 'Q_ERR_BROKER_REFUSED', retryable: false });
    expect(err.message).toContain('PRECONDITION-FAILED');
    expect(toQError(withCode('Connection closed: 320 (CONNECTION-FORCED)', 320), 'publish', 'h')).toMatchObject({ code: 'Q_ERR_CONNECTION_LOST', retryable: true });
  });

  it('maps closed channels and connections to Q_ERR_CONNECTION_LOST, retryable; codec errors to Q_ERR_SERIALIZE_FAILED', () => {
    for (const e of [illegal('Channel closed'), new Error('channel closed'), new Error('Channel ended, no reply will be forthcoming'), new Error('Heartbeat timeout')]) {
      expect(isClosedError(e)).toBe(true);
      expect(toQError(e, 'publish', 'h')).toMatchObject({ code: 'Q_ERR_CONNECTION_LOST', retryable: true });
    }
    expect(isClosedError(withCode('404 NOT_FOUND', 404))).toBe(false);
    expect(toQError(new TypeError('h: a function cannot be sent'), 'publish', 'h')).toMatchObject({ code: 'Q_ERR_SERIALIZE_FAILED' });
  });

  it('makes refused credentials and vhosts final, unreachable brokers retryable', () => {
    expect(connectError(new Error('Handshake terminated by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - Login was refused"'), 'h')).toMatchObject({ retryable: false });
    expect(connectError(new Error('Expected ConnectionOpenOk; got <ConnectionClose channel:0>'), 'h').message).toMatch(/refused to open the vhost/);
    expect(connectError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'h')).toMatchObject({ code: 'Q_ERR_CONNECTION_FAILED', retryable: true });
  });

  it('makes a broker certificate that fails TLS verification final, naming the cause; other TLS errors stay retryable', () => {
    const tlsError = (message: string, code: string): Error => Object.assign(new Error(message), { code });
    for (const [message, code] of [
      ['self-signed certificate in certificate chain', 'SELF_SIGNED_CERT_IN_CHAIN'],
      ['unable to verify the first certificate', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
      ['certificate has expired', 'CERT_HAS_EXPIRED'],
      ["Hostname/IP does not match certificate's altnames", 'ERR_TLS_CERT_ALTNAME_INVALID'],
    ]) {
      const err = connectError(tlsError(message as string, code as string), 'amqps://h//');
      expect(err).toMatchObject({ code: 'Q_ERR_CONNECTION_FAILED', retryable: false });
      expect(err.message).toContain(`TLS certificate failed verification (check ssl.ca and ssl.servername): ${message} (${code})`);
    }
    expect(connectError(tlsError('Client network socket disconnected before secure TLS connection was established', 'ECONNRESET'), 'h')).toMatchObject({ retryable: true });
  });
});
