import path from 'node:path';
import { recordingLogger } from '@q/testing';
import { describe, expect, it } from 'vitest';
import { renderBeatBanner } from '../src/beat-banner.js';
import { beatOptions, embeddedBeatOptions } from '../src/commands/beat.js';

describe('renderBeatBanner', () => {
  const text = renderBeatBanner({
    version: '0.1.0',
    appName: 'proj',
    transport: 'redis transport redis://:secret@localhost:6379/0',
    store: 'redis://:secret@localhost:6379/1',
    lock: 'none (one beat sends)',
    maxInterval: 300,
    entries: [
      { name: 'z-report', task: 'tasks.report', schedule: '<crontab: 30 7 1 * * (m/h/d/dM/MY)>' },
      { name: 'add-every-10s', task: 'tasks.add', schedule: '<freq: 10.00 seconds>' },
    ],
  });

  it('names the version, app, store, lock and max interval, passwords masked', () => {
    expect(text).toContain('q beat 0.1.0 is starting.');
    expect(text).toMatch(/app:\s+proj/);
    expect(text).toMatch(/transport:\s+redis:\/\/:\*\*@localhost:6379\/0/);
    expect(text).toMatch(/store:\s+redis:\/\/:\*\*@localhost:6379\/1/);
    expect(text).toMatch(/lock:\s+none \(one beat sends\)/);
    expect(text).toMatch(/max interval:\s+300 s/);
    expect(text).not.toContain('secret');
  });

  it('lists the entries by name with their task and schedule', () => {
    const lines = text.split('\n');
    const first = lines.findIndex((l) => l.includes('add-every-10s'));
    expect(lines[first]).toBe('  . add-every-10s: tasks.add <freq: 10.00 seconds>');
    expect(lines[first + 1]).toBe('  . z-report: tasks.report <crontab: 30 7 1 * * (m/h/d/dM/MY)>');
  });

  it('says when there is no entry', () => {
    expect(renderBeatBanner({ version: '0', appName: 'a', transport: 'memory://', store: 'f', lock: 'l', maxInterval: 1, entries: [] }))
      .toContain('(none: add some to beat.schedule)');
  });
});

describe('beat command options', () => {
  const logger = recordingLogger();

  it('-s is a file resolved from the working directory; --store keeps a URL as it is', () => {
    expect(beatOptions({ schedule: 'state.json', maxInterval: 5 }, '/srv/app', logger)).toEqual({ logger, store: path.resolve('/srv/app', 'state.json'), maxLoopInterval: 5 });
    expect(beatOptions({ store: 'redis://h:6379/0', lock: 'redis://h:6379/0' }, '/srv', logger)).toEqual({ logger, store: 'redis://h:6379/0', lock: 'redis://h:6379/0' });
    expect(beatOptions({}, '/srv', logger)).toEqual({ logger });
  });

  it('-s and --store together are a usage error', () => {
    expect(() => beatOptions({ schedule: 'a.json', store: 'b.json' }, '/srv', logger)).toThrow(/give one/);
  });

  it("worker -B's options map to q beat's; without -B there is no scheduler, and its options alone are an error", () => {
    expect(embeddedBeatOptions({ beat: true, scheduleFilename: 's.json', beatLock: 'redis://h', beatMaxInterval: 2 }))
      .toEqual({ schedule: 's.json', lock: 'redis://h', maxInterval: 2 });
    expect(embeddedBeatOptions({})).toBeNull();
    expect(() => embeddedBeatOptions({ beatStore: 'redis://h' })).toThrow(/need -B\/--beat/);
  });
});
