/** Draws the {@link Monitor} on a terminal until `q`, Ctrl-C or `stop()`; the `q events` command runs it. */
import { render } from 'ink';
import { createElement as h } from 'react';
import { Monitor } from './monitor.js';
import type { MonitorProps } from './monitor.js';

/** Options of {@link runMonitor}. */
export interface RunMonitorOptions extends MonitorProps {
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
}

/** A monitor on screen. */
export interface RunningMonitor {
  /** Resolves when the user quit (`q`, Ctrl-C) or `stop()` was called. */
  readonly exited: Promise<void>;
  /** Takes the monitor off the screen. */
  stop(): void;
}

/** Renders the monitor in place (ink redraws the lines it drew) and returns its handle. */
export function runMonitor(options: RunMonitorOptions): RunningMonitor {
  const { stdout, stdin, ...props } = options;
  const instance = render(h(Monitor, props), { stdout, stdin, exitOnCtrlC: true, patchConsole: false });
  return {
    exited: instance.waitUntilExit().then(() => undefined),
    stop: () => instance.unmount(),
  };
}
