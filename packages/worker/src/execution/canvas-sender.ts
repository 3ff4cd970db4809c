/**
 * How the worker sends a canvas (a callback, the next chain step, a chord body, a replacement): core's
 * `applyCanvas` with a {@link CanvasSender} whose one-call path builds each message as this worker's own
 * (`origin` = its hostname, `reply_to` = its app's oid), through the one builder, `buildTaskMessage`.
 */
import { buildTaskMessage, routePublishOptions, withRouteOptions } from '@q/core/internal';
import type { CanvasSender, MessageContext } from '@q/core/internal';
import type { WorkerRuntime } from '../worker-runtime.js';
import { workerMessageContext } from './message-context.js';

/**
 * A signature's message takes only its own options, not the defaults of the task it names (`ignoreResult`,
 * `expires`). Celery applies a registered task's; q's worker never has.
 */
const SIGNATURE_DEFAULTS: MessageContext['defaults'] = { ignoreResult: false, expires: null };

const senders = new WeakMap<WorkerRuntime, CanvasSender>();

/** The canvas sender of `rt` (made once per runtime). */
export function canvasSender(rt: WorkerRuntime): CanvasSender {
  let sender = senders.get(rt);
  if (!sender) {
    const expires = rt.app.conf.result.expires;
    sender = {
      oid: rt.app.oid,
      async send(call, links) {
        // The call's `queue`, `exchange`, `routingKey` and `priority` are its routing options.
        const route = rt.app.route(call.name, call.options, call.args, call.kwargs);
        const message = buildTaskMessage({
          ...call,
          options: withRouteOptions(call.options, route),
          context: workerMessageContext(rt, {
            parentId: links.parentId ?? null,
            rootId: links.rootId ?? null,
            chain: links.chain ?? null,
            priority: route.priority,
            defaults: SIGNATURE_DEFAULTS,
          }),
        });
        await rt.app.publish(message, route, routePublishOptions({}, route, rt.app.conf.task));
        return message.id;
      },
      backend: () => Promise.resolve(rt.backend),
      queueOf: (name) => rt.app.route(name).queue,
      resultExpiresMs: expires === null ? null : expires * 1000,
    };
    senders.set(rt, sender);
  }
  return sender;
}
