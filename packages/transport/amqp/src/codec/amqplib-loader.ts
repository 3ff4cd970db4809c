/**
 * Loads a private copy of amqplib that encodes and decodes field tables with q's codec (`field-table.ts`).
 *
 * amqplib's `lib/defs.js` and `lib/credentials.js` capture `encodeTable` / `decodeFields` from `lib/codec.js` when
 * they are first loaded, so the codec has to be replaced before they load. Rather than patch the amqplib every
 * other module of the process shares (or fail because someone loaded it first), q loads its own instance: amqplib's
 * entries are taken out of the CommonJS module cache, `lib/codec.js` is loaded and given q's functions, amqplib is
 * loaded on top of it, and the cache is put back exactly as it was. Other users of amqplib in the process keep
 * amqplib's own codec; q's connections use q's.
 *
 * A self-test then encodes and decodes a properties frame through the loaded copy. If amqplib's layout ever changes
 * so that the replacement does not take, connecting fails with `Q_ERR_AMQP_CODEC` instead of silently sending
 * headers Python cannot read.
 */
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import type * as Amqplib from 'amqplib';
import { QError } from '@q/core';
import { decodeFields, encodeTable } from './field-table.js';

/** amqplib's promise API. */
export type AmqplibApi = typeof Amqplib;

/** The bits of `lib/defs.js` the self-test uses. */
interface Defs {
  BasicProperties: number;
  encodeProperties(id: number, channel: number, size: number, fields: Record<string, unknown>): Buffer;
  decode(id: number, buffer: Buffer): Record<string, unknown>;
}

let loaded: { api: AmqplibApi } | { error: QError } | undefined;

function baseRequire(): NodeJS.Require {
  // `__filename` exists in the CommonJS build (and under vitest); the ES module build has `import.meta.url`.
  return createRequire(typeof __filename === 'string' ? __filename : import.meta.url);
}

function selfTest(defs: Defs): void {
  const headers = { small: 300, neg: -5, big: 2 ** 40 };
  const frame = defs.encodeProperties(defs.BasicProperties, 1, 0, { headers });
  const wire = frame.toString('latin1');
  if (!wire.includes('\x05smallI\x00\x00\x01\x2c') || !wire.includes('\x03bigL\x00\x00\x01\x00\x00\x00\x00\x00')) {
    throw new Error('headers were not encoded with q\'s codec');
  }
  // Frame: type (1) channel (2) size (4), then class (2) weight (2) body size (8), flags and fields, frame end (1).
  const decoded = defs.decode(defs.BasicProperties, frame.subarray(7 + 12, frame.length - 1));
  const back = decoded['headers'] as Record<string, unknown> | undefined;
  if (back?.['small'] !== 300 || back['neg'] !== -5 || back['big'] !== 2 ** 40) throw new Error('headers were not decoded with q\'s codec');
}

function load(): AmqplibApi {
  const req = baseRequire();
  const main = req.resolve('amqplib');
  const root = dirname(main);
  const cache = req.cache;
  const ours = (key: string): boolean => key.startsWith(root + sep);
  const saved = new Map<string, NodeJS.Module | undefined>();
  for (const key of Object.keys(cache)) {
    if (ours(key)) {
      saved.set(key, cache[key]);
      delete cache[key];
    }
  }
  try {
    const codec = req(join(root, 'lib', 'codec.js')) as { encodeTable: unknown; decodeFields: unknown };
    codec.encodeTable = encodeTable;
    codec.decodeFields = decodeFields;
    const api = req(main) as AmqplibApi;
    selfTest(req(join(root, 'lib', 'defs.js')) as Defs);
    return api;
  } finally {
    for (const key of Object.keys(cache)) if (ours(key)) delete cache[key];
    for (const [key, mod] of saved) if (mod) cache[key] = mod;
  }
}

/**
 * amqplib with q's field-table codec (loaded once).
 * @throws QError `Q_ERR_AMQP_CODEC` when amqplib cannot be loaded with q's codec.
 */
export function amqplib(): AmqplibApi {
  if (loaded === undefined) {
    try {
      loaded = { api: load() };
    } catch (err) {
      loaded = {
        error: new QError(
          'Q_ERR_AMQP_CODEC',
          `cannot load amqplib with q's AMQP header codec (${err instanceof Error ? err.message : String(err)}); ` +
            'q refuses to connect rather than send integer headers Python reads wrongly and fail on 64-bit ones. ' +
            'Use the amqplib version @q/transport-amqp depends on and do not bundle amqplib into a single file.',
          { cause: err },
        ),
      };
    }
  }
  if ('error' in loaded) throw loaded.error;
  return loaded.api;
}
