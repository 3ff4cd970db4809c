import { silentLogger } from '@q/core';
import { describe, expect, it } from 'vitest';
import { SubscriptionHub, type SubscriberPort } from './subscription-hub.js';

/** A subscriber connection that records SUBSCRIBE/UNSUBSCRIBE and can fake messages and reconnects. */
function fakePort() {
  const log: string[] = [];
  let onMessage: (channel: string, message: string) => void = () => {};
  let onReconnect: () => void = () => {};
  let failNext = false;
  const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 1));
  const port: SubscriberPort = {
    async subscribe(channel) {
      await tick();
      if (failNext) {
        failNext = false;
        throw new Error('subscribe failed');
      }
      log.push(`SUBSCRIBE ${channel}`);
    },
    async unsubscribe(channel) {
      await tick();
      log.push(`UNSUBSCRIBE ${channel}`);
    },
    onMessage: (h) => void (onMessage = h),
    onReconnect: (h) => void (onReconnect = h),
  };
  return {
    port,
    log,
    publish: (c: string, m: string) => onMessage(c, m),
    reconnect: () => onReconnect(),
    failNextSubscribe: () => void (failNext = true),
  };
}

describe('SubscriptionHub', () => {
  it('multiplexes listeners: one SUBSCRIBE per channel, UNSUBSCRIBE when the last leaves', async () => {
    const fake = fakePort();
    const hub = new SubscriptionHub(fake.port, silentLogger);
    const a: string[] = [];
    const b: string[] = [];
    const offA = await hub.add('k1', (m) => a.push(m));
    const offB = await hub.add('k1', (m) => b.push(m));
    const offC = await hub.add('k2', () => {});
    expect(fake.log).toEqual(['SUBSCRIBE k1', 'SUBSCRIBE k2']);
    fake.publish('k1', 'v1');
    fake.publish('k2', 'other');
    expect(a).toEqual(['v1']);
    expect(b).toEqual(['v1']);
    await offA();
    await offA();
    expect(fake.log).toHaveLength(2);
    fake.publish('k1', 'v2');
    expect(a).toEqual(['v1']);
    expect(b).toEqual(['v1', 'v2']);
    await offB();
    await offC();
    expect(fake.log).toEqual(['SUBSCRIBE k1', 'SUBSCRIBE k2', 'UNSUBSCRIBE k1', 'UNSUBSCRIBE k2']);
    expect(hub.channels).toEqual([]);
  });

  it('keeps operations on a channel in order: unsubscribe then subscribe at once ends subscribed', async () => {
    const fake = fakePort();
    const hub = new SubscriptionHub(fake.port, silentLogger);
    const off = await hub.add('k', () => {});
    const seen: string[] = [];
    const [, offAgain] = await Promise.all([off(), hub.add('k', (m) => seen.push(m))]);
    fake.publish('k', 'still here');
    expect(seen).toEqual(['still here']);
    expect(fake.log.at(-1)).toBe('SUBSCRIBE k');
    await offAgain();
    expect(fake.log.at(-1)).toBe('UNSUBSCRIBE k');
  });

  it('a failed SUBSCRIBE rejects and leaves no listener behind', async () => {
    const fake = fakePort();
    const hub = new SubscriptionHub(fake.port, silentLogger);
    fake.failNextSubscribe();
    await expect(hub.add('k', () => {})).rejects.toThrow('subscribe failed');
    expect(hub.channels).toEqual([]);
    await hub.add('k', () => {});
    expect(fake.log).toEqual(['SUBSCRIBE k']);
  });

  it('resubscribes every channel after a reconnect, then reports them', async () => {
    const fake = fakePort();
    let resubscribed: string[] = [];
    const hub = new SubscriptionHub(fake.port, silentLogger, (channels) => (resubscribed = channels));
    await hub.add('k1', () => {});
    await hub.add('k2', () => {});
    fake.log.length = 0;
    fake.reconnect();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(fake.log.sort()).toEqual(['SUBSCRIBE k1', 'SUBSCRIBE k2']);
    expect(resubscribed.sort()).toEqual(['k1', 'k2']);
  });

  it('a throwing listener does not stop the others', async () => {
    const fake = fakePort();
    const hub = new SubscriptionHub(fake.port, silentLogger);
    const seen: string[] = [];
    await hub.add('k', () => {
      throw new Error('listener bug');
    });
    await hub.add('k', (m) => seen.push(m));
    fake.publish('k', 'v');
    hub.deliver('k', 'replayed');
    expect(seen).toEqual(['v', 'replayed']);
  });

  it('close() rejects the subscriptions being made at once, even if their SUBSCRIBE never completes', async () => {
    const fake = fakePort();
    const never: SubscriberPort = { ...fake.port, subscribe: () => new Promise<void>(() => {}) };
    let resubscribed = 0;
    const hub = new SubscriptionHub(never, silentLogger, () => resubscribed++);
    const seen: string[] = [];
    const pending = hub.add('k', (m) => seen.push(m)).then(() => null, (err: unknown) => err);
    const closed = new Error('closed');
    hub.close(closed);
    expect(await pending).toBe(closed);
    await expect(hub.add('k2', () => {})).rejects.toBe(closed);
    fake.publish('k', 'late');
    hub.deliver('k', 'late');
    fake.reconnect();
    expect(seen).toEqual([]);
    expect(hub.channels).toEqual([]);
    expect(resubscribed).toBe(0);
  });

  it('after close() removing a subscription made before sends nothing', async () => {
    const fake = fakePort();
    const hub = new SubscriptionHub(fake.port, silentLogger);
    const off = await hub.add('k', () => {});
    hub.close(new Error('closed'));
    await off();
    expect(fake.log).toEqual(['SUBSCRIBE k']);
  });

  it('close() ends the active subscriptions with its error (onEnd, once each), not removed ones or those being made', async () => {
    const fake = fakePort();
    const hub = new SubscriptionHub(fake.port, silentLogger);
    const ended: [string, unknown][] = [];
    const seen: string[] = [];
    await hub.add('k1', (m) => seen.push(m), (err) => ended.push(['k1', err]));
    await hub.add('k1', (m) => seen.push(m), (err) => ended.push(['k1 again', err]));
    await hub.add('k2', () => {}); // no onEnd: just stops
    const off = await hub.add('k3', () => {}, (err) => ended.push(['k3', err]));
    await off();
    const making = hub.add('k4', () => {}, (err) => ended.push(['k4', err])).then(() => null, (err: unknown) => err);
    const closed = new Error('closed');
    hub.close(closed);
    hub.close(new Error('closed twice'));
    expect(ended).toEqual([
      ['k1', closed],
      ['k1 again', closed],
    ]);
    expect(await making).toBe(closed);
    fake.publish('k1', 'late');
    expect(seen).toEqual([]);
    expect(ended).toHaveLength(2);
  });

  it('an onEnd that throws is logged and does not keep the others from being ended', async () => {
    const fake = fakePort();
    const errors: string[] = [];
    const logger = { ...silentLogger, error: (_obj: unknown, msg?: string) => void errors.push(String(msg)) };
    const hub = new SubscriptionHub(fake.port, logger as typeof silentLogger);
    const ended: string[] = [];
    await hub.add('a', () => {}, () => {
      throw new Error('onEnd bug');
    });
    await hub.add('b', () => {}, () => ended.push('b'));
    hub.close(new Error('closed'));
    expect(ended).toEqual(['b']);
    expect(errors).toEqual(['redis: ending a result subscription threw']);
  });
});
