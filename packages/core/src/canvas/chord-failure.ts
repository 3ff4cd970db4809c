/**
 * When a chord's body cannot run (Celery's `chord_error_from_stack`): the body's result is stored as FAILURE with
 * a `ChordError` naming the cause, and the body's errbacks (`link_error`) are sent with its id, so whoever waits
 * for the chord's result gets the error instead of waiting forever. Used by a worker completing a chord natively
 * and by `celery.chord_unlock`.
 */
import type { EncodedException, TaskMeta } from '../contracts/result-backend.js';
import { ChordError } from '../errors/q-error.js';
import { encodeException } from '../protocol/exceptions.js';
import { pythonRepr } from '../protocol/repr.js';
import { naiveUtcIso } from '../protocol/time.js';
import type { WireSignature } from '../protocol/task-message.js';
import { applyCanvas, type CanvasSender } from './apply-canvas.js';
import { readSignature } from './read-signature.js';

/** Python's `repr()` of a stored exception: `ValueError('boom')`. */
export function exceptionRepr(exc: EncodedException): string {
  return `${exc.exc_type}(${exc.exc_message.map((a) => pythonRepr(a, 0)).join(', ')})`;
}

/** Celery's reason for a failed header task: `Dependency <id> raised ValueError('boom')`. */
export function dependencyFailed(taskId: string, exc: EncodedException): ChordError {
  return new ChordError('Q_ERR_CHORD_FAILED', `Dependency ${taskId} raised ${exceptionRepr(exc)}`);
}

/** The id a signature's result is stored under (a chain's last task's, once frozen). */
function resultId(sig: WireSignature): string | null {
  const id = sig.options.task_id;
  return typeof id === 'string' ? id : null;
}

/**
 * Fail the chord `body` with `error`: its errbacks are sent with its id (as Celery's), then its FAILURE is stored.
 * Never throws: what cannot be done is logged through `log`.
 */
export async function failChordBody(
  sender: CanvasSender,
  body: WireSignature,
  error: Error,
  log: (err: unknown, what: string) => void,
): Promise<void> {
  const id = resultId(body);
  const errbacks = body.options.link_error;
  const list = Array.isArray(errbacks) ? errbacks : errbacks ? [errbacks] : [];
  for (const errback of list) {
    try {
      const sig = readSignature(errback, 'link_error of the chord body');
      await applyCanvas(sender, sig, { args: id ? [id] : [], links: { parentId: id, rootId: id } });
    } catch (err) {
      log(err, `could not send an errback of the failed chord body ${body.task}[${id ?? '?'}]`);
    }
  }
  if (id === null) {
    log(error, `the chord body ${body.task} has no task id: its failure cannot be stored`);
    return;
  }
  try {
    const backend = await sender.backend();
    const meta: TaskMeta = {
      taskId: id,
      status: 'FAILURE',
      result: encodeException(error),
      traceback: null,
      children: [],
      dateDone: naiveUtcIso(new Date()),
    };
    await backend?.storeResult(meta, { expiresMs: sender.resultExpiresMs });
  } catch (err) {
    log(err, `could not store the failure of the chord body ${body.task}[${id}]`);
  }
}
