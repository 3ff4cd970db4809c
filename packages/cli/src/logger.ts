/**
 * The CLI's logger at the level of `-l/--loglevel`, written to stderr. Lines are formatted for people
 * (`[2025-01-01 12:00:00.000: INFO/worker] message key=value`, like Celery's) by the worker's default logger
 * (`consoleLogger` of `@q/worker`: formatted every few milliseconds, off the log call), unless `--log-format json`
 * asks for pino's JSON lines.
 */
import { pino } from 'pino';
import { consoleLogger } from '@q/worker';
import type { Logger } from '@q/core';
import type { TextSink } from './io.js';
import { UsageError } from './usage-error.js';

/** pino's level names. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
/** Output format of log lines. */
export type LogFormat = 'text' | 'json';

const LEVEL_ALIASES: Readonly<Record<string, LogLevel>> = {
  trace: 'trace',
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  warning: 'warn',
  error: 'error',
  critical: 'fatal',
  fatal: 'fatal',
};

/** Parses a level name, accepting Celery's names too (`WARNING`, `CRITICAL`), case-insensitively. */
export function parseLogLevel(value: string): LogLevel {
  const level = LEVEL_ALIASES[value.trim().toLowerCase()];
  if (!level) {
    throw new UsageError(
      `-l/--loglevel: unknown level ${JSON.stringify(value)} (expected one of ${Object.keys(LEVEL_ALIASES).join(', ')})`,
    );
  }
  return level;
}

/** Parses `--log-format`. */
export function parseLogFormat(value: string): LogFormat {
  if (value === 'text' || value === 'json') return value;
  throw new UsageError(`--log-format: expected text or json, got ${JSON.stringify(value)}`);
}

/** Options of {@link createLogger}. */
export interface CliLoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** Where lines go (stderr). */
  sink: TextSink;
  /** Bound as `name`, shown in text lines (`worker`, `call`). */
  name: string;
}

/** Creates the pino logger of one command. */
export function createLogger(options: CliLoggerOptions): Logger {
  const { sink } = options;
  // Text: the worker's default logger (a level check and a record per call; Celery's lines are formatted once per
  // event-loop turn and written to the sink in one piece: `-l info` costs a worker little). Flushed on exit.
  if (options.format === 'text') return consoleLogger({ level: options.level, name: options.name, stream: sink });
  const stream =
    options.format === 'json' ? { write: (line: string) => void sink.write(line) } : { write: (line: string) => void sink.write(formatLine(line)) };
  return pino({ level: options.level, name: options.name, base: { pid: process.pid } }, stream);
}

const LEVEL_LABELS: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARNING',
  50: 'ERROR',
  60: 'CRITICAL',
};
/** Fields not shown in text lines: the line's own header, and `node` (the worker's name, bound on all its lines). */
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'node', 'name', 'msg', 'v']);

/** Turns one pino JSON line into Celery's text shape. Lines that are not JSON are passed through. */
export function formatLine(line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof record['time'] === 'number' ? formatTime(new Date(record['time'])) : '';
  const label = LEVEL_LABELS[Number(record['level'])] ?? String(record['level']);
  const name = typeof record['name'] === 'string' ? record['name'] : 'q';
  const msg = typeof record['msg'] === 'string' ? record['msg'] : '';
  const extras: string[] = [];
  let stack = '';
  for (const [key, value] of Object.entries(record)) {
    if (HIDDEN.has(key)) continue;
    if (isErrorRecord(value)) {
      extras.push(`${key}=${JSON.stringify(`${value.type ?? 'Error'}: ${value.message}`)}`);
      if (typeof value.stack === 'string') stack += `\n${value.stack}`;
    } else {
      extras.push(`${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
    }
  }
  const tail = extras.length > 0 ? ` ${extras.join(' ')}` : '';
  return `[${time}: ${label}/${name}] ${msg}${tail}${stack}\n`;
}

function isErrorRecord(value: unknown): value is { type?: string; message: string; stack?: unknown } {
  return typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string' &&
    'stack' in value;
}

function formatTime(date: Date): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(
    date.getMinutes(),
  )}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}
