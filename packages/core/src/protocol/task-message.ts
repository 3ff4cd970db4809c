/**
 * The decoded task message (protocol v2 model), camelCased. `encode.ts`/`decode.ts` map it to and from
 * the wire (headers, properties, body `[args, kwargs, embed]`); protocol v1 is decoded into this model too.
 */

/** A serialized signature as it travels on the wire (keys keep Celery's names). */
export interface WireSignature {
  task: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  options: Record<string, unknown>;
  subtask_type: string | null;
  immutable: boolean;
  chord_size?: number | null;
  [key: string]: unknown;
}

/** The body's third element. */
export interface TaskEmbed {
  callbacks: WireSignature[] | null;
  errbacks: WireSignature[] | null;
  /** Remaining chain steps, reversed (the next step is the last element). */
  chain: WireSignature[] | null;
  chord: WireSignature | null;
  /**
   * Why a signature of the embed is unusable (a `chain` that is not a list, a callback without a task name): set
   * by the decoder, which leaves that part out. A worker fails the task with this reason instead of running it.
   */
  invalid?: string;
}

/** A task message. */
export interface TaskMessage {
  /** Task id (`id` header, `correlation_id` property). */
  id: string;
  /** Registered task name (`task` header). */
  name: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  embed: TaskEmbed;
  shadow: string | null;
  /** ISO-8601 with offset, or null. */
  eta: string | null;
  /** ISO-8601 with offset, or null. */
  expires: string | null;
  groupId: string | null;
  groupIndex: number | null;
  retries: number;
  /** `[hard, soft]` seconds. */
  timeLimit: [number | null, number | null];
  rootId: string | null;
  parentId: string | null;
  argsrepr: string;
  kwargsrepr: string;
  /** Sender node name (`gen<pid>@<host>` for clients). */
  origin: string;
  ignoreResult: boolean;
  /** `py` for Python senders, `js` for q. */
  lang: string;
  /** Headers this model does not name (custom `headers={...}`, stamps, …), passed through unchanged. */
  extraHeaders: Record<string, unknown>;
  /** `reply_to` property (client oid). */
  replyTo: string;
  correlationId: string;
  priority: number;
  deliveryMode: 1 | 2;
  /** AMQP `expiration` (ms string) when `expires` was given. */
  expiration: string | null;
  /** Unknown properties, kept verbatim. */
  extraProperties: Record<string, unknown>;
  /** The protocol version the message arrived in. */
  protocol: 1 | 2;
}
