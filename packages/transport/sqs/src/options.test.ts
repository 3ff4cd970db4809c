/** Options: typed > transport options (kombu names) > URL query > defaults; URL forms; masking; named errors. */
import { ConfigError } from '@q/core';
import { describe, expect, it } from 'vitest';
import { maskSqsUrl, parseSqsUrl, resolveSqsOptions } from './options.js';

describe('parseSqsUrl', () => {
  it('reads percent-decoded credentials, host:port and the query', () => {
    expect(parseSqsUrl('sqs://AKIA:se%2Fcr%2Bet@127.0.0.1:4566/?region=eu-west-1')).toEqual({
      credentials: { accessKeyId: 'AKIA', secretAccessKey: 'se/cr+et' },
      endpointHost: '127.0.0.1:4566',
      query: { region: 'eu-west-1' },
    });
    expect(parseSqsUrl('sqs://')).toEqual({ credentials: undefined, endpointHost: undefined, query: {} });
    expect(parseSqsUrl('sqs://key:secret@')).toMatchObject({ credentials: { accessKeyId: 'key', secretAccessKey: 'secret' }, endpointHost: undefined });
  });

  it('rejects other schemes, paths and a key without a secret with Q_ERR_URL_INVALID, secret masked', () => {
    for (const bad of ['redis://x', 'sqs://k:s@host/queue', 'sqs://key@host', 'sqs://k:s@bad host']) {
      const err = (() => {
        try {
          parseSqsUrl(bad);
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).code).toBe('Q_ERR_URL_INVALID');
    }
    expect(() => parseSqsUrl('sqs://k:topsecret@host/queue')).toThrow(/sqs:\/\/k:\*\*\*@host/);
  });
});

describe('resolveSqsOptions', () => {
  it('has kombu defaults', () => {
    const o = resolveSqsOptions();
    expect(o).toMatchObject({
      url: 'sqs://',
      region: undefined,
      endpoint: undefined,
      credentials: undefined,
      queueNamePrefix: '',
      visibilityTimeoutMs: 1_800_000,
      waitTimeSeconds: 10,
      pollingIntervalMs: 1000,
      base64Encoding: true,
      maxReceiveCount: 5,
      maxAttempts: 8,
      creationAttributes: {},
    });
  });

  it('reads kombu names from the query and the transport options; transport options win over the query, typed options over both', () => {
    const url = 'sqs://k:s@localhost:4566?region=eu-west-1&visibility_timeout=60&queue_name_prefix=q-&wait_time_seconds=5&polling_interval=0.5&sqs_base64_encoding=false';
    expect(resolveSqsOptions(url)).toMatchObject({
      region: 'eu-west-1',
      endpoint: 'http://localhost:4566',
      credentials: { accessKeyId: 'k', secretAccessKey: 's' },
      visibilityTimeoutMs: 60_000,
      queueNamePrefix: 'q-',
      waitTimeSeconds: 5,
      pollingIntervalMs: 500,
      base64Encoding: false,
    });
    const t = resolveSqsOptions({ url, transportOptions: { region: 'us-west-2', visibility_timeout: 30, is_secure: true } });
    expect(t).toMatchObject({ region: 'us-west-2', visibilityTimeoutMs: 30_000, endpoint: 'https://localhost:4566' });
    const typed = resolveSqsOptions({ url, transportOptions: { region: 'us-west-2' }, region: 'ap-south-1', visibilityTimeoutMs: 5000, endpoint: 'http://e:1' });
    expect(typed).toMatchObject({ region: 'ap-south-1', visibilityTimeoutMs: 5000, endpoint: 'http://e:1' });
  });

  it('reads predefined_queues, sqs-creation-attributes (JSON in the query), dead_letter_queue and max_receive_count', () => {
    const o = resolveSqsOptions({
      url: 'sqs://?sqs-creation-attributes={"MessageRetentionPeriod":"3600"}&dead_letter_queue=dlq&max_receive_count=3',
      transportOptions: { predefined_queues: { celery: { url: 'https://sqs.eu-west-1.amazonaws.com/1/celery', access_key_id: 'a', secret_access_key: 'b', region: 'eu-west-1' } } },
    });
    expect(o.creationAttributes).toEqual({ MessageRetentionPeriod: '3600' });
    expect(o.deadLetterQueue).toBe('dlq');
    expect(o.maxReceiveCount).toBe(3);
    expect(o.predefinedQueues).toEqual({ celery: { url: 'https://sqs.eu-west-1.amazonaws.com/1/celery', accessKeyId: 'a', secretAccessKey: 'b', region: 'eu-west-1' } });
  });

  it('names the bad option: Q_ERR_CONFIG_INVALID from transport options, Q_ERR_URL_INVALID from the query', () => {
    const code = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return `${(e as ConfigError).code} ${(e as Error).message}`;
      }
      return undefined;
    };
    expect(code(() => resolveSqsOptions({ transportOptions: { visibility_timeout: 'soon' } }))).toMatch(/^Q_ERR_CONFIG_INVALID transport option visibility_timeout/);
    expect(code(() => resolveSqsOptions({ transportOptions: { wait_time_seconds: 30 } }))).toMatch(/^Q_ERR_CONFIG_INVALID transport option wait_time_seconds/);
    expect(code(() => resolveSqsOptions('sqs://?sqs_base64_encoding=maybe'))).toMatch(/^Q_ERR_URL_INVALID .*sqs_base64_encoding/);
    expect(code(() => resolveSqsOptions({ transportOptions: { predefined_queues: { a: { nourl: 1 } } } }))).toMatch(/predefined_queues\.a/);
    expect(code(() => resolveSqsOptions({ transportOptions: { 'sqs-creation-attributes': '{' } }))).toMatch(/sqs-creation-attributes/);
  });

  it('refuses a region that is not an AWS region name on AWS, not on an endpoint of its own (emulators name regions freely)', () => {
    expect(() => resolveSqsOptions({ region: 'eu_west' })).toThrow(/region "eu_west" is not an AWS region name/);
    expect(() => resolveSqsOptions('sqs://?region=Frankfurt')).toThrow(ConfigError);
    for (const region of ['us-east-1', 'us-gov-west-1', 'ap-southeast-5', 'eu-isoe-west-1', 'cn-north-1']) {
      expect(resolveSqsOptions({ region }).region).toBe(region);
    }
    expect(resolveSqsOptions('sqs://k:s@127.0.0.1:9324?region=elasticmq').region).toBe('elasticmq');
  });

  it('masks the secret', () => {
    expect(maskSqsUrl('sqs://AKIA:se%2Fcret@host:1?region=x')).toBe('sqs://AKIA:***@host:1?region=x');
    expect(maskSqsUrl('sqs://')).toBe('sqs://');
  });
});
