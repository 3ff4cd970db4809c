/**
 * Celery's text log line, `[2025-01-01 12:00:00.000: INFO/worker] message key=value …`, built from a record of
 * {@link consoleLogger} when its buffer is written (never in the log call).
 */
import { stdSerializers } from 'pino';

/** Fields not repeated on every line: the node name is in the messages that need it. */
const HIDDEN = 'node';

/** A logger's bindings: its own, then its parent's (see `consoleLogger`). */
export interface BindingChain {
  readonly own: Readonly<Record<string, unknown>>;
  readonly parent: BindingChain | null;
}

/** One line: `[time: LEVEL/name] message key=value …`, then the stack of an error field. */
export function formatLine(
  time: number,
  label: string,
  name: string,
  msg: string,
  bindings: BindingChain | null,
  fields?: Readonly<Record<string, unknown>>,
): string {
  const out = { tail: '', stack: '' };
  appendBindings(out, bindings, fields);
  if (fields !== undefined) for (const key in fields) appendField(out, key, fields[key]);
  return `[${formatTime(time)}: ${label}/${name}] ${msg}${out.tail}${out.stack}\n`;
}

/** The bindings, outermost first; a key bound again by a child, or given with the call, shows once (the latest value). */
function appendBindings(out: { tail: string; stack: string }, chain: BindingChain | null, fields: Readonly<Record<string, unknown>> | undefined, shadow?: BindingChain): void {
  if (chain === null) return;
  appendBindings(out, chain.parent, fields, shadow ?? chain);
  for (const key in chain.own) {
    if ((fields !== undefined && key in fields) || boundBelow(shadow ?? null, chain, key)) continue;
    appendField(out, key, chain.own[key]);
  }
}

/** Whether a binding of `key` from a logger between `from` (innermost) and `until` (exclusive) replaces it. */
function boundBelow(from: BindingChain | null, until: BindingChain, key: string): boolean {
  for (let c = from; c !== null && c !== until; c = c.parent) if (key in c.own) return true;
  return false;
}

function appendField(out: { tail: string; stack: string }, key: string, value: unknown): void {
  if (value === undefined || key === HIDDEN) return;
  if (typeof value === 'string') {
    out.tail += ` ${key}=${value}`;
  } else if (value instanceof Error) {
    const err = stdSerializers.err(value);
    out.tail += ` ${key}=${JSON.stringify(`${err.type}: ${err.message}`)}`;
    if (err.stack) out.stack += `\n${err.stack}`;
  } else {
    out.tail += ` ${key}=${safeJson(value)}`;
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** The second formatted last (`2025-01-01 12:00:00`): lines of one second share it. */
let cachedSecond = -1;
let cachedPrefix = '';

/** Local time as Celery's logs show it: `2025-01-01 12:00:00.000`. */
export function formatTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    const d = new Date(second * 1000);
    cachedPrefix = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    cachedSecond = second;
  }
  return `${cachedPrefix}.${pad(ms - second * 1000, 3)}`;
}
