/**
 * The fields that describe the sender of worker events (Celery's `SOFTWARE_INFO` and `load_average()`).
 */
import { loadavg, type as osType } from 'node:os';
import { CORE_VERSION } from '@q/core';

/** `sw_ident`, `sw_ver`, `sw_sys` of q workers: `q`, the running `@q/core` version, the OS as Python's `platform.system()` names it. */
export const SOFTWARE_INFO: Readonly<{ sw_ident: string; sw_ver: string; sw_sys: string }> = Object.freeze({
  sw_ident: 'q',
  sw_ver: CORE_VERSION,
  sw_sys: osType() === 'Windows_NT' ? 'Windows' : osType(),
});

/** The 1, 5 and 15 minute load averages with 2 decimals, as Celery sends them. */
export function loadAverage(): [number, number, number] {
  const [one = 0, five = 0, fifteen = 0] = loadavg();
  const round = (n: number): number => Math.round(n * 100) / 100;
  return [round(one), round(five), round(fifteen)];
}
