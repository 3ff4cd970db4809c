/** Text helpers of the `q events` monitor: fixed-width cells, short ids, times and durations. */

/** `text` cut or padded to exactly `width` characters (a cut ends in `…`). */
export function cell(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length > width) return width === 1 ? '…' : `${text.slice(0, width - 1)}…`;
  return text.padEnd(width);
}

/** The first 8 characters of a task id (enough to tell tasks apart on screen). */
export function shortUuid(uuid: string): string {
  return uuid.slice(0, 8);
}

/** A runtime in seconds as `0.012s`, `1.50s`, `2m03s`; `-` when unknown. */
export function formatRuntime(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '-';
  if (seconds < 1) return `${seconds.toFixed(3)}s`;
  if (seconds < 60) return `${seconds.toFixed(2)}s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
}

/** Epoch seconds as local `HH:MM:SS.mmm`; `-` when unknown. */
export function formatClock(epochSeconds: number | undefined): string {
  if (epochSeconds === undefined || !Number.isFinite(epochSeconds)) return '-';
  const date = new Date(epochSeconds * 1000);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** Load averages as `0.25 0.30 0.16`; `-` when unknown. */
export function formatLoad(loadavg: readonly number[] | undefined): string {
  if (loadavg === undefined || loadavg.length === 0) return '-';
  return loadavg.map((n) => n.toFixed(2)).join(' ');
}

/** A rate as `12.3/s`. */
export function formatRate(perSecond: number): string {
  return `${perSecond.toFixed(1)}/s`;
}
