/**
 * kombu's `json` serializer: Python-formatted JSON text (see `protocol/python-json.ts`) in UTF-8.
 */
import type { Serializer } from '../contracts/index.js';
import { SerializationError } from '../errors/q-error.js';
import { pyJsonParse, pyJsonStringify } from '../protocol/python-json.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The `json` serializer (`application/json`, `utf-8`), byte-compatible with kombu's. */
export const jsonSerializer: Serializer = {
  name: 'json',
  contentType: 'application/json',
  contentEncoding: 'utf-8',
  encode(value: unknown): Uint8Array {
    return encoder.encode(pyJsonStringify(value));
  },
  decode(bytes: Uint8Array): unknown {
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch (cause) {
      throw new SerializationError('Q_ERR_DESERIALIZE_FAILED', 'json: body is not valid UTF-8', { cause });
    }
    try {
      return pyJsonParse(text);
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new SerializationError('Q_ERR_DESERIALIZE_FAILED', `json: cannot parse body: ${reason}`, { cause });
    }
  },
};
