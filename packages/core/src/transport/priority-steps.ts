/** kombu's priority steps for virtual transports: 4 sub-queues, step 0 is served first. */
export const PRIORITY_STEPS = [0, 3, 6, 9] as const;

/** A priority step. */
export type PriorityStep = (typeof PRIORITY_STEPS)[number];

/** Map a priority (clamped to 0–9) to the greatest step ≤ it: 0–2 → 0, 3–5 → 3, 6–8 → 6, ≥ 9 → 9. */
export function priorityStep(priority: number | undefined): PriorityStep {
  const p = Number.isFinite(priority) ? Math.min(9, Math.max(0, Math.trunc(priority ?? 0))) : 0;
  let step: PriorityStep = 0;
  for (const s of PRIORITY_STEPS) if (s <= p) step = s;
  return step;
}
