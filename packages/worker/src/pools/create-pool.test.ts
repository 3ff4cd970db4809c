import { describe, expect, it } from 'vitest';
import type { PoolDefinition, PoolOptions } from '@q/core/adapter';
import { asyncPool } from './async-pool.js';
import { builtinPools } from './builtin-pools.js';
import { createPool, findPool, registeredPools } from './create-pool.js';
import { workerPlugin } from './worker-plugin.js';

describe('createPool', () => {
  it('creates built-in pools by name and prefers plugin pools', () => {
    expect(createPool('async', 7).concurrency).toBe(7);
    expect(createPool('solo', 7).concurrency).toBe(1);
    const custom = asyncPool({ concurrency: 3 });
    expect(createPool('threads', 3, new Map([['threads', () => custom]]))).toBe(custom);
    expect(() => createPool('nope', 1)).toThrow(/unknown pool "nope" \(known: async, prefork, solo, threads\)/);
  });

  it('lets a plugin pool replace a built-in one, from a map or a record', () => {
    const replacement = asyncPool({ concurrency: 2 });
    expect(createPool('async', 2, new Map([['async', () => replacement]]))).toBe(replacement);
    expect(createPool('async', 2, { async: { create: () => replacement } })).toBe(replacement);
  });

  it("creates a pool declaring a fixed concurrency with it, whatever concurrency is asked for", () => {
    const seen: PoolOptions[] = [];
    const pinned: PoolDefinition = {
      create: (options) => {
        seen.push(options);
        return asyncPool(options);
      },
      fixedConcurrency: 2,
    };
    expect(createPool('pinned', 9, { pinned }).concurrency).toBe(2);
    expect(seen).toEqual([{ concurrency: 2 }]);
  });

  it('does not take a name inherited from Object.prototype for a pool', () => {
    expect(() => createPool('toString', 1)).toThrow(/unknown pool "toString"/);
    expect(() => createPool('constructor', 1, {})).toThrow(/unknown pool "constructor"/);
  });
});

describe('findPool', () => {
  it('finds plugin pools first (a bare factory as a definition with no declared concurrency), then the built-ins', () => {
    const factory = () => asyncPool();
    expect(findPool('async')).toBe(builtinPools['async']);
    expect(findPool('solo')).toMatchObject({ fixedConcurrency: 1 });
    expect(findPool('threads', new Map([['threads', factory]]))).toEqual({ create: factory });
    expect(findPool('nope')).toBeUndefined();
  });
});

describe('registeredPools', () => {
  it("reads the pools a plugin host holds, by name", () => {
    const factory = () => asyncPool();
    const host = { poolNames: () => ['threads'], pool: (name: string) => (name === 'threads' ? factory : undefined) };
    expect([...registeredPools(host)]).toEqual([['threads', factory]]);
  });
});

describe('workerPlugin', () => {
  it('registers async and solo with their declarations', () => {
    const registered = new Map<string, unknown>();
    const api = { pool: (name: string, pool: unknown) => registered.set(name, pool) };
    void workerPlugin().setup(api as never);
    expect([...registered.keys()]).toEqual(['async', 'solo', 'prefork', 'threads']);
    expect(registered.get('async')).toMatchObject({ defaultConcurrency: 100 });
    expect(registered.get('solo')).toMatchObject({ defaultConcurrency: 1, fixedConcurrency: 1 });
  });
});
