/** AWS errors → q errors. */
import { ConfigError, ConnectionError } from '@q/core';
import { describe, expect, it } from 'vitest';
import { isMissingQueue, toQError } from './sqs-errors.js';

const aws = (name: string, status: number, fault: 'client' | 'server' = 'client'): Error =>
  Object.assign(new Error(`${name} happened`), { name, $fault: fault, $metadata: { httpStatusCode: status } });

describe('toQError', () => {
  it('credential, signature and permission errors are final connection errors naming the endpoint and code', () => {
    for (const code of ['InvalidClientTokenId', 'SignatureDoesNotMatch', 'UnrecognizedClientException', 'AccessDenied', 'InvalidSecurity']) {
      const native = aws(code, 403);
      const err = toQError(native, 'ListQueues', 'http://e:1') as ConnectionError;
      expect(err).toBeInstanceOf(ConnectionError);
      expect(err).toMatchObject({ code: 'Q_ERR_CONNECTION_FAILED', retryable: false, cause: native });
      expect(err.message).toContain('http://e:1');
      expect(err.message).toContain(code);
    }
  });

  it('the Query-protocol code (x-amzn-query-error) wins over the JSON name', () => {
    const native = Object.assign(aws('UnrecognizedClientException', 400), { Code: 'InvalidClientTokenId' });
    expect(toQError(native, 'op', 'w').message).toContain('InvalidClientTokenId');
  });

  it('an unreachable endpoint is a retryable connection error; throttling and 5xx are retryable, other 4xx not', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED', $metadata: { attempts: 8 } });
    expect(toQError(refused, 'ListQueues', 'w')).toMatchObject({ code: 'Q_ERR_CONNECTION_LOST', retryable: true, cause: refused });
    expect(toQError(aws('ThrottlingException', 400), 'op', 'w')).toMatchObject({ retryable: true });
    expect(toQError(aws('ServiceUnavailable', 503, 'server'), 'op', 'w')).toMatchObject({ retryable: true });
    expect(toQError(aws('InvalidParameterValue', 400), 'op', 'w')).toMatchObject({ code: 'Q_ERR_CONNECTION_FAILED', retryable: false });
  });

  it("an AWS host that does not resolve (a region that does not exist) is final; another host's DNS failure is not", () => {
    const dns = (hostname: string): Error =>
      Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname, $metadata: { attempts: 1 } });
    const noRegion = toQError(dns('sqs.eu-fake-9.amazonaws.com'), 'ListQueues', 'AWS SQS (region eu-fake-9)');
    expect(noRegion).toMatchObject({ code: 'Q_ERR_CONNECTION_FAILED', retryable: false });
    expect(noRegion.message).toContain('check the region');
    expect(toQError(dns('sqs.local'), 'ListQueues', 'http://sqs.local:9324')).toMatchObject({ code: 'Q_ERR_CONNECTION_LOST', retryable: true });
  });

  it('a missing queue is a named ConfigError', () => {
    for (const code of ['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue']) {
      const native = aws(code, 400);
      expect(isMissingQueue(native)).toBe(true);
      expect(toQError(native, 'GetQueueUrl', 'w')).toBeInstanceOf(ConfigError);
    }
    expect(isMissingQueue(new Error('QueueDoesNotExist'))).toBe(false);
  });
});
