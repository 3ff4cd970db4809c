/**
 * Serializers and codecs by name and content type, and kombu's `accept_content` check.
 */
import type { Codec, Serializer } from '../contracts/index.js';
import { SerializationError } from '../errors/q-error.js';
import { KOMBU_CODECS, builtinCodecs } from './codecs.js';
import { jsonSerializer } from './json-serializer.js';

/** kombu's serializer names and content types, so `accept` lists naming them work before they are registered. */
const KOMBU_SERIALIZERS: Readonly<Record<string, string>> = {
  json: 'application/json',
  pickle: 'application/x-python-serialize',
  yaml: 'application/x-yaml',
  msgpack: 'application/x-msgpack',
};

/** Media type without parameters, lower-cased (`Application/JSON; charset=utf-8` → `application/json`). */
function baseType(contentType: string): string {
  // Fast path: the common bare lowercase type (`application/json`) is already its own base type.
  if (SIMPLE_TYPE.test(contentType)) return contentType;
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}
const SIMPLE_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+/-]*$/;

/** Serializers and codecs known to an app (built-ins plus what plugins register). */
export class SerializerRegistry {
  private readonly serializers = new Map<string, Serializer>();
  private readonly serializersByType = new Map<string, Serializer>();
  private readonly codecs = new Map<string, Codec>();
  private readonly codecsByType = new Map<string, Codec>();
  private readonly codecAliases = new Map<string, string>();

  constructor() {
    for (const { contentType, names } of KOMBU_CODECS) for (const n of names) this.codecAliases.set(n, contentType);
  }

  /** Add (or replace) a serializer. */
  register(s: Serializer): void {
    this.serializers.set(s.name, s);
    this.serializersByType.set(baseType(s.contentType), s);
  }

  /** Add (or replace) a codec; `aliases` are extra names that select it. */
  registerCodec(c: Codec, aliases: readonly string[] = []): void {
    this.codecs.set(c.name, c);
    this.codecsByType.set(baseType(c.contentType), c);
    for (const a of aliases) this.codecAliases.set(a, c.contentType);
  }

  /** Names of the registered serializers. */
  names(): string[] {
    return [...this.serializers.keys()];
  }

  /** Names of the registered codecs. */
  codecNames(): string[] {
    return [...this.codecs.keys()];
  }

  /** @throws SerializationError `Q_ERR_SERIALIZER_UNKNOWN` listing the known names. */
  byName(name: string): Serializer {
    const s = this.serializers.get(name);
    if (s) return s;
    throw new SerializationError(
      'Q_ERR_SERIALIZER_UNKNOWN',
      `unknown serializer ${JSON.stringify(name)}; known: ${this.names().join(', ') || '(none)'}`,
    );
  }

  /** @throws SerializationError `Q_ERR_SERIALIZER_UNKNOWN` naming the content type and the known ones. */
  byContentType(ct: string): Serializer {
    const s = this.serializersByType.get(baseType(ct));
    if (s) return s;
    throw new SerializationError(
      'Q_ERR_SERIALIZER_UNKNOWN',
      `no serializer for content type ${JSON.stringify(ct)}; known: ${[...this.serializersByType.keys()].join(', ') || '(none)'}`,
    );
  }

  /** A codec by name or kombu alias (`gzip` → the `application/x-gzip` codec). */
  codecByName(name: string): Codec {
    const c = this.codecs.get(name);
    if (c) return c;
    const alias = this.codecAliases.get(name);
    if (alias !== undefined) {
      const byType = this.codecsByType.get(baseType(alias));
      if (byType) return byType;
    }
    throw this.unknownCodec(name, alias);
  }

  /** A codec by the `compression` header value (`application/x-gzip`). */
  codecByContentType(ct: string): Codec {
    const c = this.codecsByType.get(baseType(ct));
    if (c) return c;
    throw this.unknownCodec(null, ct);
  }

  /**
   * kombu's accept check: `accept` holds serializer names (`json`) or content types (`application/json`);
   * a name maps to its serializer's content type, anything else is compared as a content type.
   */
  isAccepted(contentType: string, accept: readonly string[]): boolean {
    const ct = baseType(contentType);
    if (!ct) return false;
    // A loop, not `some`: this runs for every received message, and the callback would be a closure per call.
    for (const a of accept) {
      const type = this.serializers.get(a)?.contentType ?? KOMBU_SERIALIZERS[a] ?? a;
      if (baseType(type) === ct) return true;
    }
    return false;
  }

  private unknownCodec(name: string | null, contentType: string | undefined): SerializationError {
    const kombu = KOMBU_CODECS.find((k) => k.contentType === contentType);
    const label = name === null ? JSON.stringify(contentType) : `${JSON.stringify(name)}${contentType ? ` (${contentType})` : ''}`;
    const known = [...this.codecs.values()].map((c) => `${c.name} (${c.contentType})`).join(', ') || '(none)';
    const why = kombu
      ? `kombu's ${kombu.names[0] ?? ''} compression is not available in q on this Node.js ${process.version}; register a codec plugin for it`
      : 'unknown compression';
    return new SerializationError('Q_ERR_CODEC_UNKNOWN', `codec ${label}: ${why}; available: ${known}`);
  }
}

/** A registry with the `json` serializer and the built-in codecs (zlib/gzip, brotli, zstd when Node has it). */
export function createDefaultRegistry(): SerializerRegistry {
  const registry = new SerializerRegistry();
  registry.register(jsonSerializer);
  for (const c of builtinCodecs()) registry.registerCodec(c);
  return registry;
}
