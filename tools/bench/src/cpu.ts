/**
 * CPU time of a worker process tree (user + system, from `/proc/<pid>/stat`): steadier than wall-clock rates on a
 * busy machine, so the harness logs it per task next to each drain.
 */
import { readFileSync } from 'node:fs';
import { descendants } from './rss.js';

/** Linux's USER_HZ: `/proc/<pid>/stat` counts CPU time in ticks of 1/100 s. */
const TICKS_PER_SECOND = 100;

/** User + system CPU of one process in ms, or 0 when it is gone. */
function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid … utime (14th field) stime (15th); comm may contain spaces and parentheses
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(rest[11]) + Number(rest[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** User + system CPU of a process and its descendants, in ms. */
export function treeCpuMs(root: number): number {
  return [root, ...descendants(root)].reduce((sum, pid) => sum + processCpuMs(pid), 0);
}
