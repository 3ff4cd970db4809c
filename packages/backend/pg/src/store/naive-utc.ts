/**
 * `timestamp without time zone` values as Celery's naive UTC ISO text (`2026-11-22T02:46:53.871230`): the backend's
 * pool reads them as text (PostgreSQL prints `2026-11-22 02:46:53.87123`); a pool of the user's may hand a `Date`
 * made by reading the naive value as local time, which is read back the same way.
 */

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Celery's ISO form of a stored `date_done`. */
export function naiveUtcText(value: string | Date): string {
  if (value instanceof Date) {
    const date = `${pad(value.getFullYear(), 4)}-${pad(value.getMonth() + 1)}-${pad(value.getDate())}`;
    const time = `${pad(value.getHours())}:${pad(value.getMinutes())}:${pad(value.getSeconds())}`;
    const ms = value.getMilliseconds();
    return ms === 0 ? `${date}T${time}` : `${date}T${time}.${pad(ms, 3)}000`;
  }
  const [date = '', time = ''] = value.split(/[ T]/);
  const [whole = '', fraction] = time.split('.');
  return fraction === undefined ? `${date}T${whole}` : `${date}T${whole}.${fraction.padEnd(6, '0')}`;
}
