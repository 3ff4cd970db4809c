/** The monitor's line of rates and totals: events and tasks per second, events and tasks seen. */
import { Text } from 'ink';
import { createElement as h } from 'react';
import type { ReactElement } from 'react';
import { formatRate } from './format.js';
import type { Rates } from './rates.js';

/** Props of {@link RatesLine}. */
export interface RatesLineProps {
  rates: Rates;
  /** Events received since start (or the last clear). */
  events: number;
  /** Tasks in memory. */
  tasks: number;
}

/** `Events: 12.0/s (340 total)   Tasks: 3.0/s (57 in memory)`. */
export function RatesLine({ rates, events, tasks }: RatesLineProps): ReactElement {
  return h(
    Text,
    null,
    h(Text, { bold: true }, 'Events: '),
    `${formatRate(rates.eventsPerSecond)} (${events} total)   `,
    h(Text, { bold: true }, 'Tasks: '),
    `${formatRate(rates.tasksPerSecond)} (${tasks} in memory)`,
  );
}
