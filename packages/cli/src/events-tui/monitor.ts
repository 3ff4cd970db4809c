/**
 * The `q events` monitor screen (Celery's `celery events` curses monitor): workers, rates, the latest tasks, and a
 * task's page. It reads a `ClusterState` that the receiver feeds, and redraws at most every `refreshMs` (only when
 * events came in, or each second for the workers' liveness), so a flood of events costs no more than a trickle.
 * Keys: ↑/↓ or k/j select a task, Enter opens it, Esc or Backspace go back, c clears, q quits.
 */
import { Box, Text, useApp, useInput, useStdin, useStdout } from 'ink';
import { createElement as h, useEffect, useRef, useState } from 'react';
import type { ReactElement } from 'react';
import { navigate } from './navigation.js';
import type { Navigation } from './navigation.js';
import { RateMeter } from './rates.js';
import type { Rates } from './rates.js';
import { RatesLine } from './rates-line.js';
import { TaskDetail } from './task-detail.js';
import type { TaskDetailData } from './task-detail.js';
import { TaskList } from './task-list.js';
import { WorkersPanel } from './workers-panel.js';
import type { WorkerRow } from './workers-panel.js';

/** What the monitor reads of the cluster (a `ClusterState` fits). */
export interface MonitorState {
  readonly eventCount: number;
  readonly taskCount: number;
  readonly workers: ReadonlyMap<string, WorkerRow>;
  readonly tasks: ReadonlyMap<string, TaskDetailData>;
  tasksByTime(query: { limit?: number }): TaskDetailData[];
  clear(): void;
}

/** Props of {@link Monitor}. */
export interface MonitorProps {
  state: MonitorState;
  /** Shown in the title line (the broker, masked). */
  title?: string;
  /** Shortest time between two redraws, ms (default 250: 4 per second). */
  refreshMs?: number;
  /** Epoch milliseconds (default `Date.now`), for the rates. */
  now?: () => number;
  /** Tasks kept in the list (default 500). */
  taskLimit?: number;
}

/** Redraw at least this often, for workers that go offline without an event. */
const IDLE_REFRESH_MS = 1000;

/** The monitor; see the module comment. */
export function Monitor({ state, title, refreshMs = 250, now = Date.now, taskLimit = 500 }: MonitorProps): ReactElement {
  const { exit } = useApp();
  const { isRawModeSupported } = useStdin();
  const { stdout } = useStdout();
  const meter = useRef(new RateMeter());
  const [, setVersion] = useState(0);
  const [rates, setRates] = useState<Rates>({ eventsPerSecond: 0, tasksPerSecond: 0 });
  const [nav, setNav] = useState<Navigation>({ view: 'list', selected: undefined });
  const { view, selected } = nav;

  useEffect(() => {
    let seen = state.eventCount;
    let drawnAt = now();
    const timer = setInterval(() => {
      const t = now();
      const nextRates = meter.current.sample(state.eventCount, state.taskCount, t);
      if (state.eventCount === seen && t - drawnAt < IDLE_REFRESH_MS) return;
      seen = state.eventCount;
      drawnAt = t;
      setRates(nextRates);
      setVersion((v) => v + 1);
    }, refreshMs);
    return () => clearInterval(timer);
  }, [state, refreshMs, now]);

  const tasks = state.tasksByTime({ limit: taskLimit });

  useInput(
    (input, key) => {
      if (input === 'q') {
        exit();
        return;
      }
      if (input === 'c') {
        state.clear();
        meter.current.reset();
        setNav((prev) => ({ ...prev, selected: undefined }));
        setRates({ eventsPerSecond: 0, tasksPerSecond: 0 });
        setVersion((v) => v + 1);
        return;
      }
      setNav((prev) => navigate(prev, input, key, tasks, (uuid) => state.tasks.has(uuid)));
    },
    { isActive: isRawModeSupported },
  );

  const rows = stdout.rows > 0 ? stdout.rows : 40;
  const workers = [...state.workers.values()];
  const heading = h(Text, { bold: true, color: 'cyan' }, title === undefined ? 'q events' : `q events: ${title}`);
  if (view === 'detail') {
    return h(
      Box,
      { flexDirection: 'column' },
      heading,
      h(TaskDetail, { task: selected === undefined ? undefined : state.tasks.get(selected), maxTracebackLines: Math.max(3, rows - 20) }),
      h(Text, { dimColor: true }, 'Esc/Backspace: back   q: quit'),
    );
  }
  const taskRows = Math.max(3, rows - workers.length - 10);
  return h(
    Box,
    { flexDirection: 'column' },
    heading,
    h(WorkersPanel, { workers }),
    h(RatesLine, { rates, events: state.eventCount, tasks: state.tasks.size }),
    h(TaskList, { tasks, selected, maxRows: taskRows }),
    h(Text, { dimColor: true }, '↑/↓ j/k: select   Enter: details   c: clear   q: quit'),
  );
}
