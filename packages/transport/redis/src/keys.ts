/**
 * kombu's Redis key and channel names: queue lists with priority sub-lists, binding sets and members,
 * fanout channels and subscription patterns. Every key and channel gets `global_keyprefix`.
 */
import { parseBooleanWord } from '@q/core/adapter';

/** kombu's default separator (`sep` transport option). */
export const DEFAULT_SEP = '\x06\x16';
/** kombu's priority steps: 4 lists, step 0 served first. */
export const PRIORITY_STEPS = [0, 3, 6, 9] as const;

/** Naming settings (resolved transport options). */
export interface KeyNaming {
  /** `global_keyprefix`, prepended to every key and channel. */
  prefix: string;
  /** `sep`. */
  sep: string;
  /** Prefix of fanout channels (`/<db>.` unless `fanout_prefix` says otherwise). */
  fanoutPrefix: string;
  /** `fanout_patterns`: append `/<routing key>` to fanout channels. */
  fanoutPatterns: boolean;
}

/** The greatest step ≤ the priority, clamped to 0–9 (0–2 → 0, 3–5 → 3, 6–8 → 6, ≥ 9 → 9). */
export function priorityStep(priority: number | undefined): number {
  const p = typeof priority === 'number' && Number.isFinite(priority) ? Math.min(9, Math.max(0, Math.trunc(priority))) : 0;
  let step = 0;
  for (const s of PRIORITY_STEPS) if (s <= p) step = s;
  return step;
}

/** The list a message of `priority` goes to (unprefixed): `Q` or `Q<sep><step>`. */
export function queueListName(queue: string, priority: number | undefined, sep = DEFAULT_SEP): string {
  const step = priorityStep(priority);
  return step === 0 ? queue : `${queue}${sep}${step}`;
}

/** The prefixed lists of a queue in service order (`Q`, `Q␆␖3`, `Q␆␖6`, `Q␆␖9`). */
export function queueListKeys(naming: KeyNaming, queue: string): string[] {
  return PRIORITY_STEPS.map((step) => naming.prefix + (step === 0 ? queue : `${queue}${naming.sep}${step}`));
}

/** Keys a consumer pops from, kombu's order: grouped by step first, then by queue in the order given. */
export function reserveKeys(naming: KeyNaming, queues: readonly string[]): { keys: string[]; queueOf: string[] } {
  const keys: string[] = [];
  const queueOf: string[] = [];
  for (const step of PRIORITY_STEPS) {
    for (const queue of queues) {
      keys.push(naming.prefix + (step === 0 ? queue : `${queue}${naming.sep}${step}`));
      queueOf.push(queue);
    }
  }
  return { keys, queueOf };
}

/** `_kombu.binding.<exchange>` (prefixed). */
export function bindingKey(naming: KeyNaming, exchange: string): string {
  return `${naming.prefix}_kombu.binding.${exchange}`;
}

/** A binding set member: `<routing key><sep><pattern><sep><queue>`. */
export function bindingMember(naming: KeyNaming, b: { routingKey: string; pattern: string; queue: string }): string {
  return [b.routingKey, b.pattern, b.queue].join(naming.sep);
}

/** Reads a binding set member back (`null` when it does not have three parts). */
export function parseBindingMember(naming: KeyNaming, member: string): { routingKey: string; pattern: string; queue: string } | null {
  const parts = member.split(naming.sep);
  if (parts.length !== 3) return null;
  const [routingKey = '', pattern = '', queue = ''] = parts;
  return { routingKey, pattern, queue };
}

/** Fanout channel a message is PUBLISHed on: `<prefix><fanout prefix><exchange>[/<routing key>]`. */
export function fanoutChannel(naming: KeyNaming, exchange: string, routingKey: string): string {
  const base = `${naming.prefix}${naming.fanoutPrefix}${exchange}`;
  return naming.fanoutPatterns && routingKey !== '' ? `${base}/${routingKey}` : base;
}

/** PSUBSCRIBE pattern for a binding key (`#` → `*`, as kombu does). */
export function fanoutPattern(naming: KeyNaming, exchange: string, bindingKeyPattern: string): string {
  return fanoutChannel(naming, exchange, bindingKeyPattern.replace(/#/g, '*'));
}

/**
 * kombu's `fanout_prefix`: on (the default; `true` or an on word of core's `parseBooleanWord`, as a URL query gives
 * it: `?fanout_prefix=yes`) → `/<db>.`; off (`false` or an off word: `?fanout_prefix=false`, `no`, `0`, …) → none;
 * any other string → itself (the empty string: none, as in kombu). Absent or another value → `/<db>.`.
 */
export function resolveFanoutPrefix(option: unknown, db: number): string {
  const on = parseBooleanWord(option);
  if (on === false) return '';
  if (on === undefined && typeof option === 'string') return option;
  return `/${db}.`;
}
