import { describe, expect, it } from 'vitest';
import { MaxRetriesExceededError, NotRegisteredError, RemoteError, TimeLimitExceededError } from '../errors/index.js';
import { encodeException, formatTraceback, isEncodedException, toRemoteError } from './exceptions.js';

class FooError extends Error {}

describe('encodeException', () => {
  it('maps JS built-ins to Python builtins', () => {
    expect(encodeException(new TypeError('t'))).toEqual({ exc_type: 'TypeError', exc_message: ['t'], exc_module: 'builtins' });
    expect(encodeException(new RangeError('r'))).toEqual({ exc_type: 'ValueError', exc_message: ['r'], exc_module: 'builtins' });
    expect(encodeException(new SyntaxError('s'))).toEqual({ exc_type: 'SyntaxError', exc_message: ['s'], exc_module: 'builtins' });
    expect(encodeException(new Error('e'))).toEqual({ exc_type: 'Exception', exc_message: ['e'], exc_module: 'builtins' });
    expect(encodeException('plain string')).toEqual({ exc_type: 'Exception', exc_message: ['plain string'], exc_module: 'builtins' });
  });

  it('sends custom classes with no module so Python builds a synthetic class', () => {
    expect(encodeException(new FooError('boom'))).toEqual({ exc_type: 'FooError', exc_message: ['boom'], exc_module: null });
    const named = Object.assign(new Error('x'), { name: 'BarError' });
    expect(encodeException(named).exc_type).toBe('BarError');
    class KeyError extends Error {}
    expect(encodeException(new KeyError('k'))).toEqual({ exc_type: 'KeyError', exc_message: ['k'], exc_module: 'builtins' });
  });

  it('honours explicit excType / excModule / excArgs', () => {
    const err = Object.assign(new Error('ignored'), { excType: 'Reject', excModule: 'celery.exceptions', excArgs: ['why', false] });
    expect(encodeException(err)).toEqual({ exc_type: 'Reject', exc_message: ['why', false], exc_module: 'celery.exceptions' });
  });

  it('re-encodes a RemoteError and maps q errors to their Celery counterparts', () => {
    const remote = new RemoteError({ excType: 'ValueError', excModule: 'builtins', excArgs: ['bad thing'], traceback: 'tb' });
    expect(encodeException(remote)).toEqual({ exc_type: 'ValueError', exc_message: ['bad thing'], exc_module: 'builtins' });
    expect(encodeException(new NotRegisteredError('Q_ERR_TASK_NOT_REGISTERED', 'capapp.nope'))).toEqual({
      exc_type: 'NotRegistered',
      exc_message: ['capapp.nope'],
      exc_module: 'celery.exceptions',
    });
    expect(encodeException(new MaxRetriesExceededError('Q_ERR_MAX_RETRIES_EXCEEDED', 'm')).exc_type).toBe('MaxRetriesExceededError');
    expect(encodeException(new TimeLimitExceededError('Q_ERR_SOFT_TIME_LIMIT', 's'))).toMatchObject({
      exc_type: 'SoftTimeLimitExceeded',
      exc_module: 'billiard.exceptions',
    });
  });
});

describe('toRemoteError / isEncodedException / formatTraceback', () => {
  it('rebuilds a RemoteError from a stored exception', () => {
    const err = toRemoteError({ exc_type: 'ValueError', exc_message: ['bad thing'], exc_module: 'builtins' }, 'Traceback…', 'tid');
    expect(err).toBeInstanceOf(RemoteError);
    expect(err.message).toBe('ValueError: bad thing');
    expect(err).toMatchObject({ excType: 'ValueError', excModule: 'builtins', excArgs: ['bad thing'], remoteTraceback: 'Traceback…', taskId: 'tid' });
  });

  it('recognises the encoded shape', () => {
    expect(isEncodedException({ exc_type: 'X', exc_message: [], exc_module: null })).toBe(true);
    expect(isEncodedException({ exc_type: 'X', exc_message: [] })).toBe(true);
    expect(isEncodedException({ exc_type: 'X', exc_message: 'x' })).toBe(false);
    expect(isEncodedException({ exc_message: [] })).toBe(false);
    expect(isEncodedException([1])).toBe(false);
    expect(isEncodedException(null)).toBe(false);
  });

  it('formats a Python-looking traceback ending with the exception line', () => {
    function inner(): never {
      throw new RangeError('too big');
    }
    let caught: unknown;
    try {
      inner();
    } catch (e) {
      caught = e;
    }
    const tb = formatTraceback(caught);
    const lines = tb.trimEnd().split('\n');
    expect(lines[0]).toBe('Traceback (most recent call last):');
    expect(lines.at(-1)).toBe('ValueError: too big');
    expect(lines.at(-2)).toMatch(/^ {2}File ".*exceptions\.test\.ts", line \d+, in inner$/);
    expect(tb.endsWith('\n')).toBe(true);
    expect(formatTraceback(new FooError('x')).trimEnd().split('\n').at(-1)).toBe('FooError: x');
    expect(formatTraceback(new NotRegisteredError('Q_ERR_TASK_NOT_REGISTERED', 'n')).trimEnd().split('\n').at(-1)).toBe(
      'celery.exceptions.NotRegistered: n',
    );
  });
});
