import { QError } from '@q/core';
import { describe, expect, it } from 'vitest';
import { pgConnectionString } from './pg-url.js';

describe('pgConnectionString', () => {
  it.each([
    ['postgresql://u:p@db:5433/app', 'postgresql://u:p@db:5433/app'],
    ['postgres://db/app', 'postgresql://db/app'],
    ['db+postgresql://u@db/app?sslmode=require', 'postgresql://u@db/app?sslmode=require'],
    ['db+postgresql+psycopg2://u:p@db/app', 'postgresql://u:p@db/app'],
  ])('reads Celery URL %s as %s', (url, expected) => {
    expect(pgConnectionString(url)).toBe(expected);
  });

  it('refuses another scheme with Q_ERR_URL_INVALID, the password masked', () => {
    let error: unknown;
    try {
      pgConnectionString('mysql://u:secret@db/app');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(QError);
    expect((error as QError).code).toBe('Q_ERR_URL_INVALID');
    expect((error as Error).message).not.toContain('secret');
  });
});
