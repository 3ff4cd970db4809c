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

  it('reads on/off options with core\'s boolean words; absent or empty keeps the default', () => {
    for (const off of ['no', 'off', '0', 'false', 'N']) {
      expect(resolveAmqpOptions(`amqp://h//?confirm_publish=${off}`).confirmPublish).toBe(false);
      expect(resolveAmqpOptions({ transportOptions: { confirm_publish: off } }).confirmPublish).toBe(false);
    }
    expect(resolveAmqpOptions({ transportOptions: { confirm_publish: 'yes' } }).confirmPublish).toBe(true);
    expect(resolveAmqpOptions({ transportOptions: { confirm_publish: 0 } }).confirmPublish).toBe(false);
    expect(resolveAmqpOptions('amqp://h//?confirm_publish=').confirmPublish).toBe(true);
    expect(resolveAmqpOptions({ url: 'amqp://h//?confirm_publish=no', confirmPublish: true }).confirmPublish).toBe(true);
    expect(resolveAmqpOptions('amqp://h//?ssl=yes')).toMatchObject({ forceTls: true });
    expect(resolveAmqpOptions('amqp://h//?ssl=off')).toMatchObject({ forceTls: false });
    expect(resolveAmqpOptions({ transportOptions: { ssl: 'on' } }).forceTls).toBe(true);
    expect(resolveAmqpOptions({ transportOptions: { ssl: 'no' } }).forceTls).toBe(false);
  });

  it('rejects an unknown on/off word naming the option and the value', () => {
    const error = (fn: () => unknown): { code: unknown; message: string } => {
      try {
        fn();
      } catch (err) {
        return { code: isQError(err) ? err.code : err, message: (err as Error).message };
      }
      return { code: null, message: '' };
    };
    const fromQuery = error(() => resolveAmqpOptions('amqp://u:secret@h//?confirm_publish=maybe'));
    expect(fromQuery.code).toBe('Q_ERR_URL_INVALID');
    expect(fromQuery.message).toContain('query parameter confirm_publish="maybe"');
    expect(fromQuery.message).not.toContain('secret');
    const fromOptions = error(() => resolveAmqpOptions({ transportOptions: { confirm_publish: 'maybe' } }));
    expect(fromOptions.code).toBe('Q_ERR_CONFIG_INVALID');
    expect(fromOptions.message).toMatch(/confirm_publish .*"maybe"/);
    const ssl = error(() => resolveAmqpOptions({ transportOptions: { ssl: 'maybe' } }));
    expect(ssl.code).toBe('Q_ERR_CONFIG_INVALID');
    expect(ssl.message).toMatch(/ssl .*"maybe"/);
    expect(error(() => resolveAmqpOptions('amqp://h//?ssl=maybe')).code).toBe('Q_ERR_URL_INVALID');
  });

  it('rejects bad values with Q_ERR_CONFIG_INVALID', () => {
    expect(code(() => resolveAmqpOptions({ transportOptions: { heartbeat: 'soon' } }))).toBe('Q_ERR_CONFIG_INVALID');
    expect(code(() => resolveAmqpOptions({ transportOptions: { login_method: 'KERBEROS' } }))).toBe('Q_ERR_CONFIG_INVALID');
    expect(code(() => resolveAmqpOptions({ transportOptions: { ssl: { ca_certs: '/etc/ca.pem' } } }))).toBe('Q_ERR_CONFIG_INVALID');
    expect(code(() => resolveAmqpOptions({ connectTimeoutMs: -1 }))).toBe('Q_ERR_CONFIG_INVALID');
    expect(code(() => resolveAmqpOptions('amqp://h:0//'))).toBe('Q_ERR_URL_INVALID');
  });
});
