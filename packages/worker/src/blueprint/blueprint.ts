/**
 * The blueprint: a set of bootsteps started in dependency order and stopped in reverse (Celery's
 * `celery.bootsteps.Blueprint`).
 */
import { QError, silentLogger } from '@q/core';
import type { Bootstep, Logger } from '@q/core';
import { orderBootsteps } from './order-bootsteps.js';

/** Options of a {@link Blueprint}. */
export interface BlueprintOptions {
  /** Where step start/stop and stop failures are logged (default: silent). */
  logger?: Logger;
}

/**
 * Starts bootsteps in the order their `requires` give, and stops the started ones in reverse.
 *
 * When a start fails halfway, the steps already started are stopped (cold, in reverse) and the start
 * rejects with a `QError` `Q_ERR_BOOTSTEP_FAILED` whose `cause` is the step's error. A stop that fails is
 * logged and does not prevent the other steps from stopping.
 */
export class Blueprint<W> {
  /** The steps in start order. */
  readonly steps: readonly Bootstep<W>[];
  readonly #logger: Logger;
  #started: Bootstep<W>[] = [];

  /**
   * @throws ConfigError `Q_ERR_BOOTSTEP_CYCLE` when `requires` form a cycle, `Q_ERR_CONFIG_INVALID` when a
   *   name is used twice or a required step is missing.
   */
  constructor(steps: readonly Bootstep<W>[], options: BlueprintOptions = {}) {
    this.steps = orderBootsteps(steps);
    this.#logger = options.logger ?? silentLogger;
  }

  /** Names of the steps started and not yet stopped, in start order. */
  get running(): readonly string[] {
    return this.#started.map((s) => s.name);
  }

  /** Start every enabled step in order. */
  async start(host: W): Promise<void> {
    for (const step of this.steps) {
      if (step.enabled && !step.enabled(host)) {
        this.#logger.debug({ step: step.name }, 'bootstep disabled');
        continue;
      }
      this.#logger.debug({ step: step.name }, 'starting bootstep');
      try {
        await step.start(host);
      } catch (err) {
        this.#logger.error({ step: step.name, err }, `bootstep ${step.name} failed to start`);
        await this.stop(host, { graceful: false });
        throw new QError('Q_ERR_BOOTSTEP_FAILED', `bootstep "${step.name}" failed to start: ${describe(err)}`, {
          cause: err,
        });
      }
      this.#started.push(step);
    }
  }

  /** Stop the started steps in reverse order. Safe to call more than once. */
  async stop(host: W, options: { graceful: boolean }): Promise<void> {
    const steps = this.#started.reverse();
    this.#started = [];
    for (const step of steps) {
      this.#logger.debug({ step: step.name }, 'stopping bootstep');
      try {
        await step.stop(host, options);
      } catch (err) {
        this.#logger.error({ step: step.name, err }, `bootstep ${step.name} failed to stop`);
      }
    }
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

