/**
 * Topological order of bootsteps by `requires`.
 */
import { ConfigError } from '@q/core';
import type { Bootstep } from '@q/core';

/**
 * Order steps so that each comes after the steps it requires, and before the steps its `before` names (names of
 * steps that are not there are ignored). Steps with no ordering constraint between them keep the order they were
 * given in.
 *
 * @throws ConfigError `Q_ERR_BOOTSTEP_CYCLE` on a cycle, `Q_ERR_CONFIG_INVALID` on a duplicate name or a
 *   missing required step.
 */
export function orderBootsteps<W>(steps: readonly Bootstep<W>[]): Bootstep<W>[] {
  const byName = new Map<string, Bootstep<W>>();
  for (const step of steps) {
    if (byName.has(step.name)) {
      throw new ConfigError('Q_ERR_CONFIG_INVALID', `bootstep "${step.name}" is registered twice`);
    }
    byName.set(step.name, step);
  }
  for (const step of steps) {
    for (const dep of step.requires ?? []) {
      if (!byName.has(dep)) {
        throw new ConfigError('Q_ERR_CONFIG_INVALID', `bootstep "${step.name}" requires unknown step "${dep}"`);
      }
    }
  }

  // `a.before = [b]` is `b` requiring `a`.
  const deps = new Map<string, string[]>(steps.map((s) => [s.name, [...(s.requires ?? [])]]));
  for (const step of steps) {
    for (const later of step.before ?? []) deps.get(later)?.push(step.name);
  }

  const ordered: Bootstep<W>[] = [];
  const done = new Set<string>();
  const visiting: string[] = [];
  const visit = (step: Bootstep<W>): void => {
    if (done.has(step.name)) return;
    const at = visiting.indexOf(step.name);
    if (at !== -1) {
      const cycle = [...visiting.slice(at), step.name].join(' → ');
      throw new ConfigError('Q_ERR_BOOTSTEP_CYCLE', `bootsteps form a cycle: ${cycle}`);
    }
    visiting.push(step.name);
    for (const dep of deps.get(step.name) ?? []) visit(byName.get(dep) as Bootstep<W>);
    visiting.pop();
    done.add(step.name);
    ordered.push(step);
  };
  for (const step of steps) visit(step);
  return ordered;
}
