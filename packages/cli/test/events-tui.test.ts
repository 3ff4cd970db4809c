/**
 * The `q events` monitor's components, drawn by ink-testing-library from a `ClusterState` fed with events captured
 * from Python Celery 5.2.6: the workers panel, the task list, a task's page, and the keys of the monitor.
 */
import { EventEmitter } from 'node:events';
import { ClusterState } from '@q/events';
import type { QEvent } from '@q/events';
import { stripVTControlCharacters } from 'node:util';
import { render } from 'ink-testing-library';
import { createElement as h } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { readVector } from '@q/test-services';
import { Monitor } from '../src/events-tui/monitor.js';
import { RateMeter } from '../src/events-tui/rates.js';
import { runMonitor } from '../src/events-tui/run-monitor.js';
import { TaskDetail } from '../src/events-tui/task-detail.js';
import { scrollStart, TaskList } from '../src/events-tui/task-list.js';
import { WorkersPanel } from '../src/events-tui/workers-panel.js';

const vector = (name: string) => readVector<{ event: QEvent }>(name).event;
/** A moment just after the captured events were sent, epoch ms. */
const NOW = 1795315182_000;
const SUCCEEDED = '404558d9-a006-4198-a997-21887975f852';

function capturedState(): ClusterState {
  const state = new ClusterState({ now: () => NOW });
  for (const name of [
    'event-worker-online.json',
    'event-worker-heartbeat.json',
    'event-task-received.json',
    'event-task-started.json',
    'event-task-succeeded.json',
    'event-task-failed.json',
  ]) {
    const event = vector(name);
    state.event({ ...event, local_received: event.timestamp });
  }
  return state;
}

const instances: { unmount(): void }[] = [];
/** Draws `tree`; its frames come without colors (ink colors them where the environment says it may, as CI does). */
function draw(tree: Parameters<typeof render>[0]) {
  const instance = render(tree);
  instances.push(instance);
  const lastFrame = (): string | undefined => {
    const frame = instance.lastFrame();
    return frame === undefined ? undefined : stripVTControlCharacters(frame);
  };
  return { ...instance, lastFrame };
}
afterEach(() => instances.splice(0).forEach((i) => i.unmount()));

/** Waits until the last frame matches (React redraws after input on its own schedule). */
async function frameMatching(lastFrame: () => string | undefined, pattern: RegExp): Promise<string> {
  for (let i = 0; i < 200; i += 1) {
    const frame = lastFrame() ?? '';
    if (pattern.test(frame)) return frame;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`no frame matched ${pattern}; last:\n${lastFrame() ?? ''}`);
}

const DOWN = '\u001B[B';
const UP = '\u001B[A';
const ENTER = '\r';
const ESC = '\u001B';

describe('events TUI components', () => {
  it('WorkersPanel shows each worker with status, active, processed and load', () => {
    const state = capturedState();
    const { lastFrame } = draw(h(WorkersPanel, { workers: [...state.workers.values()] }));
    expect(lastFrame()).toMatch(/Workers \(1\)/);
    expect(lastFrame()).toMatch(/w1@cap\s+ONLINE\s+0\s+0\s+0\.25 0\.30 0\.16/);
  });

  it('WorkersPanel shows a worker whose heartbeats stopped as OFFLINE', () => {
    const later = new ClusterState({ now: () => NOW + 60_000 });
    later.event({ ...vector('event-worker-heartbeat.json'), local_received: NOW / 1000 });
    const { lastFrame } = draw(h(WorkersPanel, { workers: [...later.workers.values()] }));
    expect(lastFrame()).toMatch(/w1@cap\s+OFFLINE/);
  });

  it('TaskList shows the tasks newest first with name, state, worker and runtime, marking the selection', () => {
    const state = capturedState();
    const tasks = state.tasksByTime();
    const { lastFrame } = draw(h(TaskList, { tasks, selected: SUCCEEDED, maxRows: 10 }));
    const lines = (lastFrame() ?? '').split('\n');
    const success = lines.findIndex((l) => l.includes('404558d9'));
    const failure = lines.findIndex((l) => /FAILURE/.test(l));
    expect(failure).toBeGreaterThan(0);
    expect(success).toBeGreaterThan(failure);
    expect(lines[success]).toMatch(/^> 404558d9\s+capapp\.add\s+SUCCESS\s+w1@cap\s+0\.006s/);
    expect(lines[failure]).toMatch(/^ {2}\w{8}\s+\?\s+FAILURE\s+w1@cap/);
  });

  it('TaskList scrolls to keep the selection on screen', () => {
    expect(scrollStart(0, 100, 10)).toBe(0);
    expect(scrollStart(50, 100, 10)).toBe(45);
    expect(scrollStart(99, 100, 10)).toBe(90);
    expect(scrollStart(5, 8, 10)).toBe(0);
  });

  it('TaskDetail shows args, kwargs, result and the timeline of a succeeded task', () => {
    const task = capturedState().tasks.get(SUCCEEDED);
    const { lastFrame } = draw(h(TaskDetail, { task }));
    const frame = lastFrame() ?? '';
    expect(frame).toMatch(/Task 404558d9-a006-4198-a997-21887975f852/);
    expect(frame).toMatch(/name\s+capapp\.add/);
    expect(frame).toMatch(/args\s+\(2, 3\)/);
    expect(frame).toMatch(/kwargs\s+\{\}/);
    expect(frame).toMatch(/result\s+5/);
    expect(frame).toMatch(/task-received\s+w1@cap[\s\S]*task-started\s+w1@cap[\s\S]*task-succeeded\s+w1@cap/);
  });

  it('TaskDetail shows the exception and traceback of a failed task', () => {
    const failed = vector('event-task-failed.json');
    const task = capturedState().tasks.get(failed.uuid ?? '');
    const { lastFrame } = draw(h(TaskDetail, { task }));
    expect(lastFrame()).toMatch(/exception\s+ValueError\('bad thing'\)/);
    expect(lastFrame()).toMatch(/traceback[\s\S]*Traceback \(most recent call last\)[\s\S]*ValueError: bad thing/);
    expect(lastFrame()).toMatch(/task-failed/);
  });

  it('TaskDetail says so when the task is gone', () => {
    expect(draw(h(TaskDetail, { task: undefined })).lastFrame()).toMatch(/no longer in memory/);
  });
});

describe('the monitor', () => {
  it('shows workers, rates and tasks; j/Enter opens a task, Esc goes back, c clears', async () => {
    const state = capturedState();
    const { lastFrame, stdin } = draw(h(Monitor, { state, title: 'memory://', refreshMs: 20, now: () => NOW }));
    let frame = await frameMatching(lastFrame, /Tasks \(2\)/);
    expect(frame).toMatch(/q events: memory:\/\//);
    expect(frame).toMatch(/w1@cap\s+ONLINE/);
    expect(frame).toMatch(/Events: [\d.]+\/s \(6 total\)/);

    stdin.write('j'); // the newest (the failed task)
    await frameMatching(lastFrame, /^> \w{8}\s+\?\s+FAILURE/m);
    stdin.write(DOWN);
    await frameMatching(lastFrame, /^> 404558d9/m);
    stdin.write(UP);
    await frameMatching(lastFrame, /^> \w{8}\s+\?\s+FAILURE/m);
    stdin.write('j');
    await frameMatching(lastFrame, /^> 404558d9/m);
    stdin.write(ENTER);
    frame = await frameMatching(lastFrame, /Task 404558d9-a006-4198-a997-21887975f852/);
    expect(frame).toMatch(/result\s+5/);
    stdin.write(ESC);
    await frameMatching(lastFrame, /Workers \(1\)/);
    stdin.write('k');
    stdin.write(ENTER);
    await frameMatching(lastFrame, /exception\s+ValueError/);
    stdin.write('\u007F'); // Backspace
    await frameMatching(lastFrame, /Workers \(1\)/);

    stdin.write('c');
    frame = await frameMatching(lastFrame, /Tasks \(0\)/);
    expect(frame).toMatch(/Workers \(0\)/);
    expect(state.tasks.size).toBe(0);
  });

  it('redraws when events arrive', async () => {
    const state = new ClusterState({ now: () => NOW });
    const { lastFrame } = draw(h(Monitor, { state, refreshMs: 20, now: () => NOW }));
    await frameMatching(lastFrame, /no worker heard from yet/);
    const heartbeat = vector('event-worker-heartbeat.json');
    state.event({ ...heartbeat, local_received: NOW / 1000 });
    await frameMatching(lastFrame, /w1@cap\s+ONLINE/);
  });

  it('q quits: the monitor ends', async () => {
    const stdout = Object.assign(new EventEmitter(), { columns: 120, rows: 40, isTTY: true, write: () => true });
    const stdin = Object.assign(new EventEmitter(), {
      isTTY: true,
      setRawMode: () => stdin,
      setEncoding: () => stdin,
      resume: () => stdin,
      pause: () => stdin,
      ref: () => stdin,
      unref: () => stdin,
      read: (): string | null => chunks.shift() ?? null,
    });
    const chunks: string[] = [];
    const screen = runMonitor({
      state: capturedState(),
      stdout: stdout as unknown as NodeJS.WriteStream,
      stdin: stdin as unknown as NodeJS.ReadStream,
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    chunks.push('q');
    stdin.emit('readable');
    await expect(screen.exited).resolves.toBeUndefined();
  });
});

describe('RateMeter', () => {
  it('gives the growth per second over its window, and starts again when counters go down', () => {
    const meter = new RateMeter({ windowMs: 5000 });
    expect(meter.sample(0, 0, 0)).toEqual({ eventsPerSecond: 0, tasksPerSecond: 0 });
    expect(meter.sample(10, 2, 1000)).toEqual({ eventsPerSecond: 10, tasksPerSecond: 2 });
    expect(meter.sample(30, 4, 2000)).toEqual({ eventsPerSecond: 15, tasksPerSecond: 2 });
    meter.sample(30, 4, 8000);
    expect(meter.sample(30, 4, 9000)).toEqual({ eventsPerSecond: 0, tasksPerSecond: 0 });
    expect(meter.sample(0, 0, 10_000)).toEqual({ eventsPerSecond: 0, tasksPerSecond: 0 });
  });
});
