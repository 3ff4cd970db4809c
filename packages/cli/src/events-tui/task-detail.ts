/** The monitor's page of one task: ids, arguments, result or exception with traceback, and its timeline. */
import { Box, Text } from 'ink';
import { createElement as h } from 'react';
import type { ReactElement } from 'react';
import { formatClock, formatRuntime } from './format.js';
import { stateColor } from './state-color.js';

/** What the page shows of a task (a `TaskInfo` fits). */
export interface TaskDetailData {
  readonly uuid: string;
  readonly name?: string | undefined;
  readonly state: string;
  readonly worker?: string | undefined;
  readonly args?: string | undefined;
  readonly kwargs?: string | undefined;
  readonly result?: string | undefined;
  readonly exception?: string | undefined;
  readonly traceback?: string | undefined;
  readonly runtime?: number | undefined;
  readonly retries?: number | undefined;
  readonly rootId?: string | undefined;
  readonly parentId?: string | undefined;
  readonly children?: readonly string[];
  readonly timeline: readonly { readonly type: string; readonly timestamp: number; readonly hostname: string }[];
}

/** Props of {@link TaskDetail}. */
export interface TaskDetailProps {
  /** The task, or undefined when it is no longer in memory. */
  task: TaskDetailData | undefined;
  /** Traceback lines shown at most. */
  maxTracebackLines?: number;
}

function field(label: string, value: string | undefined): ReactElement | null {
  if (value === undefined) return null;
  return h(Text, { key: label }, h(Text, { bold: true }, `${label.padEnd(10)}`), value);
}

/** The task's page. */
export function TaskDetail({ task, maxTracebackLines = 20 }: TaskDetailProps): ReactElement {
  if (task === undefined) return h(Text, { dimColor: true }, 'this task is no longer in memory (Esc to go back)');
  const traceback = task.traceback?.trimEnd().split('\n');
  const shownTraceback = traceback === undefined ? [] : traceback.slice(-maxTracebackLines);
  return h(
    Box,
    { flexDirection: 'column' },
    h(Text, { bold: true }, `Task ${task.uuid}`),
    field('name', task.name ?? '?'),
    h(Text, { key: 'state' }, h(Text, { bold: true }, 'state'.padEnd(10)), h(Text, { color: stateColor(task.state) }, task.state)),
    field('worker', task.worker),
    field('args', task.args),
    field('kwargs', task.kwargs),
    field('result', task.result),
    field('exception', task.exception),
    field('runtime', task.runtime === undefined ? undefined : formatRuntime(task.runtime)),
    field('retries', task.retries === undefined ? undefined : String(task.retries)),
    field('root', task.rootId !== undefined && task.rootId !== task.uuid ? task.rootId : undefined),
    field('parent', task.parentId),
    field('children', task.children !== undefined && task.children.length > 0 ? task.children.join(', ') : undefined),
    shownTraceback.length > 0
      ? h(
          Box,
          { flexDirection: 'column', marginTop: 1 },
          h(Text, { bold: true }, traceback !== undefined && traceback.length > shownTraceback.length ? `traceback (last ${shownTraceback.length} lines)` : 'traceback'),
          ...shownTraceback.map((line, i) => h(Text, { key: i, color: 'red' }, line)),
        )
      : null,
    h(
      Box,
      { flexDirection: 'column', marginTop: 1 },
      h(Text, { bold: true }, 'timeline'),
      ...task.timeline.map((entry, i) => h(Text, { key: i }, `  ${formatClock(entry.timestamp)}  ${entry.type.padEnd(16)} ${entry.hostname}`)),
    ),
  );
}
