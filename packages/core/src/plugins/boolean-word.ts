/**
 * The on/off words adapters accept in URL query parameters and kombu-named transport options (`?ssl=yes`,
 * `confirm_publish: 'off'`, `ssl_check_hostname=0`): one strict reading for every adapter, so a word one adapter
 * takes is not silently read the other way by another.
 */

const WORDS: ReadonlyMap<string, boolean> = new Map([
  ['true', true],
  ['yes', true],
  ['on', true],
  ['1', true],
  ['y', true],
  ['t', true],
  ['false', false],
  ['no', false],
  ['off', false],
  ['0', false],
  ['n', false],
  ['f', false],
]);

/** The accepted words, for error messages: `… is not one of ${BOOLEAN_WORDS_HINT}`. */
export const BOOLEAN_WORDS_HINT = 'true/false, yes/no, on/off, 1/0, y/n, t/f';

/**
 * Reads an on/off setting: a boolean as it is; the numbers `1` and `0`; a string, trimmed and in any case, among
 * `true`/`false`, `yes`/`no`, `on`/`off`, `1`/`0`, `y`/`n`, `t`/`f` (the words kombu, Celery and redis-py accept).
 * Anything else, the empty string, `null` and `undefined` included, gives `undefined`: the caller decides
 * whether that means "not set" (absent) or is an error (a value was given), and names the setting in the error.
 */
export function parseBooleanWord(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : undefined;
  if (typeof value !== 'string') return undefined;
  return WORDS.get(value.trim().toLowerCase());
}
