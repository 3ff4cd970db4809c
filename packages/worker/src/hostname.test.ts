import { describe, expect, it } from 'vitest';
import { expandHostname } from './hostname.js';

describe('expandHostname', () => {
  it('expands %h, %n and %d from a dotted host', () => {
    expect(expandHostname('celery@%h', 'w1.example.com')).toBe('celery@w1.example.com');
    expect(expandHostname('a@%n', 'w1.example.com')).toBe('a@w1');
    expect(expandHostname('%n@%d', 'w1.example.com')).toBe('w1@example.com');
  });

  it('gives an empty domain for a host without a dot', () => {
    expect(expandHostname('x@%n.%d', 'box')).toBe('x@box.');
  });

  it('turns %% into a literal percent and leaves other sequences alone', () => {
    expect(expandHostname('w%%1@%h', 'box')).toBe('w%1@box');
    expect(expandHostname('w%x@%h', 'box')).toBe('w%x@box');
  });

  it('prefixes celery@ when the pattern has no @', () => {
    expect(expandHostname('%h', 'box.lan')).toBe('celery@box.lan');
  });

  it('uses the machine host name by default', () => {
    expect(expandHostname('celery@%h')).toMatch(/^celery@.+/);
  });
});
