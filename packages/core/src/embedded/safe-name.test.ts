import { describe, expect, it } from 'vitest';
import { safeName } from './safe-name.js';

describe('safeName', () => {
  it('keeps ordinary names and encodes everything else', () => {
    expect(safeName('celery')).toBe('celery');
    expect(safeName('w1@cap.celery.pidbox')).toBe('w1@cap.celery.pidbox');
    expect(safeName('a/b')).toBe('a%2Fb');
    expect(safeName('..')).toBe('%2E.');
    expect(safeName('')).toBe('%');
    expect(safeName('é')).toBe('%C3%A9');
    expect(safeName('x\x06\x16y')).toBe('x%06%16y');
  });

  it('gives distinct names to distinct keys, and shortens long ones with a hash', () => {
    const keys = ['a/b', 'a%2Fb', 'a b', 'a+b', '.hidden', '%2Ehidden'];
    expect(new Set(keys.map(safeName)).size).toBe(keys.length);
    const long = safeName('k'.repeat(500));
    const longer = safeName(`${'k'.repeat(500)}x`);
    expect(long.length).toBeLessThanOrEqual(160);
    expect(long).not.toBe(longer);
    expect(/^[A-Za-z0-9_\-.@%~]+$/.test(safeName('any thing: <>|?*"\\'))).toBe(true);
  });
});
