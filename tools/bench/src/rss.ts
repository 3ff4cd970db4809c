/**
 * Peak resident memory of a worker: `VmHWM` from `/proc/<pid>/status` of the worker process and of all its
 * descendants (prefork children), read while they are still alive.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** Peak RSS of one process in bytes, or null when it is gone. */
export function peakRss(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
    return match?.[1] ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // pid (comm) state ppid ...; comm may contain spaces and parentheses
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[1]);
  } catch {
    return null;
  }
}

/** All descendants of `root` (children, grandchildren, …). */
export function descendants(root: number): number[] {
  const byParent = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const parent = parentOf(pid);
    if (parent === null) continue;
    const list = byParent.get(parent) ?? [];
    list.push(pid);
    byParent.set(parent, list);
  }
  const out: number[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const pid = stack.pop() as number;
    for (const child of byParent.get(pid) ?? []) {
      out.push(child);
      stack.push(child);
    }
  }
  return out;
}

/** Peak RSS of a process tree. */
export interface TreeRss {
  /** Sum over the process and its descendants, bytes. */
  total: number;
  /** The process itself. */
  main: number;
  /** Each descendant. */
  children: number[];
}

/**
 * Peak RSS of `pid` and its descendants. Each `VmHWM` is that process's own peak; their sum is an upper
 * bound of the tree's peak (the peaks need not coincide) and counts shared pages once per process.
 */
export function treePeakRss(pid: number): TreeRss | null {
  const main = peakRss(pid);
  if (main === null) return null;
  const children = descendants(pid)
    .map(peakRss)
    .filter((v): v is number => v !== null);
  return { total: main + children.reduce((a, b) => a + b, 0), main, children };
}

/** Current resident memory of one process in bytes (`VmRSS`), or null when it is gone. */
export function currentRss(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
    return match?.[1] ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}
