/**
 * Cheap checks before building log lines on the per-task path.
 */
import { silentLogger } from '@q/core';
import type { Logger } from '@q/core';

/** A level of the {@link Logger}. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** A logger that can tell whether a level is on (pino's `isLevelEnabled`). */
type LevelAware = Logger & { isLevelEnabled?: (level: string) => boolean };

/**
 * Whether `logger` writes lines at `level`: false for core's `silentLogger`, pino's `isLevelEnabled` when
 * the logger has it, true otherwise. Callers skip formatting a line when it would be dropped.
 */
export function logEnabled(logger: Logger, level: LogLevel): boolean {
  if (logger === silentLogger) return false;
  const check = (logger as LevelAware).isLevelEnabled;
  return typeof check === 'function' ? check.call(logger, level) : true;
}
