/**
 * The lines of `q events --dump`, as Celery's `celery events --dump` (`celery/events/dumper.py`) prints them:
 * `<hostname> [<timestamp>] <type>: <fields>`. The timestamp is Python's `str(datetime.utcfromtimestamp(ts))`, the type
 * humanized (`worker-online` → `started`, `task-succeeded` → `succeeded`), and the other fields sorted by name as
 * `key=value`, values written as Python's `str()` writes them (`None`, `True`, `[0.25, 0.3]`). Task events name their
 * task: `task-received` and `task-sent` remember `name(uuid) args=… kwargs=…` by uuid, the later events of that task
 * repeat it.
 */

/** Celery's names of the worker events. */
const HUMAN_TYPES: Readonly<Record<string, string>> = {
  'worker-offline': 'shutdown',
  'worker-online': 'started',
  'worker-heartbeat': 'heartbeat',
};

/** How many task names the dumper remembers (Celery's `LRUCache(limit=0xFFF)`). */
export const DUMP_TASK_NAMES_MAX = 0xfff;

/** The first line `q events --dump` prints (Celery's). */
export const DUMP_START_LINE = '-> evdump: starting capture...';

/** Celery's `humanize_type`: `worker-online` → `started`, `task-succeeded` → `task succeeded`. */
export function humanizeType(type: string): string {
  const lower = type.toLowerCase();
  return HUMAN_TYPES[lower] ?? lower.replace(/-/g, ' ');
}

/**
 * Python's `str(datetime.utcfromtimestamp(ts))`: `2026-11-22 12:39:41.350419`, without the fraction when the
 * microseconds are 0. A timestamp that is not a finite number is written as Python's `str()` of the value.
 */
export function formatDumpTimestamp(ts: unknown): string {
  if (typeof ts !== 'number' || !Number.isFinite(ts)) return pyStr(ts);
  const micros = Math.round(ts * 1e6);
  const ms = Math.floor(micros / 1000);
  const date = new Date(ms);
  if (Number.isNaN(date.getTime())) return pyStr(ts);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const base =
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`;
  const fraction = ((micros % 1_000_000) + 1_000_000) % 1_000_000;
  return fraction === 0 ? base : `${base}.${pad(fraction, 6)}`;
}

/** A value as Python's `str()` writes it after a JSON round trip: `None`, `True`, `'text'` inside lists, `{'a': 1}`. */
export function pyStr(value: unknown): string {
  return typeof value === 'string' ? value : pyRepr(value);
}

/** A value as Python's `repr()` writes it (strings quoted). */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return pyNumber(value);
  if (typeof value === 'string') return pyQuote(value);
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pyQuote(k)}: ${pyRepr(v)}`);
    return `{${entries.join(', ')}}`;
  }
  return String(value);
}

function pyNumber(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (!Number.isFinite(n)) return n > 0 ? 'inf' : '-inf';
  // Python pads exponents to two digits: 1e-07, 1.5e+21.
  return String(n).replace(/e([+-])(\d)$/, 'e$10$2');
}

function pyQuote(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let body = s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
  if (quote === "'") body = body.replace(/'/g, "\\'");
  return `${quote}${body}${quote}`;
}

/** `key=value, …` sorted by key, as Celery joins an event's remaining fields. */
function joinFields(fields: Record<string, unknown>): string {
  return Object.keys(fields)
    .sort()
    .map((key) => `${key}=${pyStr(fields[key])}`)
    .join(', ');
}

/**
 * Turns events into Celery's dump lines; remembers the task names of `task-received`/`task-sent` for the task's
 * later events. `format` never throws: an event it cannot read is written as `-> unreadable event: <json>`.
 */
export class EventDumper {
  readonly #taskNames = new Map<string, string>();
  readonly #max: number;

  constructor(options: { taskNamesMax?: number } = {}) {
    this.#max = options.taskNamesMax ?? DUMP_TASK_NAMES_MAX;
  }

  /** The dump line of one event. */
  format(event: unknown): string {
    try {
      return this.#format(event);
    } catch {
      return `-> unreadable event: ${safeJson(event)}`;
    }
  }

  #format(event: unknown): string {
    if (typeof event !== 'object' || event === null || Array.isArray(event)) return `-> unreadable event: ${safeJson(event)}`;
    const fields: Record<string, unknown> = { ...(event as Record<string, unknown>) };
    const take = (key: string): unknown => {
      const value = fields[key];
      delete fields[key];
      return value;
    };
    const timestamp = formatDumpTimestamp(take('timestamp'));
    const type = pyStr(take('type')).toLowerCase();
    const hostname = pyStr(take('hostname'));
    const head = `${hostname} [${timestamp}] ${humanizeType(type)}`;
    if (!type.startsWith('task-')) {
      const rest = joinFields(fields);
      return `${head}${rest === '' ? '' : ':'} ${rest}`;
    }
    const uuid = pyStr(take('uuid'));
    let task: string;
    if (type === 'task-received' || type === 'task-sent') {
      task = `${pyStr(take('name'))}(${uuid}) args=${pyStr(take('args'))} kwargs=${pyStr(take('kwargs'))}`;
      this.#remember(uuid, task);
    } else {
      task = this.#taskNames.get(uuid) ?? '';
    }
    const rest = joinFields(fields);
    return `${head}${rest === '' ? '' : ':'} ${task} ${rest}`;
  }

  #remember(uuid: string, task: string): void {
    this.#taskNames.delete(uuid);
    this.#taskNames.set(uuid, task);
    if (this.#taskNames.size > this.#max) {
      const oldest = this.#taskNames.keys().next().value;
      if (oldest !== undefined) this.#taskNames.delete(oldest);
    }
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
