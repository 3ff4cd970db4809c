/**
 * `task-sent` (Celery's `task_send_sent_event`): after each task message a client publishes, an event naming the task,
 * its arguments' reprs and where it went, from the client's node name `gen<pid>@<host>`. Sent at once, not batched.
 */
import { hostname as osHostname } from 'node:os';
import type { HookHandler, Logger, PluginAppView } from '@q/core';
import { EventDispatcher } from '../dispatcher/event-dispatcher.js';

/** A client's node name in events, as Celery's `anon_nodename()`: `gen<pid>@<host>`. */
export function clientNodename(pid = process.pid, host = osHostname()): string {
  return `gen${pid}@${host}`;
}

/** The `afterPublish` handler that sends `task-sent` for `app`. */
export function taskSentHandler(app: PluginAppView, logger: Logger): HookHandler<'afterPublish'> {
  const dispatcher = new EventDispatcher({
    transport: () => app.getTransport(),
    hostname: clientNodename(),
    clock: app.clock,
    logger,
    exchange: app.conf.events.exchange,
    serializer: app.conf.events.serializer,
  });
  return (published) => {
    const h = published.headers;
    dispatcher.send('task-sent', {
      uuid: published.taskId,
      root_id: h['root_id'] ?? null,
      parent_id: h['parent_id'] ?? null,
      name: published.taskName,
      args: h['argsrepr'] ?? null,
      kwargs: h['kwargsrepr'] ?? null,
      retries: h['retries'] ?? 0,
      eta: h['eta'] ?? null,
      expires: h['expires'] ?? null,
      queue: published.queue,
      exchange: published.exchange,
      routing_key: published.routingKey,
    });
  };
}
