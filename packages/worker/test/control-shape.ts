/** Test helper: the shape of a JSON value (keys and types), to compare q's replies with Celery's captured ones. */
import { readVector } from '@q/test-services';

/** Objects whose keys are data (task names, task ids), compared by their values' shape. */
const MAPS = new Set(['total', 'revoked']);

/** Type name of a JSON value; objects and arrays recurse (arrays by their first element). */
export function shapeOf(value: unknown, skip: readonly string[] = [], path = ''): unknown {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0], skip, `${path}[]`)];
  if (typeof value === 'object' && MAPS.has(path)) {
    const first = Object.values(value)[0];
    return first === undefined ? {} : { '<key>': shapeOf(first, skip, `${path}.<key>`) };
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const sub = path === '' ? key : `${path}.${key}`;
      if (skip.includes(sub)) continue;
      out[key] = shapeOf((value as Record<string, unknown>)[key], skip, sub);
    }
    return out;
  }
  return typeof value;
}

interface CapturedReply {
  reply?: { decoded_body: Record<string, unknown> };
  decoded_body?: Record<string, unknown>;
}

/** The value Python's `w1@cap` replied in vector `name` (`control-<name>-reply.json`). */
export function capturedReply(name: string): unknown {
  const doc = readVector<CapturedReply>(`control-${name}-reply.json`);
  const body = doc.reply?.decoded_body ?? doc.decoded_body ?? {};
  return body['w1@cap'];
}

/** Replies of `control-replies-python-api.json`, by call. */
export function pythonApiReplies(): Record<string, unknown> {
  return readVector<Record<string, unknown>>('control-replies-python-api.json');
}
