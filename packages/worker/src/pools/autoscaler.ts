/**
 * Celery's autoscaler: once a second, the wanted size is the number of tasks the pool holds (running and waiting),
 * between `min` and `max`. It grows at once; it shrinks only when no growth happened for `keepaliveMs` (30 s).
 */

/** What the autoscaler reads and changes. */
export interface AutoscalerTarget {
  readonly max: number;
  readonly min: number;
  size(): number;
  queued(): number;
  busy(): number;
  resize(n: number): void;
  readonly keepaliveMs?: number;
  readonly intervalMs?: number;
  readonly now?: () => number;
}

/** An autoscaler for `target`; call `tick()` to apply the algorithm once (the timer does it every second). */
export function autoscaler(target: AutoscalerTarget): { start(): void; stop(): void; tick(): void } {
  const keepalive = target.keepaliveMs ?? 30_000;
  const now = target.now ?? Date.now;
  let lastGrow = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  const tick = (): void => {
    const size = target.size();
    const wanted = Math.min(Math.max(target.queued() + target.busy(), target.min), target.max);
    if (wanted > size) {
      lastGrow = now();
      target.resize(wanted);
    } else if (wanted < size && now() - lastGrow >= keepalive) {
      target.resize(Math.max(size - 1, target.min));
    }
  };
  return {
    tick,
    start() {
      timer ??= setInterval(tick, target.intervalMs ?? 1000);
      timer.unref();
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
  };
}
