import { ConfigError } from '@q/core';
import { describe, expect, it } from 'vitest';
import { crontabFieldText, parseCrontabField } from './crontab-field.js';
import type { CrontabField, CrontabFieldName } from './crontab-field.js';

const range = (from: number, to: number, step = 1): number[] => {
  const out: number[] = [];
  for (let v = from; v <= to; v += step) out.push(v);
  return out;
};

describe('parseCrontabField: Celery crontab_parser syntax', () => {
  it.each<[CrontabFieldName, CrontabField, number[]]>([
    ['minute', '*', range(0, 59)],
    ['hour', '*', range(0, 23)],
    ['dayOfWeek', '*', range(0, 6)],
    ['dayOfMonth', '*', range(1, 31)],
    ['monthOfYear', '*', range(1, 12)],
    ['minute', '7', [7]],
    ['minute', '3-5', [3, 4, 5]],
    ['minute', '*/15', [0, 15, 30, 45]],
    ['hour', '*/4', [0, 4, 8, 12, 16, 20]],
    ['dayOfMonth', '*/3', range(1, 31, 3)],
    ['monthOfYear', '*/2', [1, 3, 5, 7, 9, 11]],
    ['monthOfYear', '2-12/2', [2, 4, 6, 8, 10, 12]],
    ['minute', '2-30/3', range(2, 30, 3)],
    ['minute', '*/2,*/3', [...new Set([...range(0, 59, 2), ...range(0, 59, 3)])].sort((a, b) => a - b)],
    ['minute', '1,5,5,59', [1, 5, 59]],
    ['minute', ' 0,30 ', [0, 30]],
    ['hour', '22-2', [0, 1, 2, 22, 23]],
    ['hour', '20-3/2', [0, 2, 20, 22]],
    ['dayOfWeek', 'mon-fri', [1, 2, 3, 4, 5]],
    ['dayOfWeek', 'fri-mon', [0, 1, 5, 6]],
    ['dayOfWeek', 'SUN', [0]],
    ['dayOfWeek', 'Monday,wednesday', [1, 3]],
    ['dayOfWeek', '7', [0]],
    ['dayOfWeek', '5-7', [0, 5, 6]],
    ['dayOfWeek', '7-2', [0, 1, 2]],
    ['dayOfWeek', 'sat-sun', [0, 6]],
    ['dayOfMonth', '28-3', [1, 2, 3, 28, 29, 30, 31]],
    ['monthOfYear', 'jan,Mar,DEC', [1, 3, 12]],
    ['monthOfYear', 'nov-feb', [1, 2, 11, 12]],
    ['minute', 5, [5]],
    ['minute', [30, 0, 15], [0, 15, 30]],
    ['hour', new Set([9, 17]), [9, 17]],
    ['dayOfWeek', [0, 7, 6], [0, 6]],
  ])('%s %j → %j', (field, spec, values) => {
    expect(parseCrontabField(field, spec)).toEqual(values);
  });

  it.each<[CrontabFieldName, CrontabField, RegExp]>([
    ['minute', '60', /crontab minute: 60 is out of range 0-59 in "60"/],
    ['hour', '1,,2', /crontab hour: empty part in "1,,2"/],
    ['minute', '*/', /crontab minute: the step "" is not a positive number in "\*\/"/],
    ['minute', '*/0', /step "0"/],
    ['minute', '5/15', /crontab minute: a step needs "\*" or a range before "\/"/],
    ['minute', '-5', /negative numbers are not supported in "-5"/],
    ['dayOfWeek', 'funday', /crontab dayOfWeek: "funday" is not a number or a name/],
    ['dayOfMonth', '0', /crontab dayOfMonth: 0 is out of range 1-31/],
    ['dayOfMonth', 'mon', /crontab dayOfMonth: "mon" is not a number in "mon"/],
    ['monthOfYear', '13', /out of range 1-12/],
    ['monthOfYear', 'foo', /crontab monthOfYear: "foo" is not a number or a name in "foo"/],
    ['hour', '1-', /crontab hour: "" is not a number/],
    ['hour', 24, /crontab hour: 24 is out of range 0-23/],
    ['minute', [1.5], /1.5 is out of range/],
    ['dayOfWeek', new Set([8]), /crontab dayOfWeek: 8 is out of range 0-7/],
  ])('%s %j is a ConfigError naming the field and token', (field, spec, message) => {
    let error: unknown;
    try {
      parseCrontabField(field, spec);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('Q_ERR_CONFIG_INVALID');
    expect((error as Error).message).toMatch(message);
  });

  it('writes a field back as given, numbers comma-joined in order', () => {
    expect(crontabFieldText(' */15 ')).toBe('*/15');
    expect(crontabFieldText(4)).toBe('4');
    expect(crontabFieldText(new Set([30, 0]))).toBe('0,30');
  });
});
