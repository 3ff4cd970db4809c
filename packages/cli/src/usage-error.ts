import { ConfigError } from '@q/core';

const USAGE = Symbol.for('q.cli.usage-error');

/**
 * A mistake on the command line (bad JSON in `--args`, a missing `-A` module, a bad number): printed as
 * `error: <message> (Q_ERR_CONFIG_INVALID)` and ends the process with exit code 2. It is a `ConfigError`;
 * `instanceof UsageError` is true only for errors raised by the CLI itself.
 */
export class UsageError extends ConfigError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('Q_ERR_CONFIG_INVALID', message, options);
    Object.defineProperty(this, USAGE, { value: true, enumerable: false });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[USAGE] === true;
  }
}
