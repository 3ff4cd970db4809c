import { describe, expect, it } from 'vitest';
import { ConfigError, NotRegisteredError, QError, RemoteError, isQError } from './q-error.js';

describe('QError', () => {
  it('carries code, cause and retryable', () => {
    const cause = new Error('boom');
    const err = new ConfigError('Q_ERR_CONFIG_INVALID', 'broker.url: bad', { cause, retryable: false });
    expect(err.code).toBe('Q_ERR_CONFIG_INVALID');
    expect(err.cause).toBe(cause);
    expect(err.retryable).toBe(false);
    expect(err.name).toBe('ConfigError');
    expect(err).toBeInstanceOf(ConfigError);
    expect(err).toBeInstanceOf(QError);
    expect(err).not.toBeInstanceOf(NotRegisteredError);
  });

  it('instanceof works for an error from another copy of the package (brand, not prototype)', () => {
    const foreign = Object.assign(new Error('x'), {});
    Object.defineProperty(foreign, Symbol.for('q.error.kind'), { value: ['ConfigError', 'QError'] });
    Object.defineProperty(foreign, Symbol.for('q.error'), { value: true });
    expect(foreign).toBeInstanceOf(ConfigError);
    expect(foreign).toBeInstanceOf(QError);
    expect(isQError(foreign)).toBe(true);
    expect(new Error('plain')).not.toBeInstanceOf(QError);
  });

  it('RemoteError formats the remote type and message', () => {
    const err = new RemoteError({ excType: 'ValueError', excModule: 'builtins', excArgs: ['bad thing'], traceback: 'tb' });
    expect(err.message).toBe('ValueError: bad thing');
    expect(err.remoteTraceback).toBe('tb');
    expect(err).toBeInstanceOf(QError);
  });
});
