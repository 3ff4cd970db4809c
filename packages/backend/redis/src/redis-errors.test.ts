import { BackendError, ConnectionError } from '@q/core';
import { describe, expect, it } from 'vitest';
import { connectError, execTransaction, redisCall, toQError } from './redis-errors.js';

describe('redis errors', () => {
  it('maps lost connections to retryable ConnectionErrors and the rest to BackendErrors, keeping the cause', () => {
    const lost = new Error('connect ECONNREFUSED 127.0.0.1:6379');
    const mapped = toQError(lost, 'GET');
    expect(mapped).toBeInstanceOf(ConnectionError);
    expect(mapped).toMatchObject({ code: 'Q_ERR_CONNECTION_LOST', retryable: true, cause: lost });
    const wrong = toQError(new Error('WRONGTYPE Operation against a key'), 'GET');
    expect(wrong).toBeInstanceOf(BackendError);
    expect(wrong).toMatchObject({ code: 'Q_ERR_BACKEND_FAILED', retryable: false });
    expect(toQError(wrong, 'x')).toBe(wrong);
  });

  it('redisCall rethrows mapped errors; execTransaction surfaces command errors and aborts', async () => {
    await expect(redisCall('DEL', () => Promise.reject(new Error('Connection is closed.')))).rejects.toBeInstanceOf(ConnectionError);
    await expect(execTransaction('T', { exec: async () => [[null, 1], [null, 'OK']] })).resolves.toEqual([1, 'OK']);
    await expect(execTransaction('T', { exec: async () => [[new Error('ERR bad'), null]] })).rejects.toThrow(/T failed: ERR bad/);
    await expect(execTransaction('T', { exec: async () => null })).rejects.toThrow(/aborted/);
  });

  it('connectError: a server certificate that fails TLS verification is final and named; the rest stays retryable', () => {
    const tls = Object.assign(new Error('self-signed certificate in certificate chain'), { code: 'SELF_SIGNED_CERT_IN_CHAIN' });
    const final = connectError(tls, 'connect', 'rediss://h:6380/0');
    expect(final).toBeInstanceOf(ConnectionError);
    expect(final).toMatchObject({ code: 'Q_ERR_CONNECTION_FAILED', retryable: false, cause: tls });
    expect(final.message).toMatch(/^cannot connect to rediss:\/\/h:6380\/0: the server's TLS certificate failed verification .*\(SELF_SIGNED_CERT_IN_CHAIN\)$/);
    // What connectClient rejects with for anything else (a refused or reset connection).
    expect(connectError(new Error('Connection is closed.'), 'connect', 'redis://h/0')).toMatchObject({ code: 'Q_ERR_CONNECTION_LOST', retryable: true });
  });
});
