/**
 * The options of remote control (Celery's `broadcast` keyword arguments): who runs a command, whether and how long
 * to wait for replies. Every `app.control` method takes {@link ControlOptions}; `broadcast` adds its `arguments`.
 */
import type { ControlMatcher } from './pidbox-message.js';

/** One reply as received: `{<nodename>: <result>}` (Celery's reply body). */
export type NodeReply<T = unknown> = Record<string, T>;

/** Which nodes run a command. */
export interface ControlTarget {
  /**
   * Node names that run it (`celery@host`); a single name is sent as a one-name list. Without it every node does
   * (narrowed by `pattern`). With a list, replies are awaited until one has come from each (the default `limit`).
   */
  destination?: string | readonly string[];
  /** With no `destination`: nodes whose name matches run it (a glob by default, see `matcher`). */
  pattern?: string;
  /** How `pattern` matches: `glob` (the default, shell-style) or `pcre` (a regular expression anchored at the start). */
  matcher?: ControlMatcher;
}

/** Options of every `app.control` method and of `app.control.inspect()`. */
export interface ControlOptions extends ControlTarget {
  /**
   * Wait for replies (Celery's `reply`): the default is `false` for commands (the request is sent and the call
   * returns `[]`), `true` for `ping` and for every inspect call.
   */
  reply?: boolean;
  /**
   * Seconds to collect replies (default 1, Celery's). The request's `expires` header is now + this, so a worker
   * that reads it later may drop it.
   */
  timeout?: number;
  /** Stop collecting after this many replies (default: the number of nodes in `destination`, else none). */
  limit?: number;
  /**
   * Called with each reply as it arrives, before the call resolves (the CLI prints with it). An error it throws
   * fails the call.
   */
  callback?: (reply: NodeReply) => void;
}

/** Options of {@link Control.broadcast}: the command's keyword arguments besides the common options. */
export interface BroadcastOptions extends ControlOptions {
  /** The command's keyword arguments, with the names Celery sends (`task_id`, `rate_limit`, …). Default `{}`. */
  arguments?: Record<string, unknown>;
}

/** Options of `app.control.inspect()`: `reply` is always true there. */
export type InspectOptions = Omit<ControlOptions, 'reply'>;
