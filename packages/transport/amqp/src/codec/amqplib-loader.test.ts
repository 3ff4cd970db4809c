/** q's private amqplib: loaded with q's codec even when amqplib was loaded first, and without touching that copy. */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { amqplib } from './amqplib-loader.js';
import { decodeFields, encodeTable } from './field-table.js';

const req = createRequire(import.meta.url);

describe('amqplib loader', () => {
  it('loads a working copy with q\'s codec after someone else loaded amqplib, and leaves theirs alone', () => {
    const root = dirname(req.resolve('amqplib'));
    const codecPath = join(root, 'lib', 'codec.js');
    // Someone else loads amqplib first (its defs.js captures amqplib's own codec).
    const theirs = req('amqplib') as { connect: unknown };
    const theirCodec = req(codecPath) as { encodeTable: unknown; decodeFields: unknown };
    const before = { ...req.cache };

    const ours = amqplib();
    expect(typeof ours.connect).toBe('function');
    expect(ours).not.toBe(theirs);
    expect(amqplib()).toBe(ours);

    // Their copy is untouched: same module objects in the cache, amqplib's own codec functions.
    expect(req('amqplib')).toBe(theirs);
    expect(theirCodec.encodeTable).not.toBe(encodeTable);
    expect(theirCodec.decodeFields).not.toBe(decodeFields);
    for (const key of Object.keys(before)) expect(req.cache[key]).toBe(before[key]);
    expect(Object.keys(req.cache).filter((k) => k.startsWith(root)).sort()).toEqual(Object.keys(before).filter((k) => k.startsWith(root)).sort());

    // amqplib's own decoder still fails on Python's `L` (why q needs its copy); q's codec reads it.
    const table = Buffer.from('036269674c0000010000000000', 'hex');
    expect(() => (theirCodec.decodeFields as (b: Buffer) => unknown)(table)).toThrow(/Unexpected type tag "L"/);
    expect(decodeFields(table)).toEqual({ big: 2 ** 40 });
  });
});
