import { describe, expect, it } from 'vitest';
import { renderBanner } from '../src/banner.js';
import type { BannerInfo } from '../src/banner.js';

const info: BannerInfo = {
  hostname: 'celery@box',
  version: '0.1.0',
  platform: 'linux-x64 node v20.19.0',
  appName: 'quickstart',
  transport: 'redis://user:secret@localhost:6379/0',
  results: 'redis://:pw@localhost:6379/1',
  pool: 'async',
  concurrency: 8,
  prefetchMultiplier: 4,
  queues: ['celery', 'low'],
  tasks: ['tasks.mul', 'tasks.add'],
};

describe('renderBanner', () => {
  const text = renderBanner(info);

  it('names the node, version and app', () => {
    expect(text).toContain('celery@box');
    expect(text).toContain('q 0.1.0');
    expect(text).toMatch(/app:\s+quickstart/);
  });

  it('masks passwords of the transport and results URLs', () => {
    expect(text).toMatch(/transport:\s+redis:\/\/user:\*\*@localhost:6379\/0/);
    expect(text).toMatch(/results:\s+redis:\/\/:\*\*@localhost:6379\/1/);
    expect(text).not.toContain('secret');
    expect(text).not.toContain(':pw@');
  });

  it('shows the broker and the backend the same way: the URL their describe() names, masked', () => {
    const described = renderBanner({
      ...info,
      transport: 'redis transport redis://:secret@localhost:6379/0',
      results: 'redis://:pw@localhost:6379/1',
    });
    expect(described).toMatch(/transport:\s+redis:\/\/:\*\*@localhost:6379\/0\n/);
    expect(described).toMatch(/results:\s+redis:\/\/:\*\*@localhost:6379\/1\n/);
    expect(described).not.toContain('redis transport');
    expect(described).not.toMatch(/secret|:pw@/);
  });

  it('shows pool, concurrency and prefetch', () => {
    expect(text).toMatch(/concurrency:\s+8 \(async\)/);
    expect(text).toMatch(/prefetch:\s+4 per slot \(32 messages\)/);
  });

  it('lists queues and the registered tasks, sorted', () => {
    expect(text).toMatch(/\[queues\]\n {2}\.> celery\n {2}\.> low\n/);
    expect(text).toMatch(/\[tasks\]\n {2}\. tasks\.add\n {2}\. tasks\.mul\n/);
  });

  it('says when results are disabled and when no task is registered', () => {
    const bare = renderBanner({ ...info, results: null, tasks: [] });
    expect(bare).toMatch(/results:\s+disabled/);
    expect(bare).toContain('(none registered)');
  });
});
