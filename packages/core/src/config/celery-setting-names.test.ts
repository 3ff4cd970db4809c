import { describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import { ConfigError } from '../errors/q-error.js';
import { CELERY_SETTING_NAMES, createAppExample, qOptionForCelerySetting } from './celery-setting-names.js';
import { num } from './config-schema.js';
import type { AppOptions } from './options.js';
import { resolveConfig } from './resolve-config.js';

function messageOf(options: unknown): string {
  try {
    resolveConfig(options as AppOptions);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toMatchObject({ code: 'Q_ERR_CONFIG_INVALID' });
    return (err as ConfigError).message;
  }
  throw new Error('expected resolveConfig to throw');
}

/** `{ task: { serializer: value } }` for `task.serializer`. */
function nested(path: string, value: unknown): Record<string, unknown> {
  return path.split('.').reduceRight<unknown>((acc, key) => ({ [key]: acc }), value) as Record<string, unknown>;
}

describe("Celery's setting names in createApp", () => {
  it('name the q option to use, with how to write it', () => {
    expect(() => createApp({ broker_url: 'redis://localhost:6379/0' } as AppOptions)).toThrow(
      "broker_url is not an option (it is Celery's setting name; q's option is broker: createApp({ broker: … }))",
    );
    expect(messageOf({ result_backend: 'redis://' })).toBe(
      "result_backend is not an option (it is Celery's setting name; q's option is backend: createApp({ backend: … }))",
    );
    expect(messageOf({ task_serializer: 'json' })).toBe(
      "task_serializer is not an option (it is Celery's setting name; q's option is task.serializer: createApp({ task: { serializer: … } }))",
    );
    expect(messageOf({ worker_prefetch_multiplier: 1 })).toContain("q's option is worker.prefetchMultiplier: createApp({ worker: { prefetchMultiplier: … } })");
    expect(messageOf({ broker_transport_options: {} })).toContain("q's option is brokerOptions.transportOptions");
    // Celery 5.2.6 applies result_compression to the task messages it sends.
    expect(messageOf({ result_compression: 'gzip' })).toContain("q's option is task.compression");
  });

  it("read Celery 3's uppercase names too", () => {
    expect(messageOf({ BROKER_URL: 'redis://' })).toContain("q's option is broker:");
    expect(messageOf({ CELERY_RESULT_BACKEND: 'redis://' })).toContain("q's option is backend:");
    expect(messageOf({ CELERY_TASK_SERIALIZER: 'json' })).toContain("q's option is task.serializer:");
    expect(qOptionForCelerySetting('CELERYD_CONCURRENCY')).toBeNull();
  });

  it('map each listed setting to an option createApp accepts', () => {
    for (const [celery, path] of Object.entries(CELERY_SETTING_NAMES)) {
      expect(() => resolveConfig(nested(path, undefined) as AppOptions), `${celery} → ${path}`).not.toThrow();
    }
    expect(Object.keys(CELERY_SETTING_NAMES).length).toBeGreaterThan(40);
  });

  it('leave other names to the closest-key suggestion, reading snake_case as camelCase', () => {
    expect(messageOf({ embedded_dir: '/tmp/q' })).toBe('embedded_dir is not an option (did you mean embeddedDir?)');
    expect(messageOf({ brokerOptions: { connection_retry: false } })).toBe(
      'brokerOptions.connection_retry is not an option (did you mean brokerOptions.connectionRetry?)',
    );
    expect(messageOf({ task: { acks_late: true } })).toBe('task.acks_late is not an option (did you mean task.acksLate?)');
    expect(messageOf({ zzzzzzzzzz: 1 })).toBe('zzzzzzzzzz is not an option');
  });

  it('do not apply inside a group, where the key is not a Celery setting', () => {
    expect(messageOf({ task: { task_serializer: 'json' } })).toBe('task.task_serializer is not an option');
  });

  it('write the example for any depth', () => {
    expect(createAppExample('broker')).toBe('createApp({ broker: … })');
    expect(createAppExample('result.backendOptions')).toBe('createApp({ result: { backendOptions: … } })');
  });
});

describe('expected-value wording', () => {
  it('puts "an" before a vowel: an integer, an object, an array', () => {
    expect(() => num({ int: true })(1.5, 'x')).toThrow('x: expected an integer (got 1.5)');
    expect(() => num({ int: true, positive: true })(0, 'y')).toThrow('y: expected a positive integer (got 0)');
    expect(messageOf({ name: {} })).toBe('name: expected a string (got an object)');
    expect(messageOf({ task: { maxRetries: 1.5 } })).toBe('task.maxRetries: expected a non-negative integer or null (got 1.5)');
    expect(messageOf({ accept: 'json' })).toBe('accept: expected an array (got "json")');
    expect(messageOf({ plugins: [{ setup() {} }] })).toBe('plugins[0].name: expected a non-empty string (got undefined)');
    expect(messageOf({ timezone: () => 'UTC' })).toBe('timezone: expected a string (got a function)');
  });
});
