/** The monitor's latest tasks, newest first, one row each; the selected row is marked and highlighted. */
import { Box, Text } from 'ink';
import { createElement as h } from 'react';
import type { ReactElement } from 'react';
import { cell, formatRuntime, shortUuid } from './format.js';
import { stateColor } from './state-color.js';

/** What a row shows of a task (a `TaskInfo` fits). */
export interface TaskRow {
  readonly uuid: string;
  readonly name?: string | undefined;
  readonly state: string;
  readonly worker?: string | undefined;
  readonly runtime?: number | undefined;
}

/** Props of {@link TaskList}. */
export interface TaskListProps {
  tasks: readonly TaskRow[];
  /** The uuid of the selected task, if any. */
  selected: string | undefined;
  /** Rows that fit on screen; the rows shown scroll to keep the selection visible. */
  maxRows: number;
}

const COLUMNS = { uuid: 10, name: 34, state: 10, worker: 30 } as const;

/** The first row shown, so that `index` is within `maxRows` rows. */
export function scrollStart(index: number, count: number, maxRows: number): number {
  if (index < 0 || count <= maxRows) return 0;
  return Math.min(Math.max(0, index - Math.floor(maxRows / 2)), count - maxRows);
}

/** The tasks table. */
export function TaskList({ tasks, selected, maxRows }: TaskListProps): ReactElement {
  const rows = Math.max(1, maxRows);
  const index = selected === undefined ? -1 : tasks.findIndex((t) => t.uuid === selected);
  const start = scrollStart(index, tasks.length, rows);
  const shown = tasks.slice(start, start + rows);
  const header = cell('UUID', COLUMNS.uuid) + cell('NAME', COLUMNS.name) + cell('STATE', COLUMNS.state) + cell('WORKER', COLUMNS.worker) + 'RUNTIME';
  return h(
    Box,
    { flexDirection: 'column' },
    h(Text, { bold: true }, `Tasks (${tasks.length})`),
    tasks.length === 0
      ? h(Text, { dimColor: true }, '  no task events yet (start workers with -E to send them)')
      : h(
          Box,
          { flexDirection: 'column' },
          h(Text, { dimColor: true }, `  ${header}`),
          ...shown.map((task) => {
            const isSelected = task.uuid === selected;
            return h(
              Text,
              { key: task.uuid, inverse: isSelected },
              `${isSelected ? '> ' : '  '}${cell(shortUuid(task.uuid), COLUMNS.uuid)}${cell(task.name ?? '?', COLUMNS.name)}`,
              h(Text, { color: stateColor(task.state) }, cell(task.state, COLUMNS.state)),
              cell(task.worker ?? '-', COLUMNS.worker) + formatRuntime(task.runtime),
            );
          }),
        ),
  );
}
