import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import type { PoolDefinition } from '@q/core/adapter';
import { asyncPool } from './async-pool.js';
import { poolConcurrency, toPoolDefinition } from './pool-definition.js';

const create = () => asyncPool();

describe('toPoolDefinition', () => {
  it('turns a bare factory into a definition that declares no concurrency, and keeps a definition as it is', () => {
    expect(toPoolDefinition(create)).toEqual({ create });
    const definition: PoolDefinition = { create, defaultConcurrency: 4 };
    expect(toPoolDefinition(definition)).toBe(definition);
  });
});

describe('poolConcurrency', () => {
  it('uses a fixed concurrency whatever is requested', () => {
    expect(poolConcurrency({ create, defaultConcurrency: 1, fixedConcurrency: 1 }, 8)).toBe(1);
    expect(poolConcurrency({ create, fixedConcurrency: 3 }, undefined)).toBe(3);
  });

  it('uses the requested concurrency over a declared default', () => {
    expect(poolConcurrency({ create, defaultConcurrency: 100 }, 7)).toBe(7);
    expect(poolConcurrency({ create }, 7)).toBe(7);
  });

  it('falls back to the declared default: a number, or the CPU count for "cpus", no declaration or an unknown pool', () => {
    expect(poolConcurrency({ create, defaultConcurrency: 100 }, undefined)).toBe(100);
    expect(poolConcurrency({ create, defaultConcurrency: 'cpus' }, undefined)).toBe(availableParallelism());
    expect(poolConcurrency(toPoolDefinition(create), undefined)).toBe(availableParallelism());
    expect(poolConcurrency(undefined, undefined)).toBe(availableParallelism());
    expect(poolConcurrency(undefined, 5)).toBe(5);
  });
});
