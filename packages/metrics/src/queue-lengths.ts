/**
 * Queue lengths for a scrape: each queue asked of a transport that can tell (`transport.queueSize`), all at once, and
 * none waited for longer than a bound (a slow or unreachable broker must not hang Prometheus' scrape).
 */
import type { Transport } from '@q/core';

/** A queue and the transport to ask about it. */
export interface QueueSource {
  readonly queue: string;
  readonly transport: Pick<Transport, 'queueSize'>;
}

/**
 * The length of each queue of `sources` that its transport tells within `timeoutMs`. Queues whose transport has no
 * `queueSize`, fails, or answers too late are left out (a missing series, not a wrong 0).
 */
export async function queueLengths(sources: Iterable<QueueSource>, timeoutMs: number): Promise<Map<string, number>> {
  const asked: Promise<readonly [string, number | null]>[] = [];
  for (const { queue, transport } of sources) {
    if (typeof transport.queueSize !== 'function') continue;
    asked.push(bounded(() => transport.queueSize?.(queue), timeoutMs).then((n) => [queue, n] as const));
  }
  const out = new Map<string, number>();
  for (const [queue, n] of await Promise.all(asked)) if (n !== null) out.set(queue, n);
  return out;
}

/** `ask()`'s number, or `null` when it throws, rejects, is not a finite number, or takes longer than `timeoutMs`. */
async function bounded(ask: () => Promise<number> | undefined, timeoutMs: number): Promise<number | null> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
    timer.unref?.();
  });
  try {
    const answer = Promise.resolve()
      .then(ask)
      .then((n) => (typeof n === 'number' && Number.isFinite(n) ? n : null))
      .catch(() => null);
    return await Promise.race([answer, late]);
  } finally {
    clearTimeout(timer);
  }
}
