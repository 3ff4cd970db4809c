/** kombu's AMQP URL forms: vhost rules, defaults, TLS, failover lists, masking, errors that name the problem. */
import { isQError } from '@q/core';
import { describe, expect, it } from 'vitest';
import { maskAmqpUrl, parseAmqpUrl } from './url.js';

const one = (url: string) => {
  const [ep] = parseAmqpUrl(url);
  if (!ep) throw new Error('no endpoint');
  return ep;
};

describe('parseAmqpUrl', () => {
  it.each([
    ['amqp://h', '/'],
    ['amqp://h/', '/'],
    ['amqp://h//', '/'],
    ['amqp://h/%2F', '/'],
    ['amqp://h/celerycap', 'celerycap'],
    ['amqp://h/q-test%2Fa%20b', 'q-test/a b'],
    ['amqp://h/a/b', 'a/b'],
  ])('%s → vhost %j', (url, vhost) => {
    expect(one(url).vhost).toBe(vhost);
  });

  it('reads user, password, host and port, with kombu\'s defaults for what is missing', () => {
    expect(one('amqp://bob:p%40ss%3Aw@rabbit.local:5673/v')).toMatchObject({
      scheme: 'amqp',
      tls: false,
      hostname: 'rabbit.local',
      port: 5673,
      portGiven: true,
      username: 'bob',
      password: 'p@ss:w',
    });
    expect(one('amqp://')).toMatchObject({ hostname: 'localhost', port: 5672, portGiven: false, username: 'guest', password: 'guest', vhost: '/' });
    expect(one('amqp://bob@h//')).toMatchObject({ username: 'bob', password: 'guest' });
    expect(one('pyamqp://[::1]:5679//')).toMatchObject({ scheme: 'pyamqp', hostname: '::1', port: 5679 });
  });

  it('uses TLS for amqps:// and ?ssl=true, on port 5671 unless given', () => {
    expect(one('amqps://h//')).toMatchObject({ tls: true, port: 5671 });
    expect(one('amqp://h//?ssl=true')).toMatchObject({ tls: true, port: 5671, query: { ssl: 'true' } });
    expect(one('amqps://h:6000//')).toMatchObject({ tls: true, port: 6000 });
    expect(one('amqp://h//?heartbeat=30').query).toEqual({ heartbeat: '30' });
  });

  it('reads ?ssl= with core\'s boolean words: off, yes, 0, on…; empty means not set', () => {
    expect(one('amqp://h//?ssl=off')).toMatchObject({ tls: false, port: 5672 });
    expect(one('amqp://h//?ssl=no')).toMatchObject({ tls: false, port: 5672 });
    expect(one('amqp://h//?ssl=0')).toMatchObject({ tls: false, port: 5672 });
    expect(one('amqp://h//?ssl=')).toMatchObject({ tls: false, port: 5672 });
    expect(one('amqp://h//?ssl=yes')).toMatchObject({ tls: true, port: 5671 });
    expect(one('amqp://h//?ssl=ON')).toMatchObject({ tls: true, port: 5671 });
    expect(one('amqp://h//?ssl=1')).toMatchObject({ tls: true, port: 5671 });
    expect(one('amqps://h//?ssl=off')).toMatchObject({ tls: true, port: 5671 });
  });

  it('rejects ?ssl= with an unknown word, naming the parameter and the value', () => {
    let err: unknown;
    try {
      parseAmqpUrl('amqp://u:secret@a//;amqp://b//?ssl=maybe');
    } catch (e) {
      err = e;
    }
    expect(isQError(err) && err.code).toBe('Q_ERR_URL_INVALID');
    expect((err as Error).message).toContain('query parameter ssl="maybe"');
    expect((err as Error).message).not.toContain('secret');
  });

  it('splits a ;-separated failover list', () => {
    const eps = parseAmqpUrl('amqp://a:1//; amqps://b//;');
    expect(eps.map((e) => [e.hostname, e.port, e.tls])).toEqual([
      ['a', 1, false],
      ['b', 5671, true],
    ]);
  });

  it.each([
    ['redis://h/0', /unknown scheme "redis"/],
    ['amqp://h:99999//', /not a valid URL/],
    ['amqp://h/%E0%A4%A', /vhost .* bad %-escape/],
    ['h:5672', /does not start with scheme:\/\//],
    [' ; ', /no URL given/],
  ])('rejects %s with a ConfigError naming the problem', (url, why) => {
    let err: unknown;
    try {
      parseAmqpUrl(url);
    } catch (e) {
      err = e;
    }
    expect(isQError(err) && err.code).toBe('Q_ERR_URL_INVALID');
    expect((err as Error).message).toMatch(why);
  });

  it('masks every password of a list', () => {
    expect(maskAmqpUrl('amqp://u:pw@a//;amqps://v:x%40y@b:5671/vh')).toBe('amqp://u:***@a//;amqps://v:***@b:5671/vh');
    expect(maskAmqpUrl('amqp://u@a//')).toBe('amqp://u@a//');
  });
});
