/** The monitor's workers: one row per worker with its status, running and processed tasks, and load. */
import { Box, Text } from 'ink';
import { createElement as h } from 'react';
import type { ReactElement } from 'react';
import { cell, formatLoad } from './format.js';

/** What the panel shows of a worker (a `WorkerInfo` fits). */
export interface WorkerRow {
  readonly hostname: string;
  readonly status: 'ONLINE' | 'OFFLINE';
  readonly active?: number | undefined;
  readonly processed?: number | undefined;
  readonly loadavg?: readonly number[] | undefined;
}

/** Props of {@link WorkersPanel}. */
export interface WorkersPanelProps {
  workers: readonly WorkerRow[];
}

const COLUMNS = { name: 36, status: 9, active: 8, processed: 11 } as const;

/** The workers table, or a line saying none was heard from yet. */
export function WorkersPanel({ workers }: WorkersPanelProps): ReactElement {
  const header =
    cell('WORKER', COLUMNS.name) + cell('STATUS', COLUMNS.status) + cell('ACTIVE', COLUMNS.active) + cell('PROCESSED', COLUMNS.processed) + 'LOAD';
  return h(
    Box,
    { flexDirection: 'column' },
    h(Text, { bold: true }, `Workers (${workers.length})`),
    workers.length === 0
      ? h(Text, { dimColor: true }, '  no worker heard from yet (q worker sends heartbeats every 2 s)')
      : h(
          Box,
          { flexDirection: 'column' },
          h(Text, { dimColor: true }, `  ${header}`),
          ...workers.map((worker) =>
            h(
              Text,
              { key: worker.hostname },
              `  ${cell(worker.hostname, COLUMNS.name)}`,
              h(Text, { color: worker.status === 'ONLINE' ? 'green' : 'red' }, cell(worker.status, COLUMNS.status)),
              cell(String(worker.active ?? '-'), COLUMNS.active) + cell(String(worker.processed ?? '-'), COLUMNS.processed) + formatLoad(worker.loadavg),
            ),
          ),
        ),
  );
}
