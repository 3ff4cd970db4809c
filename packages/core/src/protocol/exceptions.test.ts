import { VECTORS_DIR } from '@q/test-services';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MaxRetriesExceededError, NotRegisteredError, RemoteError, TimeLimitExceededError } from '../errors/q-error.js';
import {
  encodeException,
  encodedNotRegistered,
  encodedRetry,
  encodedTaskRevoked,
  encodedWorkerLost,
  formatTraceback,
  hardTimeLimitError,
  isEncodedException,
  toRemoteError,
} from './exceptions.js';
import { bindArguments, parseParams } from '../task/params.js';

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

describe('Celery exception documents', () => {
  /** The stored `result` of a captured Celery 5.2.6 result document, as JSON text (key order included). */
  const capturedResult = (file: string): string =>
    JSON.stringify((JSON.parse(readFileSync(`${VECTORS_DIR}${file}`, 'utf8')) as { document: { result: unknown } }).document.result);

  it('TaskRevokedError is the document Celery stores for an expired and a terminated task', () => {
    expect(JSON.stringify(encodedTaskRevoked('expired'))).toBe(capturedResult('result-revoked-expired.json'));
    expect(JSON.stringify(encodedTaskRevoked('terminated'))).toBe(capturedResult('result-revoked-terminated.json'));
    expect(encodedTaskRevoked('revoked')).toEqual({ exc_type: 'TaskRevokedError', exc_message: ['revoked'], exc_module: 'celery.exceptions' });
  });

  it('NotRegistered, WorkerLostError and Retry carry their text as the one argument, in Celery\'s key order', () => {
    expect(JSON.stringify(encodedNotRegistered('tasks.nobody'))).toBe(
      '{"exc_type":"NotRegistered","exc_message":["tasks.nobody"],"exc_module":"celery.exceptions"}',
    );
    expect(JSON.stringify(encodedWorkerLost('Worker exited prematurely: cold shutdown.'))).toBe(
      '{"exc_type":"WorkerLostError","exc_message":["Worker exited prematurely: cold shutdown."],"exc_module":"billiard.exceptions"}',
    );
    expect(JSON.stringify(encodedRetry('Retry in 5s'))).toBe('{"exc_type":"Retry","exc_message":["Retry in 5s"],"exc_module":"celery.exceptions"}');
  });

  it('an argument-binding error is builtins.TypeError, the document Celery stores for a Python TypeError', () => {
    const spec = parseParams((x: number, y: number) => x + y);
    let caught: unknown;
    try {
      bindArguments('tasks.add', spec, [1], { z: 3 }, false);
    } catch (err) {
      caught = err;
    }
    expect(caught).toMatchObject({ code: 'Q_ERR_TASK_ARGUMENTS' });
    const text = "tasks.add() got an unexpected keyword argument 'z'";
    // result-failure.json holds Celery's document for `raise ValueError('bad thing')`: same shape, other type.
    const pythonDocument = capturedResult('result-failure.json').replace('"ValueError"', '"TypeError"').replace('"bad thing"', JSON.stringify(text));
    expect(JSON.stringify(encodeException(caught))).toBe(pythonDocument);
    expect(formatTraceback(caught).trimEnd().split('\n').at(-1)).toBe(`TypeError: ${text}`);
    expect(toRemoteError(encodeException(caught), null)).toMatchObject({ excType: 'TypeError', excModule: 'builtins', message: `TypeError: ${text}` });
  });

  it('each document is what encodeException gives for the same error, so a reader rebuilds the same RemoteError', () => {
    expect(encodeException(new NotRegisteredError('Q_ERR_TASK_NOT_REGISTERED', 'tasks.nobody'))).toEqual(encodedNotRegistered('tasks.nobody'));
    expect(toRemoteError(encodedWorkerLost('gone'), null)).toMatchObject({ excType: 'WorkerLostError', excModule: 'billiard.exceptions', excArgs: ['gone'] });
  });

  it('a hard time limit error encodes as billiard TimeLimitExceeded with the limit as its argument', () => {
    const err = hardTimeLimitError(0.03);
    expect(err).toBeInstanceOf(TimeLimitExceededError);
    expect(err.code).toBe('Q_ERR_HARD_TIME_LIMIT');
    expect(err.message).toBe('TimeLimitExceeded(0.03)');
    expect(JSON.stringify(encodeException(err))).toBe('{"exc_type":"TimeLimitExceeded","exc_message":[0.03],"exc_module":"billiard.exceptions"}');
    expect(hardTimeLimitError(null).message).toBe('TimeLimitExceeded(?)');
    expect(encodeException(hardTimeLimitError(null)).exc_message).toEqual([null]);
  });
});
