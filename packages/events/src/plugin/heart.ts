/**
 * Celery's `Heart`: `worker-online` when it starts, a `worker-heartbeat` every `interval` seconds, `worker-offline`
 * when it stops (a warm or cold stop; a killed process sends none and monitors see its heartbeats expire).
 */
import type { EventDispatcher } from '../dispatcher/event-dispatcher.js';
import { loadAverage, SOFTWARE_INFO } from './software-info.js';

/** What a heartbeat reports. */
export interface HeartSource {
  readonly activeCount: number;
  readonly processedCount: number;
}

/** Sends a worker's online, heartbeat and offline events. */
export class Heart {
  readonly #dispatcher: EventDispatcher;
  readonly #source: HeartSource;
  readonly #interval: number;
  #timer: ReturnType<typeof setInterval> | null = null;

  /** @param interval seconds between heartbeats (Celery's `freq`). */
  constructor(dispatcher: EventDispatcher, source: HeartSource, interval: number) {
    this.#dispatcher = dispatcher;
    this.#source = source;
    this.#interval = interval;
  }

  /** Sends `worker-online` and starts the heartbeats. */
  start(): void {
    this.beat('worker-online');
    this.#timer = setInterval(() => this.beat(), this.#interval * 1000);
    this.#timer.unref();
  }

  /** Stops the heartbeats and sends `worker-offline`. */
  stop(): void {
    if (this.#timer === null) return;
    clearInterval(this.#timer);
    this.#timer = null;
    this.beat('worker-offline');
  }

  /** Sends one worker event now (`worker-heartbeat` unless told otherwise). */
  beat(type: 'worker-online' | 'worker-heartbeat' | 'worker-offline' = 'worker-heartbeat'): void {
    this.#dispatcher.send(type, {
      freq: this.#interval,
      active: this.#source.activeCount,
      processed: this.#source.processedCount,
      loadavg: loadAverage(),
      ...SOFTWARE_INFO,
    });
  }
}
