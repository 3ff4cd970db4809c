/**
 * `eventsPlugin()`: Celery's events for q apps and workers. A worker gets the `events` bootstep (its event dispatcher:
 * task events with `-E`, worker heartbeats) and the `gossip` bootstep (what it knows of the other workers); a client
 * with `task.sendSentEvent` sends `task-sent` after each publish. The `q` command adds it to every app it loads.
 */
import type { Plugin } from '@q/core';
import { dispatcherStep } from './dispatcher-step.js';
import { gossipStep } from './gossip-step.js';
import { taskSentHandler } from './task-sent.js';

/** The plugin's name (one per app). */
export const EVENTS_PLUGIN_NAME = 'q-events';

/** Options of {@link eventsPlugin}. */
export interface EventsPluginOptions {
  /** Send `task-sent` after each publish (default the app's `task.sendSentEvent`, Celery's `task_send_sent_event`). */
  sendSentEvent?: boolean;
}

/**
 * The events plugin.
 * @example
 * const app = createApp({ broker: 'redis://localhost:6379/0', plugins: [eventsPlugin()] });
 * createWorker(app, { sendTaskEvents: true }); // as `q worker -E`
 */
export function eventsPlugin(options: EventsPluginOptions = {}): Plugin {
  return {
    name: EVENTS_PLUGIN_NAME,
    setup(api) {
      api.bootstep(dispatcherStep);
      api.bootstep(gossipStep);
      const app = api.app;
      if (app !== undefined && (options.sendSentEvent ?? app.conf.task.sendSentEvent)) {
        api.hook('afterPublish', taskSentHandler(app, api.logger));
      }
    },
  };
}
