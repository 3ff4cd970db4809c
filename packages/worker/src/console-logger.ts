/**
 * The worker's default logger: what `createWorker()` logs through when neither it nor the app was given a
 * logger, so a worker started from code says `celery@host ready.` as Celery's does. pino-shaped (levels,
 * `child(bindings)`, `isLevelEnabled`), and writes Celery's text lines to stderr:
 * `[2025-01-01 12:00:00.000: INFO/worker] celery@host ready. pool=async concurrency=100`.
 * This is the one place in q's libraries that writes to the console, and only when nothing else was chosen;
 * give a pino logger (`createApp({ logger })` or `createWorker(app, { logger })`) for JSON lines.
 */
import type { Logger } from '@q/core';

/** A level of {@link consoleLogger}, or `silent`. */
export type ConsoleLogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** Options of {@link consoleLogger}. */
export interface ConsoleLoggerOptions {
  /** Lowest level written (default `info`). */
  level?: ConsoleLogLevel;
  /** Where lines go (default `process.stderr`). */
  stream?: { write(line: string): unknown };
  /** Shown after the level, as Celery shows its process name (default `worker`). */
  name?: string;
}

const LEVELS = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity } as const;
/** Celery's level names. */
const LABELS = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARNING', error: 'ERROR', fatal: 'CRITICAL' } as const;
type Level = keyof typeof LABELS;

/** A pino-shaped logger writing Celery's text lines (to stderr by default) at `info` and above. */
export function consoleLogger(options: ConsoleLoggerOptions = {}): Logger & { isLevelEnabled(level: string): boolean } {
  const threshold = LEVELS[options.level ?? 'info'];
  const stream = options.stream ?? process.stderr;
  const name = options.name ?? 'worker';
  const make = (bindings: Readonly<Record<string, unknown>>): Logger & { isLevelEnabled(level: string): boolean } => {
    const at =
      (level: Level) =>
      (obj: object | string, msg?: string): void => {
        if (LEVELS[level] < threshold) return;
        const fields = typeof obj === 'string' ? bindings : { ...bindings, ...obj };
        const text = typeof obj === 'string' ? obj : (msg ?? '');
        stream.write(formatLine(new Date(), LABELS[level], name, text, fields));
      };
    return {
      trace: at('trace'),
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      fatal: at('fatal'),
      child: (more) => make({ ...bindings, ...more }),
      isLevelEnabled: (level) => (LEVELS[level as Level] ?? Infinity) >= threshold,
    };
  };
  return make({});
}

/** Fields not repeated on every line: the node name is in the messages that need it. */
const HIDDEN = new Set(['node']);

/** One line: `[time: LEVEL/name] message key=value …`, then the stack of an error field. */
export function formatLine(time: Date, label: string, name: string, msg: string, fields: Readonly<Record<string, unknown>>): string {
  const extras: string[] = [];
  let stack = '';
  for (const [key, value] of Object.entries(fields)) {
    if (HIDDEN.has(key) || value === undefined) continue;
    if (value instanceof Error) {
      extras.push(`${key}=${JSON.stringify(`${value.name}: ${value.message}`)}`);
      if (value.stack) stack += `\n${value.stack}`;
    } else {
      extras.push(`${key}=${typeof value === 'string' ? value : safeJson(value)}`);
    }
  }
  const tail = extras.length > 0 ? ` ${extras.join(' ')}` : '';
  return `[${formatTime(time)}: ${label}/${name}] ${msg}${tail}${stack}\n`;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function formatTime(date: Date): string {
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`
  );
}
