/**
 * Turns what a user writes for an entry (config's `beat.schedule`, `beat.add`) into the scheduler's form: the
 * schedule (seconds → `every`, a stored form → its kind's reviver, plugin kinds included) in the app's time zone,
 * and the task or signature it sends.
 */
import { ConfigError } from '@q/core';
import type { ApplyOptions, Schedule, ScheduleJson, WireSignature } from '@q/core';
import type { PluginHost } from '@q/core/internal';
import { every } from '../schedules/every.js';
import { scheduleFromJSON } from '../schedules/schedule-json.js';
import { withDefaultTimezone } from '../schedules/zoned-schedule.js';

/** What an entry sends: a task by name, or a signature (then sent as a whole, links and all). */
export interface EntryTarget {
  readonly task: string;
  readonly signature: WireSignature | null;
}

/** A schedule as written: seconds, a `Schedule`, or a stored form. */
export type ScheduleInput = number | Schedule | ScheduleJson;

/** A task, its name, or a signature (anything with `toWire()`, such as `task.s(…)`). */
export type TaskInput = string | { readonly name: string } | { toWire(): WireSignature };

/** The {@link Schedule} `input` describes, evaluated in `timezone` unless it names its own. @throws ConfigError */
export function scheduleOf(input: ScheduleInput, options: { relative?: boolean; timezone: string; plugins: PluginHost; path: string }): Schedule {
  let schedule: Schedule;
  if (typeof input === 'number') {
    if (!(input > 0) || !Number.isFinite(input)) throw new ConfigError('Q_ERR_CONFIG_INVALID', `${options.path}: expected a positive number of seconds, got ${input}`);
    schedule = every(input, { relative: options.relative ?? false });
  } else if (typeof (input as Partial<Schedule>).isDue === 'function') {
    schedule = input as Schedule;
  } else {
    const registrations = options.plugins.scheduleKinds().flatMap((k) => options.plugins.scheduleKind(k) ?? []);
    try {
      schedule = scheduleFromJSON(input as ScheduleJson, registrations);
    } catch (err) {
      throw new ConfigError('Q_ERR_CONFIG_INVALID', `${options.path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
  }
  return withDefaultTimezone(schedule, options.timezone);
}

/** The task or signature `input` names. @throws ConfigError */
export function targetOf(input: TaskInput, path: string): EntryTarget {
  if (typeof input === 'string' && input !== '') return { task: input, signature: null };
  if (typeof input === 'object' && input !== null) {
    if (typeof (input as { toWire?: unknown }).toWire === 'function') {
      const signature = (input as { toWire(): WireSignature }).toWire();
      return { task: signature.task, signature };
    }
    const name = (input as { name?: unknown }).name;
    if (typeof name === 'string' && name !== '') return { task: name, signature: null };
  }
  throw new ConfigError('Q_ERR_CONFIG_INVALID', `${path}: expected a task name, a task or a signature`);
}

/** Message options of an entry, copied (config's are frozen). */
export function optionsOf(options: Readonly<Record<string, unknown>> | ApplyOptions | undefined): ApplyOptions {
  return { ...(options ?? {}) } as ApplyOptions;
}
