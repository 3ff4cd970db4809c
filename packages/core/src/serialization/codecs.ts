/**
 * Compression codecs matching kombu's `compression` registry (the `compression` message header holds the
 * content type). kombu registers `application/x-gzip` for `zlib.compress`: despite the name it is **zlib**
 * framing, aliases `gzip` and `zlib`. Decoding here also accepts real gzip framing.
 */
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import type { Codec } from '../contracts/index.js';

const deflate = promisify(zlib.deflate);
const unzip = promisify(zlib.unzip);
const brotliCompress = promisify(zlib.brotliCompress);
const brotliDecompress = promisify(zlib.brotliDecompress);

const bytes = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

/**
 * The most a compressed body may expand to when decoded: 128 MiB, RabbitMQ's default `max_message_size`. A body that
 * would expand further (a decompression bomb: a few hundred KiB of zeros) is refused with a `RangeError`
 * (`ERR_BUFFER_TOO_LARGE`) before the memory is taken, and the worker rejects the message with that reason.
 */
export const MAX_DECOMPRESSED_BYTES = 128 * 1024 * 1024;
const bounded = { maxOutputLength: MAX_DECOMPRESSED_BYTES };

/** kombu's compression content types and the names (aliases) that select them. */
export const KOMBU_CODECS: readonly { contentType: string; names: readonly string[] }[] = [
  { contentType: 'application/x-gzip', names: ['zlib', 'gzip'] },
  { contentType: 'application/x-bz2', names: ['bzip2', 'bzip', 'bz2'] },
  { contentType: 'application/x-brotli', names: ['brotli'] },
  { contentType: 'application/x-lzma', names: ['lzma', 'xz'] },
  { contentType: 'application/zstd', names: ['zstd', 'zstandard'] },
];

/** `zlib`/`gzip` (`application/x-gzip`): zlib-framed deflate, as Python's `zlib.compress`. */
export const zlibCodec: Codec = {
  name: 'zlib',
  contentType: 'application/x-gzip',
  async encode(input) {
    return bytes(await deflate(input));
  },
  async decode(input) {
    return bytes(await unzip(input, bounded));
  },
};

/** `brotli` (`application/x-brotli`). */
export const brotliCodec: Codec = {
  name: 'brotli',
  contentType: 'application/x-brotli',
  async encode(input) {
    return bytes(await brotliCompress(input));
  },
  async decode(input) {
    return bytes(await brotliDecompress(input, bounded));
  },
};

type BufferFn = (input: Uint8Array, options: zlib.ZlibOptions, cb: (err: Error | null, out: Buffer) => void) => void;

/** `zstd` (`application/zstd`) when this Node.js has it (≥ 22.15), otherwise `null`. */
export function zstdCodec(): Codec | null {
  const z = zlib as unknown as { zstdCompress?: BufferFn; zstdDecompress?: BufferFn };
  if (typeof z.zstdCompress !== 'function' || typeof z.zstdDecompress !== 'function') return null;
  const compress = promisify(z.zstdCompress.bind(zlib));
  const decompress = promisify(z.zstdDecompress.bind(zlib));
  return {
    name: 'zstd',
    contentType: 'application/zstd',
    async encode(input) {
      return bytes(await compress(input, {}));
    },
    async decode(input) {
      return bytes(await decompress(input, bounded));
    },
  };
}

/** The codecs available on this runtime. */
export function builtinCodecs(): Codec[] {
  const zstd = zstdCodec();
  return zstd ? [zlibCodec, brotliCodec, zstd] : [zlibCodec, brotliCodec];
}
