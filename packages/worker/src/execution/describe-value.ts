/**
 * Short text forms of task values for log lines.
 */

/** A short, one-line form of a value (JSON when possible), cut at `max` characters. */
export function describeValue(value: unknown, max = 200): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
