/**
 * `q events --dump` lines, against events captured from Python Celery 5.2.6. The expected lines are what Celery's own
 * `Dumper.on_event` prints for the same vectors, except `freq=2` where Celery writes `freq=2.0` (a JSON number does
 * not say it was a float).
 */
import { describe, expect, it } from 'vitest';
import { readVector } from '@q/test-services';
import { EventDumper, formatDumpTimestamp, humanizeType, pyRepr, pyStr } from '../src/commands/event-dump.js';

interface EventVector {
  event: Record<string, unknown>;
}
const vector = (name: string) => readVector<EventVector>(name).event;

describe('q events --dump lines', () => {
  it('writes a worker heartbeat as Celery does: humanized type, the other fields sorted, Python values', () => {
    expect(new EventDumper().format(vector('event-worker-heartbeat.json'))).toBe(
      'w1@cap [2026-11-22 02:39:29.006841] heartbeat: active=0, clock=2, freq=2, loadavg=[0.25, 0.3, 0.16], pid=11056, ' +
        'processed=0, sw_ident=py-celery, sw_sys=Linux, sw_ver=5.2.6, utcoffset=0',
    );
  });

  it('names worker-online "started" and worker-offline "shutdown"', () => {
    const dumper = new EventDumper();
    expect(dumper.format(vector('event-worker-online.json'))).toMatch(/^w1@cap \[[\d-]+ [\d:.]+\] started: active=/);
    expect(dumper.format(vector('event-worker-offline.json'))).toMatch(/^w1@cap \[[\d-]+ [\d:.]+\] shutdown: active=/);
  });

  it('writes task-received with name(uuid) args kwargs, and repeats them on the task\'s later events', () => {
    const dumper = new EventDumper();
    expect(dumper.format(vector('event-task-received.json'))).toBe(
      'w1@cap [2026-11-22 02:39:41.342069] task received: capapp.add(404558d9-a006-4198-a997-21887975f852) args=(2, 3) kwargs={} ' +
        'clock=9, eta=None, expires=None, parent_id=None, pid=11056, retries=0, root_id=404558d9-a006-4198-a997-21887975f852, utcoffset=0',
    );
    expect(dumper.format(vector('event-task-started.json'))).toMatch(
      /^w1@cap \[2026-11-22 02:39:41\.\d{6}\] task started: capapp\.add\(404558d9-a006-4198-a997-21887975f852\) args=\(2, 3\) kwargs=\{\} clock=10, pid=11056, utcoffset=0$/,
    );
    expect(dumper.format(vector('event-task-succeeded.json'))).toBe(
      'w1@cap [2026-11-22 02:39:41.350419] task succeeded: capapp.add(404558d9-a006-4198-a997-21887975f852) args=(2, 3) kwargs={} ' +
        'clock=11, pid=11056, result=5, runtime=0.005923101000007591, utcoffset=0',
    );
  });

  it('leaves the task blank for a task it never saw received (as Celery does)', () => {
    expect(new EventDumper().format(vector('event-task-succeeded.json'))).toMatch(/\] task succeeded: {2}clock=11, /);
  });

  it('writes every captured event without failing', () => {
    const dumper = new EventDumper();
    for (const name of ['event-task-sent.json', 'event-task-failed.json', 'event-task-retried.json', 'event-task-rejected.json', 'event-task-revoked-terminated.json']) {
      expect(dumper.format(vector(name))).toMatch(/^\S+ \[\d{4}-\d\d-\d\d [\d:.]+\] task \w+:/);
    }
  });

  it('never throws on bad events', () => {
    const dumper = new EventDumper();
    expect(dumper.format(null)).toBe('-> unreadable event: null');
    expect(dumper.format([1])).toBe('-> unreadable event: [1]');
    expect(dumper.format({ type: 'task-received' })).toBe('None [None] task received None(None) args=None kwargs=None ');
    expect(dumper.format({ type: 7, hostname: 'h', timestamp: 'x' })).toBe('h [x] 7 ');
    const cyclic: Record<string, unknown> = { type: 'worker-heartbeat', hostname: 'h', timestamp: 0 };
    cyclic['self'] = cyclic;
    expect(() => dumper.format(cyclic)).not.toThrow();
  });

  it('remembers at most taskNamesMax task names, forgetting the oldest', () => {
    const dumper = new EventDumper({ taskNamesMax: 1 });
    const received = (uuid: string) => ({ type: 'task-received', hostname: 'h', timestamp: 0, uuid, name: `t.${uuid}`, args: '()', kwargs: '{}' });
    dumper.format(received('a'));
    dumper.format(received('b'));
    expect(dumper.format({ type: 'task-started', hostname: 'h', timestamp: 0, uuid: 'a' })).toBe('h [1970-01-01 00:00:00] task started  ');
    expect(dumper.format({ type: 'task-started', hostname: 'h', timestamp: 0, uuid: 'b' })).toContain('t.b(b) args=() kwargs={}');
  });
});

describe('Python-style values', () => {
  it('formats timestamps as str(datetime.utcfromtimestamp(ts))', () => {
    expect(formatDumpTimestamp(0)).toBe('1970-01-01 00:00:00');
    expect(formatDumpTimestamp(1.5)).toBe('1970-01-01 00:00:01.500000');
    expect(formatDumpTimestamp(1795315181.3504193)).toBe('2026-11-22 02:39:41.350419');
    expect(formatDumpTimestamp(undefined)).toBe('None');
  });

  it('humanizes types as humanize_type does', () => {
    expect(humanizeType('worker-online')).toBe('started');
    expect(humanizeType('WORKER-HEARTBEAT')).toBe('heartbeat');
    expect(humanizeType('task-revoked')).toBe('task revoked');
    expect(humanizeType('custom')).toBe('custom');
  });

  it('writes values as str() and repr() do', () => {
    expect(pyStr('text')).toBe('text');
    expect(pyStr(null)).toBe('None');
    expect(pyStr(true)).toBe('True');
    expect(pyStr(false)).toBe('False');
    expect(pyStr(1e-7)).toBe('1e-07');
    expect(pyStr(['a', 1, null])).toBe("['a', 1, None]");
    expect(pyStr({ a: "it's" })).toBe(`{'a': "it's"}`);
    expect(pyRepr('a\nb')).toBe("'a\\nb'");
  });
});
