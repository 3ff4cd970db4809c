/**
 * A pino-shaped logger that records every line, for tests that assert what was logged. Shaped like `@q/core`'s
 * `Logger` (structurally: this package imports nothing from q).
 */

/** One recorded line: when (epoch ms), its level, message and the object logged with it (`null` when none). */
export interface RecordedLine {
  at: number;
  level: string;
  msg: string;
  obj: unknown;
}

type LogFn = (obj: object | string, msg?: string) => void;

/** A logger whose lines land in `lines`; `child()` returns the same logger. */
export interface RecordingLogger {
  lines: RecordedLine[];
  trace: LogFn;
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  fatal: LogFn;
  child(bindings?: object): RecordingLogger;
}

/** A logger that records lines. */
export function recordingLogger(): RecordingLogger {
  const lines: RecordedLine[] = [];
  const at =
    (level: string): LogFn =>
    (obj, msg) => {
      lines.push(typeof obj === 'string' ? { at: Date.now(), level, msg: obj, obj: null } : { at: Date.now(), level, msg: msg ?? '', obj });
    };
  const logger: RecordingLogger = {
    lines,
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    fatal: at('fatal'),
    child: () => logger,
  };
  return logger;
}
