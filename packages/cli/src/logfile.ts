/**
 * `q worker --logfile`: log lines appended to a file. The logger is made before the file's name is known (it expands
 * `%n` and friends from the node name, known once the app is loaded), so it writes to a {@link SwitchableSink}.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { TextSink } from './io.js';
import { UsageError } from './usage-error.js';

/** A sink that forwards to another, which can be switched. */
export interface SwitchableSink extends TextSink {
  switchTo(target: TextSink): void;
  /** Back to the sink it was made with. */
  reset(): void;
}

/** A sink writing to `initial` until switched. */
export function switchableSink(initial: TextSink): SwitchableSink {
  let target = initial;
  return {
    write: (text: string) => target.write(text),
    switchTo(next) {
      target = next;
    },
    reset() {
      target = initial;
    },
  };
}

/** A log file open for appending. */
export interface Logfile extends TextSink {
  readonly path: string;
  close(): void;
}

/**
 * Opens `path` for appending (created if missing). Each line is written at once, synchronously, so nothing is lost
 * when the process ends abruptly. A file that cannot be opened is a usage error naming it.
 */
export function openLogfile(path: string): Logfile {
  let fd: number;
  try {
    fd = openSync(path, 'a', 0o644);
  } catch (err) {
    throw new UsageError(`-f/--logfile: cannot open ${path}: ${(err as Error).message}`);
  }
  let open = true;
  return {
    path,
    write(text: string) {
      if (open) writeSync(fd, text);
    },
    close() {
      if (!open) return;
      open = false;
      closeSync(fd);
    },
  };
}
