/** The color of a task state on screen. */

const COLORS: Readonly<Record<string, string>> = {
  SUCCESS: 'green',
  FAILURE: 'red',
  STARTED: 'yellow',
  RECEIVED: 'cyan',
  RETRY: 'magenta',
  REVOKED: 'gray',
  REJECTED: 'gray',
};

/** ink's color name for `state` (white for states of its own). */
export function stateColor(state: string): string {
  return COLORS[state] ?? 'white';
}
