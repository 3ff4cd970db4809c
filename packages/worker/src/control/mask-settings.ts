/**
 * Secrets out of what a worker tells others (`conf`, `report`, `stats`), as Celery's `filter_hidden_settings`
 * does: a setting or option whose name matches `API|TOKEN|KEY|SECRET|PASS|SIGNATURE|DATABASE` is `********`, and
 * URLs lose their password — at any depth, in objects and in arrays (`sentinels: [{ password }]`).
 */

/** Celery's `HIDDEN_SETTINGS`. */
const HIDDEN = /API|TOKEN|KEY|SECRET|PASS|PROFANITIES_LIST|SIGNATURE|DATABASE/i;
/** What a hidden value is replaced with. */
export const MASK = '********';

/** A URL with its password replaced by the mask (`redis://:********@host/0`). */
export function maskUrlPassword(text: string): string {
  return text.replace(/(\/\/[^:/@\s]*:)[^@/\s]*@/g, `$1${MASK}@`);
}

/** `value` of the setting or option `name`, masked: hidden names, URL passwords, nested objects and arrays. */
export function maskSetting(name: string, value: unknown): unknown {
  if (HIDDEN.test(name)) return MASK;
  if (typeof value === 'string') return maskUrlPassword(value);
  if (Array.isArray(value)) return value.map((item) => maskSetting('', item));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskSetting(k, v)]));
  }
  return value;
}
