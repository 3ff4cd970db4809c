/**
 * A pino-shaped logger that records every line, for tests that assert what was logged. Shaped like `@q/core`'s
 * `Logger` structurally (this file imports nothing from q, so `tools/test-services` re-exports it to `@q/core`'s
 * own tests, which cannot depend on `@q/testing`).
 */

/** One recorded line: when (epoch ms), its level, message and the fields object logged with it (`null` when none). */
export interface RecordedLine {
  /** When it was logged (epoch ms). */
  at: number;
  /** `trace`, `debug`, `info`, `warn`, `error` or `fatal`. */
  level: string;
  /** The message (`''` when only an object was logged). */
  msg: string;
  /** The fields object logged with the message (pino's first argument), `null` when only a string was logged. */
  obj: unknown;
}

/**
 * What {@link RecordingLogger.find} and its siblings look for: a predicate, or the parts a line must have — its level,
 * a message (a string the message contains, or a RegExp it matches) and fields (each key equal, by `Object.is`, to
 * the logged object's).
 */
export type LineMatch =
  | ((line: RecordedLine) => boolean)
  | {
      level?: string;
      msg?: string | RegExp;
      fields?: Readonly<Record<string, unknown>>;
    };

/** A log method, as pino's: a message, or a fields object and a message. */
export type LogFn = (obj: object | string, msg?: string) => void;

/** A logger whose lines land in `lines`; `child()` returns the same logger (bindings are not recorded). */
export interface RecordingLogger {
  /** Every line logged so far, oldest first (the array itself: tests may read or empty it). */
  lines: RecordedLine[];
  /** Records a `trace` line. */
  trace: LogFn;
  /** Records a `debug` line. */
  debug: LogFn;
  /** Records an `info` line. */
  info: LogFn;
  /** Records a `warn` line. */
  warn: LogFn;
  /** Records an `error` line. */
  error: LogFn;
  /** Records a `fatal` line. */
  fatal: LogFn;
  /** The same logger (a child's lines land in the parent's `lines`). */
  child(bindings?: object): RecordingLogger;
  /** The lines that match `match`, oldest first. */
  filter(match: LineMatch): RecordedLine[];
  /** The first line that matches `match`, or `undefined`. */
  find(match: LineMatch): RecordedLine | undefined;
  /** Whether a line matches `match`. */
  has(match: LineMatch): boolean;
  /** The messages logged (at `level` only, when given), oldest first. */
  messages(level?: string): string[];
  /** Forgets every line recorded so far. */
  clear(): void;
}

function matches(line: RecordedLine, match: LineMatch): boolean {
  if (typeof match === 'function') return match(line);
  if (match.level !== undefined && line.level !== match.level) return false;
  if (match.msg !== undefined && !(typeof match.msg === 'string' ? line.msg.includes(match.msg) : match.msg.test(line.msg))) return false;
  if (match.fields !== undefined) {
    const obj = (typeof line.obj === 'object' && line.obj !== null ? line.obj : {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(match.fields)) if (!Object.is(obj[key], value)) return false;
  }
  return true;
}

/**
 * A logger that records its lines, to pass as `createApp({ logger })` or a worker's `logger`, then assert on:
 *
 * ```ts
 * const logger = recordingLogger();
 * const app = createTestApp({ logger });
 * // …
 * expect(logger.find({ level: 'error', msg: /failed/ })?.obj).toMatchObject({ id });
 * ```
 */
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
    filter: (match) => lines.filter((line) => matches(line, match)),
    find: (match) => lines.find((line) => matches(line, match)),
    has: (match) => lines.some((line) => matches(line, match)),
    messages: (level) => lines.filter((line) => level === undefined || line.level === level).map((line) => line.msg),
    clear: () => void lines.splice(0),
  };
  return logger;
}
