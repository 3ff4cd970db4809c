import { describe, expect, it } from 'vitest';
import { BOOLEAN_WORDS_HINT, parseBooleanWord } from './boolean-word.js';

describe('parseBooleanWord', () => {
  it.each(['true', 'yes', 'on', '1', 'y', 't'])('reads %j as true, in any case and trimmed', (word) => {
    expect(parseBooleanWord(word)).toBe(true);
    expect(parseBooleanWord(word.toUpperCase())).toBe(true);
    expect(parseBooleanWord(word[0]?.toUpperCase() + word.slice(1))).toBe(true);
    expect(parseBooleanWord(` ${word}\t`)).toBe(true);
  });

  it.each(['false', 'no', 'off', '0', 'n', 'f'])('reads %j as false, in any case and trimmed', (word) => {
    expect(parseBooleanWord(word)).toBe(false);
    expect(parseBooleanWord(word.toUpperCase())).toBe(false);
    expect(parseBooleanWord(word[0]?.toUpperCase() + word.slice(1))).toBe(false);
    expect(parseBooleanWord(` ${word}\n`)).toBe(false);
  });

  it('takes booleans as they are and the numbers 1 and 0', () => {
    expect(parseBooleanWord(true)).toBe(true);
    expect(parseBooleanWord(false)).toBe(false);
    expect(parseBooleanWord(1)).toBe(true);
    expect(parseBooleanWord(0)).toBe(false);
  });

  it.each([
    'maybe',
    'enabled',
    'disable',
    'tru',
    'nope',
    'of',
    '2',
    '-1',
    '1.0',
    '00',
    '',
    '   ',
    'yes please',
  ])('gives undefined for the unknown word %j', (word) => {
    expect(parseBooleanWord(word)).toBeUndefined();
  });

  it.each([undefined, null, 2, -1, 0.5, Number.NaN, Infinity, 1n, {}, [], ['true'], () => true])('gives undefined for %o', (value) => {
    expect(parseBooleanWord(value)).toBeUndefined();
  });

  it('lists every accepted word in its hint', () => {
    for (const word of ['true', 'false', 'yes', 'no', 'on', 'off', '1', '0', 'y', 'n', 't', 'f']) expect(BOOLEAN_WORDS_HINT.split(/[\s,/]+/)).toContain(word);
  });
});
