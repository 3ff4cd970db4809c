/**
 * Turning a wire signature (a `link`, `link_error` or chain step) into a task message the worker sends.
 */
import { argsRepr, kwargsRepr, toIsoWithOffset, uuid } from '@q/core';
import type { RouteInput, TaskMessage, WireSignature } from '@q/core';

/** What the sender adds to a signature. */
export interface SignatureCall {
  /** Positional arguments in front of the signature's own (ignored when the signature is immutable). */
  prepend: readonly unknown[];
  parentId: string;
  rootId: string;
  /** Remaining chain steps (reversed stack) to carry. */
  chain?: WireSignature[] | null;
  /** Reply queue when the signature has none (the app's oid). */
  replyTo: string;
  /** Sender node name. */
  origin: string;
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function list(v: unknown): WireSignature[] | null {
  if (v === null || v === undefined) return null;
  const items = Array.isArray(v) ? v : [v];
  return items.length === 0 ? null : (items as WireSignature[]);
}

/** `countdown`/`eta` options → ISO eta, `expires` (seconds or ISO) → ISO expires. */
function times(options: Record<string, unknown>, now: number): { eta: string | null; expires: string | null } {
  const countdown = num(options.countdown);
  const eta = countdown !== null ? toIsoWithOffset(new Date(now + countdown * 1000)) : str(options.eta);
  const exp = options.expires;
  const expires = typeof exp === 'number' ? toIsoWithOffset(new Date(now + exp * 1000)) : str(exp);
  return { eta, expires };
}

/**
 * Build the message for `sig` called with `call.prepend` in front of its args, and the routing options of
 * its `options` (`queue`, `routing_key`, `exchange`, `priority`). Pre-assigned `options.task_id` is kept.
 */
export function signatureMessage(sig: WireSignature, call: SignatureCall, now: number = Date.now()): { message: TaskMessage; route: RouteInput } {
  const o = sig.options;
  const args = sig.immutable ? [...sig.args] : [...call.prepend, ...sig.args];
  const kwargs = { ...sig.kwargs };
  const id = str(o.task_id) ?? uuid();
  const { eta, expires } = times(o, now);
  const headers = typeof o.headers === 'object' && o.headers !== null ? (o.headers as Record<string, unknown>) : {};
  const priority = num(o.priority);
  const chord = o.chord;
  const message: TaskMessage = {
    id,
    name: sig.task,
    args,
    kwargs,
    embed: {
      callbacks: list(o.link),
      errbacks: list(o.link_error),
      chain: call.chain && call.chain.length > 0 ? call.chain : null,
      chord: typeof chord === 'object' && chord !== null ? (chord as WireSignature) : null,
    },
    shadow: str(o.shadow),
    eta,
    expires,
    groupId: str(o.group_id),
    groupIndex: num(o.group_index),
    retries: 0,
    timeLimit: [num(o.time_limit), num(o.soft_time_limit)],
    rootId: call.rootId,
    parentId: call.parentId,
    argsrepr: argsRepr(args),
    kwargsrepr: kwargsRepr(kwargs),
    origin: call.origin,
    ignoreResult: o.ignore_result === true,
    lang: 'js',
    extraHeaders: { ...headers },
    replyTo: str(o.reply_to) ?? call.replyTo,
    correlationId: id,
    priority: priority ?? 0,
    deliveryMode: 2,
    expiration: expires === null ? null : String(Math.max(0, Date.parse(expires) - now)),
    extraProperties: {},
    protocol: 2,
  };
  const route: RouteInput = {};
  const queue = str(o.queue);
  const routingKey = str(o.routing_key);
  const exchange = str(o.exchange);
  if (queue !== null) route.queue = queue;
  if (routingKey !== null) route.routingKey = routingKey;
  if (exchange !== null) route.exchange = exchange;
  if (priority !== null) route.priority = priority;
  return { message, route };
}
