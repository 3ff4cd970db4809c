/**
 * One-shot commands (`call`, `result`, `purge`) fail fast when the broker or the result backend cannot be
 * reached: the app's connect retries (`brokerOptions.connectionMaxRetries`, 100 by default: about 8 minutes,
 * right for a worker) are cut off after `--connect-timeout` seconds, and the command fails with the last reason
 * a retry gave. The worker keeps the app's policy.
 */
import { ConnectionError } from '@q/core';
import type { App, Logger } from '@q/core';
import { parseSeconds } from './parse.js';

/** Seconds a one-shot command waits for its broker or backend by default. */
export const DEFAULT_CONNECT_TIMEOUT = 5;

/** The `--connect-timeout` option of the one-shot commands. */
export const CONNECT_TIMEOUT_FLAGS = '--connect-timeout <seconds>';
export const CONNECT_TIMEOUT_HELP =
  `give up connecting to the broker or result backend after this many seconds (default ${DEFAULT_CONNECT_TIMEOUT}; ` +
  '0: retry as long as the app\'s brokerOptions allow)';

/** Parses `--connect-timeout`. */
export function parseConnectTimeout(value: string): number {
  return parseSeconds('--connect-timeout', value);
}

/** What a connect retry said last, as seen through the app's logger. */
export interface ConnectRetries {
  /** The logger to give the app: `logger`, remembering each connect retry's reason on the way. */
  readonly logger: Logger;
  /** The reason of the last connect retry logged, if any. */
  last(): string | undefined;
}

/**
 * Wraps `logger` to remember core's connect-retry warnings (`{ err, attempt }`, `cannot connect to …; retrying
 * in 0.4s`), so a command that gives up can say why. Everything is still logged through `logger`.
 */
export function watchConnectRetries(logger: Logger): ConnectRetries {
  let last: string | undefined;
  const wrapped: Logger = {
    trace: (obj, msg) => logger.trace(obj, msg),
    debug: (obj, msg) => logger.debug(obj, msg),
    info: (obj, msg) => logger.info(obj, msg),
    warn: (obj, msg) => {
      if (typeof obj === 'object' && obj !== null && 'attempt' in obj) {
        const err = (obj as { err?: unknown }).err;
        last = msg !== undefined ? msg.replace(/; retrying in [\d.]+s$/, '') : typeof err === 'string' ? err : last;
      }
      logger.warn(obj, msg);
    },
    error: (obj, msg) => logger.error(obj, msg),
    fatal: (obj, msg) => logger.fatal(obj, msg),
    child: (bindings) => logger.child(bindings),
  };
  return { logger: wrapped, last: () => last };
}

const EXPIRED = Symbol('expired');

/** Options of {@link connectWithin}. */
export interface ConnectWithinOptions {
  /** What is connected, for the message: `broker` or `result backend`. */
  what: string;
  /** Seconds; `0` waits as long as the app's own retry policy does. */
  seconds: number;
  /** The command, for the message (`call`). */
  command: string;
  retries: ConnectRetries;
}

/**
 * Awaits `connecting` (the app's `getTransport()` or `getBackend()`) for at most `options.seconds`. When time is
 * up, closes the app (which ends its retries) and throws. A failure before that is passed on as it is.
 * @throws ConnectionError `Q_ERR_CONNECTION_FAILED` naming the last reason a retry gave and `--connect-timeout`.
 */
export async function connectWithin<T>(app: Pick<App, 'close'>, connecting: Promise<T>, options: ConnectWithinOptions): Promise<T> {
  if (options.seconds === 0) return connecting;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<typeof EXPIRED>((resolve) => {
    timer = setTimeout(() => resolve(EXPIRED), options.seconds * 1000);
  });
  try {
    const outcome = await Promise.race([connecting, expired]);
    if (outcome !== EXPIRED) return outcome;
  } finally {
    clearTimeout(timer);
  }
  connecting.catch(() => undefined); // rejects once the app closes: the error below says more
  await app.close().catch(() => undefined);
  const last = options.retries.last();
  throw new ConnectionError(
    'Q_ERR_CONNECTION_FAILED',
    `q ${options.command} gave up connecting to the ${options.what} after ${options.seconds} s` +
      `${last === undefined ? '' : ` (last attempt: ${last})`}; pass --connect-timeout <seconds> to wait longer`,
    { retryable: false },
  );
}
