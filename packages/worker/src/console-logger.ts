/**
 * The worker's default logger: what `createWorker()` logs through when neither it nor the app was given a
 * logger, so a worker started from code says `celery@host ready.` as Celery's does. pino-shaped (levels,
 * `child(bindings)`, `isLevelEnabled`, `flush`), and writes Celery's text lines to stderr:
 * `[2025-01-01 12:00:00.000: INFO/worker] celery@host ready. pool=async concurrency=100`.
 *
 * Logging costs little: a log call checks the level and appends a record; the line is formatted and written
 * every few milliseconds, with the other lines logged meanwhile, through pino's asynchronous destination
 * (sonic-boom). Pending lines are written when the process exits, and on `flush()` (the worker flushes when it
 * stops). `format: 'json'` gives pino itself, with the same asynchronous destination.
 * This is the one place in q's libraries that writes to the console, and only when nothing else was chosen.
 */
import { levels, pino } from 'pino';
import type { Logger } from '@q/core';
import { LogBuffer } from './log-buffer.js';
import type { LogDestination, TextStream } from './log-buffer.js';
import { formatLine } from './log-line.js';
import type { BindingChain } from './log-line.js';

export type { LogDestination, TextStream };

/** A level of {@link consoleLogger}, or `silent`. */
export type ConsoleLogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** Options of {@link consoleLogger}. */
export interface ConsoleLoggerOptions {
  /** Lowest level written (default `info`). */
  level?: ConsoleLogLevel;
  /**
   * Where lines go: a file descriptor, a file path (appended to, created with its folder), or a stream's
   * `write`. Default: file descriptor 2 (stderr), written asynchronously. A stream gets one `write` per
   * flush with the lines logged since the last one.
   */
  destination?: LogDestination;
  /** Same as `destination` with a stream (kept for callers of earlier versions). */
  stream?: TextStream;
  /** Shown after the level, as Celery shows its process name (default `worker`); pino's `name` in JSON. */
  name?: string;
  /** `text` (default): Celery's lines. `json`: pino's JSON lines. */
  format?: 'text' | 'json';
}

/** What {@link consoleLogger} returns: a {@link Logger} that can tell its level and write out what is pending. */
export interface ConsoleLogger extends Logger {
  /** The lowest level written. */
  readonly level: string;
  /** Whether lines at `level` are written (pino's `isLevelEnabled`). */
  isLevelEnabled(level: string): boolean;
  /**
   * Hand every pending line to the destination now (a stream's `write` is called at once; a file or descriptor is
   * written asynchronously). When the process exits, what is pending is written synchronously.
   */
  flush(): void;
  child(bindings: Record<string, unknown>): ConsoleLogger;
}

/** pino's level values (`trace` 10 … `fatal` 60). */
const VALUES: Readonly<Record<string, number>> = { ...levels.values, silent: Infinity };
/** Celery's level names, by pino level. */
const LABELS = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR', fatal: 'CRITICAL' } as const;
type Level = keyof typeof LABELS;

/** A logger's bindings: its own and its parent's, merged only when a line is formatted (a child per task costs one small object). */
type Bindings = BindingChain | null;

/**
 * A pino-shaped logger writing Celery's text lines (to stderr by default, asynchronously) at `info` and above;
 * with `format: 'json'`, pino writing JSON lines to the same kind of destination.
 *
 * @example
 * const worker = createWorker(app, { logger: consoleLogger({ level: 'warn' }) });
 */
export function consoleLogger(options: ConsoleLoggerOptions = {}): ConsoleLogger {
  const level = options.level ?? 'info';
  const name = options.name ?? 'worker';
  const destination = options.destination ?? options.stream ?? 2;
  if (options.format === 'json') return jsonLogger(level, name, destination);
  // A record is five slots: time, label, message, the logger's bindings, the call's fields.
  const buffer = new LogBuffer(destination, 5, (r, i) =>
    formatLine(r[i] as number, r[i + 1] as string, name, r[i + 2] as string, r[i + 3] as Bindings, r[i + 4] as Readonly<Record<string, unknown>> | undefined),
  );
  return new TextLogger(buffer, level, VALUES[level] ?? VALUES['info'] as number, null);
}

/** pino, writing through a {@link LogBuffer} (one asynchronous write every few milliseconds). */
function jsonLogger(level: ConsoleLogLevel, name: string, destination: LogDestination): ConsoleLogger {
  const buffer = new LogBuffer(destination, 1, (r, i) => r[i] as string);
  const stream = { write: (line: string): void => buffer.push1(line) };
  const logger = pino({ level, name, base: { pid: process.pid } }, stream);
  // pino's children are created from their parent's prototype chain: they inherit this `flush` too.
  return Object.assign(logger, { flush: () => buffer.flush() }) as unknown as ConsoleLogger;
}

/** The text logger: a level check and a record per call; formatting happens in the {@link LogBuffer}. */
class TextLogger implements ConsoleLogger {
  readonly #buffer: LogBuffer;
  readonly #threshold: number;
  readonly #bindings: Bindings;
  readonly level: string;

  constructor(buffer: LogBuffer, level: string, threshold: number, bindings: Bindings) {
    this.#buffer = buffer;
    this.level = level;
    this.#threshold = threshold;
    this.#bindings = bindings;
  }

  #log(value: number, label: string, obj: object | string, msg: string | undefined): void {
    if (value < this.#threshold) return;
    if (typeof obj === 'string') this.#buffer.push5(Date.now(), label, obj, this.#bindings, undefined);
    else this.#buffer.push5(Date.now(), label, msg ?? '', this.#bindings, obj as Readonly<Record<string, unknown>>);
  }

  trace(obj: object | string, msg?: string): void {
    this.#log(10, LABELS.trace, obj, msg);
  }

  debug(obj: object | string, msg?: string): void {
    this.#log(20, LABELS.debug, obj, msg);
  }

  info(obj: object | string, msg?: string): void {
    this.#log(30, LABELS.info, obj, msg);
  }

  warn(obj: object | string, msg?: string): void {
    this.#log(40, LABELS.warn, obj, msg);
  }

  error(obj: object | string, msg?: string): void {
    this.#log(50, LABELS.error, obj, msg);
  }

  fatal(obj: object | string, msg?: string): void {
    this.#log(60, LABELS.fatal, obj, msg);
  }

  child(bindings: Record<string, unknown>): ConsoleLogger {
    return new TextLogger(this.#buffer, this.level, this.#threshold, { own: bindings, parent: this.#bindings });
  }

  isLevelEnabled(level: string): boolean {
    return (VALUES[level as Level] ?? Infinity) >= this.#threshold;
  }

  flush(): void {
    this.#buffer.flush();
  }
}

/**
 * Write out what `logger` holds (a {@link consoleLogger}, or pino with an asynchronous destination); loggers
 * without a `flush` are left alone. The worker calls it when it stops.
 */
export function flushLogger(logger: Logger): void {
  const flush = (logger as { flush?: unknown }).flush;
  if (typeof flush !== 'function') return;
  try {
    (flush as () => void).call(logger);
  } catch {
    // A destination that cannot be flushed (closed) has nothing left to lose.
  }
}
