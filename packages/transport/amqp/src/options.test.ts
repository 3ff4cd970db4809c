/** Option precedence (typed, then kombu names, then the URL query) and validation. */
import { isQError } from '@q/core';
import { describe, expect, it } from 'vitest';
import { resolveAmqpOptions } from './options.js';

const code = (fn: () => unknown): unknown => {
  try {
    fn();
  } catch (err) {
    return isQError(err) ? err.code : err;
  }
  return null;
};

describe('resolveAmqpOptions', () => {
  it('defaults to Celery\'s: localhost, heartbeat 120 s, connect timeout 4 s, confirms on', () => {
    const o = resolveAmqpOptions();
    expect(o.endpoints[0]).toMatchObject({ hostname: 'localhost', port: 5672, vhost: '/', username: 'guest' });
    expect(o).toMatchObject({ heartbeatS: 120, connectTimeoutMs: 4000, confirmPublish: true, loginMethod: 'PLAIN', forceTls: false });
    expect(o.clientProperties).toEqual({ connection_name: `q:${process.pid}` });
  });

  it('reads kombu names from transportOptions and the URL query; typed options win', () => {
    const o = resolveAmqpOptions({
      url: 'amqp://h//?heartbeat=30&connect_timeout=2',
      transportOptions: { connect_timeout: 1.5, confirm_publish: 'false', connection_name: 'svc', frame_max: 8192 },
    });
    expect(o).toMatchObject({ heartbeatS: 30, connectTimeoutMs: 1500, confirmPublish: false, frameMax: 8192 });
    expect(o.clientProperties).toEqual({ connection_name: 'svc' });
    expect(resolveAmqpOptions({ url: 'amqp://h//?heartbeat=30', heartbeatMs: 0, connectTimeoutMs: 250 })).toMatchObject({ heartbeatS: 0, connectTimeoutMs: 250 });
  });

  it('maps ssl options: Node names pass through, kombu\'s cert_reqs / server_hostname are translated', () => {
    const o = resolveAmqpOptions({ url: 'amqp://h//', transportOptions: { ssl: { cert_reqs: 'CERT_NONE', server_hostname: 'rabbit', ca: 'PEM' } } });
    expect(o.forceTls).toBe(true);
    expect(o.tls).toEqual({ rejectUnauthorized: false, servername: 'rabbit', ca: 'PEM' });
    expect(resolveAmqpOptions({ url: 'amqps://h//?ssl_cert_reqs=none' }).tls).toEqual({ rejectUnauthorized: false });
    expect(resolveAmqpOptions({ url: 'amqp://h//', ssl: true }).forceTls).toBe(true);
  });

  it('rejects bad values with Q_ERR_CONFIG_INVALID', () => {
    expect(code(() => resolveAmqpOptions({ transportOptions: { heartbeat: 'soon' } }))).toBe('Q_ERR_CONFIG_INVALID');
    expect(code(() => resolveAmqpOptions({ transportOptions: { login_method: 'KERBEROS' } }))).toBe('Q_ERR_CONFIG_INVALID');
    expect(code(() => resolveAmqpOptions({ transportOptions: { ssl: { ca_certs: '/etc/ca.pem' } } }))).toBe('Q_ERR_CONFIG_INVALID');
    expect(code(() => resolveAmqpOptions({ connectTimeoutMs: -1 }))).toBe('Q_ERR_CONFIG_INVALID');
    expect(code(() => resolveAmqpOptions('amqp://h:0//'))).toBe('Q_ERR_URL_INVALID');
  });
});
