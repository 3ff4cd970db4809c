import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors/q-error.js';
import type { AppOptions } from './options.js';
import { resolveConfig } from './resolve-config.js';

describe('include (the task modules q commands import after the app module)', () => {
  it('defaults to none', () => {
    expect(resolveConfig({}).include).toEqual([]);
  });

  it('keeps the specifiers as given, in order, frozen', () => {
    const conf = resolveConfig({ include: ['./tasks/math.ts', '@acme/email-tasks'] });
    expect(conf.include).toEqual(['./tasks/math.ts', '@acme/email-tasks']);
    expect(Object.isFrozen(conf.include)).toBe(true);
  });

  it('rejects what is not a list of non-empty strings, naming the entry', () => {
    expect(() => resolveConfig({ include: './tasks.ts' } as unknown as AppOptions)).toThrow(ConfigError);
    expect(() => resolveConfig({ include: ['./a.ts', ''] })).toThrow(/include\[1\]/);
  });
});
