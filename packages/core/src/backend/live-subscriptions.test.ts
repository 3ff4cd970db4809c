import { describe, expect, it } from 'vitest';
import { LiveSubscriptions } from './live-subscriptions.js';

describe('LiveSubscriptions', () => {
  it('ends every live subscription once, skips the forgotten ones, and goes on past one that throws', () => {
    const live = new LiveSubscriptions();
    const ended: string[] = [];
    const same = (e: Error): void => void ended.push(`same ${e.message}`);
    live.add(same);
    live.add(same); // two subscriptions with one function: both end
    const forget = live.add(() => ended.push('forgotten'));
    live.add(() => {
      throw new Error('boom');
    });
    live.add((e) => ended.push(`last ${e.message}`));
    forget();
    expect(live.size).toBe(4);
    const thrown: unknown[] = [];
    live.endAll(new Error('closed'), (err) => thrown.push(err));
    expect(ended).toEqual(['same closed', 'same closed', 'last closed']);
    expect((thrown[0] as Error).message).toBe('boom');
    expect(live.size).toBe(0);
    live.endAll(new Error('again'));
    expect(ended).toHaveLength(3);
  });
});
