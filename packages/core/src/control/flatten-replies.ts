/**
 * Celery's `flatten_reply`: the list of one-key replies `[{a: …}, {b: …}]` merged into `{a: …, b: …}`, the shape
 * every inspect call returns. Two replies from one node name mean two workers share a name (`-n`): the later
 * reply wins and the names are reported, as Celery warns with `DuplicateNodenameWarning`.
 */
import type { NodeReply } from './control-options.js';

/** The merged replies and the node names that replied more than once. */
export interface FlattenedReplies<T> {
  /** Each node's reply, by node name. */
  byNode: Record<string, T>;
  /** Node names that replied more than once, sorted. */
  duplicates: string[];
}

/** Merges one-key replies into one object by node name. */
export function flattenReplies<T>(replies: readonly NodeReply<T>[]): FlattenedReplies<T> {
  const byNode: Record<string, T> = {};
  const duplicates = new Set<string>();
  for (const reply of replies) {
    for (const [node, value] of Object.entries(reply)) {
      if (Object.hasOwn(byNode, node)) duplicates.add(node);
      byNode[node] = value;
    }
  }
  return { byNode, duplicates: [...duplicates].sort() };
}
