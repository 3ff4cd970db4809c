/**
 * Serializers (value ↔ bytes, synchronous, keyed by name and content type) and codecs
 * (bytes ↔ bytes, asynchronous: compression, signing), kept apart.
 */

/** A serializer such as `json`. */
export interface Serializer {
  /** Short name used in config (`json`). */
  readonly name: string;
  /** `application/json`. */
  readonly contentType: string;
  /** `utf-8` or `binary`. */
  readonly contentEncoding: string;
  encode(value: unknown): Uint8Array;
  decode(bytes: Uint8Array): unknown;
}

/** A codec such as gzip compression. */
export interface Codec {
  /** Short name used in config (`gzip`). */
  readonly name: string;
  /** Value of the `compression` header (`application/x-gzip`). */
  readonly contentType: string;
  encode(bytes: Uint8Array): Promise<Uint8Array>;
  decode(bytes: Uint8Array): Promise<Uint8Array>;
}
