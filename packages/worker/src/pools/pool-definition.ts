/**
 * A pool's concurrency comes from its registration, never from its name: a {@link PoolDefinition} declares a
 * fixed or a default concurrency; a bare factory registered by a plugin counts as "default: the number of CPUs".
 */
import { availableParallelism } from 'node:os';
import type { PoolDefinition, PoolRegistration } from '@q/core/adapter';

/** The definition of a registered pool (a bare factory becomes `{ create: factory }`). */
export function toPoolDefinition(registration: PoolRegistration): PoolDefinition {
  return typeof registration === 'function' ? { create: registration } : registration;
}

/**
 * The concurrency a pool runs with: its `fixedConcurrency` when it declares one (whatever was requested), else
 * `requested`, else its `defaultConcurrency`; `'cpus'` (also for an unknown pool or one declaring no default) is
 * the number of CPUs.
 */
export function poolConcurrency(definition: PoolDefinition | undefined, requested: number | undefined): number {
  if (definition?.fixedConcurrency !== undefined) return definition.fixedConcurrency;
  if (requested !== undefined) return requested;
  const fallback = definition?.defaultConcurrency ?? 'cpus';
  return fallback === 'cpus' ? availableParallelism() : fallback;
}
