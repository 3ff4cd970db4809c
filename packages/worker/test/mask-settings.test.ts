import { describe, expect, it } from 'vitest';
import { resolveConfig } from '@q/core/internal';
import { brokerInfo } from '../src/control/broker-info.js';
import { MASK, maskSetting } from '../src/control/mask-settings.js';

describe('maskSetting', () => {
  it('masks hidden names at any depth, in objects and arrays, and URL passwords in strings', () => {
    const masked = maskSetting('broker_transport_options', {
      password: 'p1',
      ssl_keyfile_password: 'p2',
      sentinel_kwargs: { password: 'p3', socket_timeout: 1 },
      sentinels: [{ host: 'h', password: 'p4' }, 'redis://:p5@h:26379'],
      fallback: 'amqp://u:p6@h//',
      visibility_timeout: 3600,
    });
    expect(masked).toEqual({
      password: MASK,
      ssl_keyfile_password: MASK,
      sentinel_kwargs: { password: MASK, socket_timeout: 1 },
      sentinels: [{ host: 'h', password: MASK }, `redis://:${MASK}@h:26379`],
      fallback: `amqp://u:${MASK}@h//`,
      visibility_timeout: 3600,
    });
    expect(maskSetting('security_key', 'PEM')).toBe(MASK);
  });

  it('keeps the passwords of the transport options out of the stats reply', () => {
    const conf = resolveConfig({ brokerOptions: { transportOptions: { password: 'pw', sentinel_kwargs: { password: 'spw' }, region: 'eu' } } });
    const info = brokerInfo('redis transport redis://:**@h:6379/0', conf);
    expect(info.transport_options).toEqual({ password: MASK, sentinel_kwargs: { password: MASK }, region: 'eu' });
    expect(JSON.stringify(info)).not.toMatch(/pw/);
  });
});
