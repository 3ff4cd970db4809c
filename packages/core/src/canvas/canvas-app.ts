/**
 * What a canvas needs from its app: sending (with the links of the task running now) and making result handles
 * from the result tuples freezing gives. `App` implements it; a test can too.
 */
import type { WireSignature } from '../protocol/task-message.js';
import type { AsyncResult } from '../result/async-result.js';
import type { GroupResult } from '../result/group-result.js';
import type { ApplyInput } from './apply-canvas.js';
import type { ResultTuple } from './freeze.js';

/** The app a canvas is sent through. */
export interface CanvasApp {
  /** `reply_to` of the tasks it freezes. */
  readonly oid: string;
  /**
   * Freeze and send `sig` (with the parent and root of the task running now, recording it as that task's child);
   * resolves to its result tuple once every message is with the broker.
   */
  applySignature(sig: WireSignature, input: ApplyInput): Promise<ResultTuple>;
  /**
   * Runs `sig` in this process (Celery's `apply`) when the app runs tasks eagerly (`task.alwaysEager`), or whatever
   * the setting with `always`; `null` when it is to be sent instead. Optional: without it a canvas is always sent.
   */
  applyEager?(sig: WireSignature, input: ApplyInput, always?: boolean): Promise<AsyncResult | GroupResult> | null;
  /** The handle of a result tuple (`AsyncResult` or `GroupResult`, parents included). */
  resultFromTuple(tuple: ResultTuple): AsyncResult | GroupResult;
}
