/** Parses `--autoscale max,min` (Celery's order; `max` alone means `max,1`). */
import { UsageError } from './usage-error.js';

/** `[max, min]` pool children; min ≥ 1 and max ≥ min. */
export function parseAutoscale(option: string, value: string): [number, number] {
  const parts = value.split(',').map((p) => p.trim());
  const numbers = parts.map(Number);
  const [max, min = 1] = numbers;
  const ok = parts.length <= 2 && parts.every((p) => /^\d+$/.test(p)) && max !== undefined && min >= 1 && max >= min;
  if (!ok) throw new UsageError(`${option}: expected max,min with max >= min >= 1 (e.g. 10,3), got ${JSON.stringify(value)}`);
  return [max as number, min];
}
