import { describe, expect, it } from 'vitest';
import { adapterUrl, maskUrl } from '../src/mask-url.js';

describe('maskUrl', () => {
  it('masks the password and keeps the rest', () => {
    expect(maskUrl('redis://user:s3cret@localhost:6379/0')).toBe('redis://user:**@localhost:6379/0');
    expect(maskUrl('amqp://guest:guest@rabbit:5672//')).toBe('amqp://guest:**@rabbit:5672//');
  });

  it('masks a password with no user name', () => {
    expect(maskUrl('redis://:pa:ss@host:6379')).toBe('redis://:**@host:6379');
  });

  it('leaves URLs without a password unchanged', () => {
    expect(maskUrl('redis://localhost:6379/0')).toBe('redis://localhost:6379/0');
    expect(maskUrl('amqp://guest@rabbit//')).toBe('amqp://guest@rabbit//');
    expect(maskUrl('filesystem:///tmp/q/broker')).toBe('filesystem:///tmp/q/broker');
    expect(maskUrl('memory://')).toBe('memory://');
  });

  it('does not treat an @ in the path as credentials', () => {
    expect(maskUrl('file:///tmp/a:b/c@d')).toBe('file:///tmp/a:b/c@d');
  });

  it('masks each URL of a failover list', () => {
    expect(maskUrl('amqp://a:x@h1//;amqp://b:y@h2//')).toBe('amqp://a:**@h1//;amqp://b:**@h2//');
  });

  it('passes text that is not a URL through', () => {
    expect(maskUrl('disabled')).toBe('disabled');
  });
});

describe('adapterUrl', () => {
  it("takes the URL out of an adapter's description and masks it", () => {
    expect(adapterUrl('redis transport redis://:s3cret@localhost:6379/0')).toBe('redis://:**@localhost:6379/0');
    expect(adapterUrl('redis backend rediss://u:p@h:6380/1 (tls)')).toBe('rediss://u:**@h:6380/1');
  });

  it('keeps a bare URL, a failover list and text without a URL', () => {
    expect(adapterUrl('file:///app/.q/results')).toBe('file:///app/.q/results');
    expect(adapterUrl('amqp://a:x@h1//;amqp://b:y@h2//')).toBe('amqp://a:**@h1//;amqp://b:**@h2//');
    expect(adapterUrl('rpc://')).toBe('rpc://');
    expect(adapterUrl('custom in-process transport')).toBe('custom in-process transport');
  });
});
