/**
 * fast-check arbitraries of malformed messages for the fuzz suites (`reliability-fuzz-*.integration.test.ts`): task
 * messages with wrong types in every header, bodies that are truncated, huge, deeply nested, not UTF-8 or not JSON,
 * unknown content types and encodings, bad compression; kombu envelopes (Redis) broken at every key; remote-control
 * requests and event bodies of any shape; result documents of any shape.
 *
 * The only registered task a fuzzed message may name is {@link FUZZ_TASK} (never a built-in such as `celery.chord_unlock`,
 * which would publish messages of its own); its ETA is never in the future (a held
 * message would not drain) and its embed never holds a valid signature (a callback would publish a message the
 * suite did not count), so every message sent ends in exactly one logged outcome.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import { decodeEnvelope, encodeEnvelope, pyJsonParse, pyJsonStringify } from '@q/core/adapter';
import type { Message } from '@q/core';
import fc from 'fast-check';

/** The one registered task a fuzzed message may name (it runs, and that is counted, not an error). */
export const FUZZ_TASK = 'fuzz.noop';

/** Runs per CI run of each target; `Q_FUZZ_RUNS` gives the total for a longer run. */
export function fuzzRuns(ciDefault: number, share: number): number {
  const total = Number(process.env.Q_FUZZ_RUNS ?? '');
  return Number.isInteger(total) && total > 0 ? Math.max(1, Math.round(total * share)) : ciDefault;
}

/** The seed of every fuzz suite (`Q_FUZZ_SEED` overrides it, to replay or explore). */
export const FUZZ_SEED = Number(process.env.Q_FUZZ_SEED ?? 20_2026);

const utf8 = new TextEncoder();
const bytes = (s: string): Uint8Array => utf8.encode(s);

/** A value of the wrong type for any field. */
const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double(),
  fc.constant(''),
  fc.string({ maxLength: 20 }),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);

/** `value` most of the time, else missing (`undefined`) or a value of the wrong type. */
const field = <T>(value: fc.Arbitrary<T>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 3, arbitrary: value }, { weight: 1, arbitrary: fc.constant(undefined) }, { weight: 2, arbitrary: wrongType });

/** JSON nested `depth` levels deep (arrays or objects), as text. */
const deepJson = fc
  .tuple(fc.integer({ min: 1_000, max: 20_000 }), fc.boolean())
  .map(([depth, objects]) => (objects ? `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}` : `${'['.repeat(depth)}${']'.repeat(depth)}`));

/** Bytes that are not valid UTF-8. */
const invalidUtf8 = fc
  .tuple(fc.uint8Array({ maxLength: 16 }), fc.constantFrom([0xff], [0xc3, 0x28], [0xe2, 0x28, 0xa1], [0xf0, 0x90, 0x28, 0xbc], [0xed, 0xa0, 0x80]))
  .map(([prefix, bad]) => Uint8Array.from([...prefix, ...bad]));

/** A body: JSON of the right or a wrong shape, truncated, deeply nested, not UTF-8, random bytes. */
const smallBody: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }), fc.constant({}), fc.constant({ callbacks: null, errbacks: null, chain: null, chord: null })).map((b) => bytes(JSON.stringify(b))) },
  { weight: 3, arbitrary: fc.tuple(fc.jsonValue({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 2 })).map((b) => bytes(JSON.stringify(b))) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => bytes(JSON.stringify(v))) },
  { weight: 2, arbitrary: fc.tuple(fc.jsonValue({ maxDepth: 3 }), fc.nat()).map(([v, n]) => { const s = JSON.stringify([[v], {}, {}]); return bytes(s.slice(0, n % Math.max(1, s.length))); }) },
  { weight: 1, arbitrary: deepJson.map(bytes) },
  { weight: 2, arbitrary: invalidUtf8 },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  { weight: 1, arbitrary: fc.constant(new Uint8Array(0)) },
  // A v1 body (everything in the body), with its fields mutated.
  { weight: 1, arbitrary: fc.record({ task: field(fc.constantFrom(FUZZ_TASK, 'fuzz.unknown')), id: field(fc.uuid()), args: field(fc.array(fc.integer(), { maxLength: 2 })), kwargs: field(fc.constant({})) }, { requiredKeys: [] }).map((b) => bytes(JSON.stringify(b))) },
);

/** A body as {@link smallBody}, or, one time in 200, a huge one: 1–8 MB of JSON. */
const taskBody: fc.Arbitrary<Uint8Array> = fc.oneof(
  { weight: 199, arbitrary: smallBody },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 8 }).map((mb) => bytes(JSON.stringify([['x'.repeat(mb * 1024 * 1024)], {}, {}]))) },
);

/** Content types: JSON most often; pickle (never accepted), YAML and msgpack (not in `accept`), unknown, empty. */
const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  { weight: 3, arbitrary: fc.constantFrom('application/x-python-serialize', 'application/x-yaml', 'application/x-msgpack', 'text/plain', 'application/data', '', 'application/JSON', 'application/json; charset=latin-1') },
  { weight: 1, arbitrary: fc.string({ maxLength: 20 }) },
);

const contentEncoding = fc.oneof({ weight: 6, arbitrary: fc.constant('utf-8') }, { weight: 1, arbitrary: fc.constantFrom('binary', 'latin-1', 'utf-16', '', 'x-unknown') });

/** Task names: the registered one, unknown ones, empty, very long, odd characters. */
const taskName = fc.oneof(
  { weight: 6, arbitrary: fc.constant(FUZZ_TASK) },
  { weight: 6, arbitrary: fc.constantFrom('fuzz.unknown', 'celery.fuzz_unknown', 'os.system', '__proto__', 'constructor', 'toString') },
  { weight: 3, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.constant('t'.repeat(100_000)) },
);

/** Times: wrong types, garbage text and dates in the past (never the future: a held message would not drain). */
const pastOrGarbageTime = fc.oneof(
  fc.constantFrom('2001-01-01T00:00:00+00:00', '1970-01-01T00:00:00', 'not a date', '', '2001-13-45T99:99:99', '0001-01-01T00:00:00', 'NaN', '-1'),
  fc.date({ min: new Date('1900-01-01'), max: new Date('2020-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
);

/** Task headers (protocol v2) with every field possibly missing or of the wrong type, and unknown extra headers. */
const anyHeaders: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    lang: field(fc.constant('py')),
    task: field(taskName),
    id: field(fc.uuid()),
    shadow: field(fc.string({ maxLength: 10 })),
    eta: field(pastOrGarbageTime),
    expires: field(pastOrGarbageTime),
    group: field(fc.uuid()),
    group_index: field(fc.integer()),
    retries: field(fc.integer({ min: -5, max: 1_000_000 })),
    timelimit: field(fc.tuple(fc.option(fc.double({ min: -1, max: 60, noNaN: true })), fc.option(fc.double({ min: -1, max: 60, noNaN: true })))),
    root_id: field(fc.uuid()),
    parent_id: field(fc.uuid()),
    argsrepr: field(fc.string({ maxLength: 20 })),
    kwargsrepr: field(fc.string({ maxLength: 20 })),
    origin: field(fc.string({ maxLength: 20 })),
    ignore_result: field(fc.boolean()),
    compression: fc.oneof({ weight: 8, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom('application/x-gzip', 'zlib', 'gzip', 'application/x-bz2', 'application/x-lzma', 'application/zstd', 'x-unknown', '') }, { weight: 1, arbitrary: wrongType }),
    redelivered: field(fc.boolean()),
    extra: fc.option(fc.jsonValue({ maxDepth: 2 })),
  }, { requiredKeys: [] })
  .map((h) => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k === 'extra' ? 'x-fuzz' : k] = v;
    return out;
  });

/** Well-formed task headers with one field missing, of the wrong type or holding garbage (or none, one time in 8). */
const oneWrongHeader: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    task: taskName,
    id: fc.uuid(),
    key: fc.constantFrom('lang', 'task', 'id', 'shadow', 'eta', 'expires', 'group', 'group_index', 'retries', 'timelimit', 'root_id', 'parent_id', 'argsrepr', 'kwargsrepr', 'origin', 'ignore_result', 'compression'),
    value: fc.oneof(wrongType, pastOrGarbageTime, fc.constant(undefined)),
    intact: fc.integer({ min: 0, max: 7 }),
  })
  .map(({ task, id, key, value, intact }) => {
    const headers: Record<string, unknown> = {
      lang: 'py', task, id, shadow: null, eta: null, expires: null, group: null, group_index: null, retries: 0,
      timelimit: [null, null], root_id: id, parent_id: null, argsrepr: '()', kwargsrepr: '{}', origin: 'gen1@fuzz', ignore_result: false,
    };
    if (intact === 0) return headers;
    if (value === undefined) delete headers[key];
    else headers[key] = value;
    return headers;
  });

/** Task headers: every field possibly wrong, or one field wrong in otherwise well-formed headers. */
const taskHeaders: fc.Arbitrary<Record<string, unknown>> = fc.oneof(anyHeaders, oneWrongHeader);

/** An invalid embed (a registered task that runs must not publish a callback the suite did not count). */
const harmlessEmbed = fc.constantFrom({}, { callbacks: null, errbacks: null, chain: null, chord: null }, { callbacks: 'x' }, { chain: [1] }, { chord: { no: 'task' } }, { errbacks: [null] });

/**
 * A task message, malformed in one or more ways (or, by chance, valid: it then runs {@link FUZZ_TASK} or is an
 * unknown task). With `compression` set, the body is compressed with zlib (valid) half the time.
 */
export const fuzzTaskMessage: fc.Arbitrary<Message> = fc
  .record({
    body: taskBody,
    embed: harmlessEmbed,
    contentType,
    contentEncoding,
    headers: taskHeaders,
    compress: fc.boolean(),
    priority: fc.option(fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: -100, max: 1_000 }))),
    correlationId: fc.option(fc.uuid()),
  })
  .map(({ body, embed, contentType: ct, contentEncoding: ce, headers, compress, priority, correlationId }) => {
    // A body of the right shape gets the harmless embed in place of its third element.
    let payload = body;
    try {
      const doc: unknown = JSON.parse(Buffer.from(body).toString('utf8'));
      if (Array.isArray(doc) && doc.length === 3) payload = bytes(JSON.stringify([doc[0], doc[1], embed]));
      else if (doc !== null && typeof doc === 'object' && !Array.isArray(doc)) {
        const rec = doc as Record<string, unknown>;
        delete rec.callbacks;
        delete rec.errbacks;
        delete rec.chain;
        delete rec.chord;
        payload = bytes(JSON.stringify(rec));
      }
    } catch {
      // not JSON: sent as it is
    }
    if (typeof headers.compression === 'string' && compress && (headers.compression === 'application/x-gzip' || headers.compression === 'zlib')) {
      payload = new Uint8Array(deflateSync(payload));
    }
    const properties: Message['properties'] = {};
    if (priority !== null) properties.priority = priority;
    if (correlationId !== null) properties.correlationId = correlationId;
    return { body: payload, contentType: ct, contentEncoding: ce, headers, properties };
  });

const ENVELOPE_KEYS = ['body', 'content-encoding', 'content-type', 'headers', 'properties'] as const;

/**
 * A kombu envelope (the string a Redis queue list holds): a well-formed envelope of a {@link fuzzTaskMessage}, or
 * one broken at a key (missing, wrong type, bad `body_encoding`, body not base64), truncated, or not JSON at all.
 */
export const fuzzEnvelope: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fuzzTaskMessage.map((m) => encodeEnvelope(m, { exchange: '', routingKey: 'celery', deliveryTag: 'fuzz' })) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(fuzzTaskMessage, fc.constantFrom(...ENVELOPE_KEYS, 'delivery_info', 'delivery_tag', 'body_encoding', 'exchange', 'routing_key'), wrongType, fc.boolean())
      .map(([m, key, value, drop]) => {
        const env = pyJsonParse(encodeEnvelope(m, { exchange: '', routingKey: 'celery', deliveryTag: 'fuzz' })) as Record<string, unknown>;
        const props = env.properties as Record<string, unknown>;
        const info = props.delivery_info as Record<string, unknown>;
        const target = key === 'exchange' || key === 'routing_key' ? info : key === 'delivery_info' || key === 'delivery_tag' || key === 'body_encoding' ? props : env;
        if (drop) delete target[key];
        else target[key] = key === 'body_encoding' && typeof value !== 'string' ? 'rot13' : value;
        return pyJsonStringify(env);
      }),
  },
  { weight: 1, arbitrary: fc.tuple(fuzzTaskMessage, fc.nat()).map(([m, n]) => { const s = encodeEnvelope(m, { exchange: '', routingKey: 'celery', deliveryTag: 'fuzz' }); return s.slice(0, n % s.length); }) },
  { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 40 }), fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)), deepJson) },
);

/**
 * The node name of the worker the fuzzed requests are for: a request names it (or no one) in its `destination` and
 * `pattern`, so that every one that decodes is for that worker.
 */
export const CONTROL_NODE = 'fuzz@ctl';

/** Remote-control methods a fuzzed request may name: unknown ones and read-only inspections (never shutdown & co). */
const controlMethod = fc.oneof(fc.constantFrom('ping', 'stats', 'active', 'registered', 'query_task', 'conf', 'clock', 'nosuchcommand', '__proto__', ''), wrongType);

/** A remote-control request body (Celery's pidbox mailbox message) of any shape. */
export const fuzzControlBody: fc.Arbitrary<Uint8Array> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .record({ method: controlMethod, arguments: field(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 })), destination: field(fc.constant([CONTROL_NODE])), pattern: field(fc.constantFrom('', CONTROL_NODE)), matcher: field(fc.constantFrom('glob', 'pcre')), ticket: field(fc.uuid()), reply_to: field(fc.record({ exchange: field(fc.constant('reply.celery.pidbox')), routing_key: field(fc.uuid()) })) }, { requiredKeys: [] })
      .map((r) => bytes(JSON.stringify(r))),
  },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => bytes(JSON.stringify(v))) },
  { weight: 1, arbitrary: invalidUtf8 },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  { weight: 1, arbitrary: deepJson.map(bytes) },
);

/** An event message body of any shape (events of every type with mistyped fields, batches, any JSON, not JSON). */
export const fuzzEventBody: fc.Arbitrary<Uint8Array> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .record({ type: field(fc.constantFrom('task-received', 'task-succeeded', 'worker-heartbeat', 'worker-online', 'task-failed', 'x')), hostname: field(fc.constant('w@fuzz')), timestamp: field(fc.double()), utcoffset: field(fc.integer({ min: -14, max: 14 })), clock: field(fc.integer()), uuid: field(fc.uuid()), freq: field(fc.double()), result: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] })
      .map((e) => bytes(JSON.stringify(e))),
  },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => bytes(JSON.stringify(v))) },
  { weight: 1, arbitrary: invalidUtf8 },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
  { weight: 1, arbitrary: deepJson.map(bytes) },
);

/** A result document (what a key-value backend stores under `celery-task-meta-<id>`) of any shape, as text. */
export const fuzzResultDocument: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .record({ status: field(fc.constantFrom('SUCCESS', 'FAILURE', 'PENDING', 'STARTED', 'RETRY', 'REVOKED', 'BOGUS')), result: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.record({ exc_type: field(fc.string({ maxLength: 10 })), exc_message: field(fc.jsonValue({ maxDepth: 1 })), exc_module: field(fc.string({ maxLength: 10 })) }, { requiredKeys: [] })), traceback: field(fc.string({ maxLength: 10 })), children: field(fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 2 })), date_done: field(fc.string({ maxLength: 10 })), task_id: field(fc.uuid()) }, { requiredKeys: [] })
      .map((d) => JSON.stringify(d)),
  },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: deepJson },
);

/**
 * A fuzzed message as AMQP can carry it: a priority that is an octet. Everything else — any body, type, encoding,
 * header values of any type — goes as generated (what the client cannot encode is refused at publishing).
 */
export function forAmqp(message: Message): Message {
  const properties: Message['properties'] = { ...message.properties };
  if (properties.priority !== undefined) properties.priority = Math.min(255, Math.max(0, properties.priority));
  return { ...message, properties };
}

/**
 * The positional arguments `message` would run with, as JSON (the body's `[args, kwargs, embed]` or a v1/hybrid body's
 * `args`), or `null` when its body holds none. A task the fuzzer ran must have run with the arguments of one of the
 * messages sent: the suites check each run against this set.
 */
export function argsOf(message: Message): string | null {
  try {
    let body: Uint8Array = message.body;
    if (typeof message.headers.compression === 'string') body = inflateSync(body);
    const doc: unknown = JSON.parse(Buffer.from(body).toString('utf8'));
    if (Array.isArray(doc) && Array.isArray(doc[0])) return JSON.stringify(doc[0]);
    if (doc !== null && typeof doc === 'object' && !Array.isArray(doc)) return JSON.stringify((doc as { args?: unknown }).args ?? []);
  } catch {
    // no arguments
  }
  return null;
}

/** {@link argsOf} the message in a kombu envelope (`null` for an envelope that does not decode). */
export function argsOfEnvelope(envelope: string): string | null {
  try {
    return argsOf(decodeEnvelope(envelope).message);
  } catch {
    return null;
  }
}
