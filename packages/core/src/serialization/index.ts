export { jsonSerializer } from './json-serializer.js';
export { KOMBU_CODECS, brotliCodec, builtinCodecs, zlibCodec, zstdCodec } from './codecs.js';
export { SerializerRegistry, createDefaultRegistry } from './registry.js';
