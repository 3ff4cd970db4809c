/**
 * kombu's `yaml` serializer (`application/x-yaml`, `utf-8`): PyYAML's `safe_dump` / `safe_load`, with the `yaml`
 * package on its YAML 1.1 schema (PyYAML's), loading safely: the standard tags only, never a language type.
 */
import { SerializationError, type Serializer } from '@q/core';
import { parseDocument, stringify, type CreateNodeOptions, type DocumentOptions, type ParseOptions, type SchemaOptions, type ToStringOptions } from 'yaml';

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

const TIMESTAMP_TAG = 'tag:yaml.org,2002:timestamp';
const BOOL_TAG = 'tag:yaml.org,2002:bool';
/** PyYAML's booleans: YAML 1.1's without the one-letter `y`/`n` (PyYAML reads `n` as a string). */
const PY_TRUE = /^(?:[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/;
const PY_FALSE = /^(?:[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/;

type TagList = Extract<NonNullable<SchemaOptions['customTags']>, unknown[]>;

/**
 * The YAML 1.1 tags as PyYAML resolves them: booleans without `y`/`n`, and a `Date` always written as a full ISO
 * timestamp (the `yaml` package writes a bare date at midnight, which PyYAML reads as a `date`).
 */
const pyyamlTags = (tags: TagList): TagList =>
  tags.map((tag) => {
    if (typeof tag !== 'object') return tag;
    if (tag.tag === TIMESTAMP_TAG) return { ...tag, stringify: (item: { value: unknown }) => (item.value as Date).toISOString() };
    if (tag.tag === BOOL_TAG && tag.test) return { ...tag, test: tag.test.test('yes') ? PY_TRUE : PY_FALSE };
    return tag;
  }) as TagList;

const OPTIONS: ParseOptions & DocumentOptions & SchemaOptions & CreateNodeOptions & ToStringOptions = {
  version: '1.1',
  // Integers beyond the safe range are read exactly (then `normalize` turns the others into numbers).
  intAsBigInt: true,
  customTags: pyyamlTags,
  // `undefined` members are left out, as `json` does.
  keepUndefined: false,
  // Every string (keys included) double-quoted, on one line: PyYAML's scanner refuses some plain scalars the `yaml`
  // package writes (a tab inside one), and folded lines are where readers disagree most.
  defaultStringType: 'QUOTE_DOUBLE',
  defaultKeyType: null,
  lineWidth: 0,
};

/**
 * Characters PyYAML refuses in a document (C1 controls, `\uFFFE`/`\uFFFF`) or reads as line breaks inside a quoted
 * scalar (`\x85`, `\u2028`, `\u2029`), which the `yaml` package writes as they are. Every string being
 * double-quoted, they can only be inside one, where the escape means the same character.
 */
const PYYAML_UNSAFE = /[\u007f-\u009f\u2028\u2029\ufffe\uffff]/g;
const escapeUnsafe = (c: string): string => {
  const code = c.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
};

const SAFE_MAX = BigInt(Number.MAX_SAFE_INTEGER);
const SAFE_MIN = BigInt(Number.MIN_SAFE_INTEGER);

/** Replace bigints within the safe range by numbers and `Buffer`s (`!!binary`) by plain `Uint8Array`s, in place. */
function normalize(value: unknown): unknown {
  if (typeof value === 'bigint') return value <= SAFE_MAX && value >= SAFE_MIN ? Number(value) : value;
  if (value instanceof Uint8Array) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = normalize(value[i]);
  } else if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const rec = value as Record<string, unknown>;
    for (const key of Object.keys(rec)) rec[key] = normalize(rec[key]);
  }
  return value;
}

const firstLine = (message: string): string => message.split('\n')[0] ?? message;

/**
 * The `yaml` serializer, interoperable with kombu's (PyYAML `safe_dump`/`safe_load`).
 *
 * Encoding: plain values, arrays and objects; `Date` as a YAML timestamp (Python reads a `datetime`),
 * `Uint8Array` as `!!binary` (Python `bytes`), `bigint` as an integer. Decoding: YAML 1.1 as PyYAML reads it
 * (`yes`/`no`/`on`/`off` are booleans), timestamps as `Date`, `!!binary` as `Uint8Array`, integers beyond
 * `Number.MAX_SAFE_INTEGER` as `bigint`.
 *
 * A document with a tag outside YAML 1.1's standard ones (`!!python/object/apply:…`, `!custom`) is refused with
 * `Q_ERR_DESERIALIZE_FAILED` and nothing of it is built: like PyYAML's `safe_load`, which raises a
 * `ConstructorError` for them. More than one document, or a syntax error, is refused the same way.
 */
export const yamlSerializer: Serializer = {
  name: 'yaml',
  contentType: 'application/x-yaml',
  contentEncoding: 'utf-8',
  encode(value: unknown): Uint8Array {
    try {
      return encoder.encode(stringify(value, OPTIONS).replace(PYYAML_UNSAFE, escapeUnsafe));
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new SerializationError('Q_ERR_SERIALIZE_FAILED', `yaml: cannot serialize: ${reason}`, { cause });
    }
  },
  decode(bytes: Uint8Array): unknown {
    let text: string;
    try {
      text = decoder.decode(bytes);
    } catch (cause) {
      throw new SerializationError('Q_ERR_DESERIALIZE_FAILED', 'yaml: body is not valid UTF-8', { cause });
    }
    const doc = parseDocument(text, OPTIONS);
    const problem = doc.errors[0] ?? doc.warnings.find((w) => w.code === 'TAG_RESOLVE_FAILED');
    if (problem) {
      const what = problem.code === 'TAG_RESOLVE_FAILED' ? 'refused (safe loading: standard tags only)' : 'cannot parse body';
      throw new SerializationError('Q_ERR_DESERIALIZE_FAILED', `yaml: ${what}: ${firstLine(problem.message)}`, { cause: problem });
    }
    try {
      // `maxAliasCount`: aliases may expand to at most 100 nodes (the `yaml` default, against alias bombs).
      return normalize(doc.toJS({ maxAliasCount: 100 }));
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new SerializationError('Q_ERR_DESERIALIZE_FAILED', `yaml: cannot load body: ${reason}`, { cause });
    }
  },
};
