/**
 * The pure part of Celery's native Redis chords: the `.j` zset members (`[1, "<task_id>", "<state>", <result>]`,
 * score = `group_index`, `+inf` when unknown) and reading the header results back in group order. The completion
 * rule (`.s` exists and the member count equals `.s + .t`) runs in Redis, in `result-writes.ts`.
 */
import { BackendError } from '@q/core';
import { pyJsonParse, pyJsonStringify } from '@q/core/adapter';
import type { ChordPart } from '@q/core/adapter';

/** One decoded `.j` member. */
export interface ChordMember {
  taskId: string;
  state: string;
  /** The encoded result (an exception dict for exception states). */
  result: unknown;
}

/** States that make the chord body fail (`ChordError('Dependency <id> raised …')`). */
const PROPAGATE = new Set(['FAILURE', 'REVOKED']);

/** The zset member a finished header task adds: `[1, id, state, result]` in Python's JSON. */
export function encodeChordMember(part: Pick<ChordPart, 'taskId' | 'meta'>): string {
  return pyJsonStringify([1, part.taskId, part.meta.status, part.meta.result]);
}

/** The zset score: the task's `group_index`, or `+inf` when the message carried none. */
export function chordScore(groupIndex: number | null): string {
  return groupIndex === null ? '+inf' : String(groupIndex);
}

/**
 * Read a `.j` member.
 * @throws BackendError `Q_ERR_BACKEND_FAILED` when it is not `[1, id, state, result]`.
 */
export function decodeChordMember(text: string): ChordMember {
  let value: unknown;
  try {
    value = pyJsonParse(text);
  } catch (cause) {
    throw new BackendError('Q_ERR_BACKEND_FAILED', `chord member is not JSON: ${text.slice(0, 80)}`, { cause });
  }
  if (!Array.isArray(value) || value.length !== 4 || typeof value[1] !== 'string' || typeof value[2] !== 'string') {
    throw new BackendError('Q_ERR_BACKEND_FAILED', `chord member is not [1, id, state, result]: ${text.slice(0, 80)}`);
  }
  return { taskId: value[1], state: value[2], result: value[3] };
}

/** The header results in zset order, and the first member that failed (FAILURE/REVOKED), if any. */
export function chordOutcome(members: readonly ChordMember[]): { results: unknown[]; failed: ChordMember | null } {
  return {
    results: members.map((m) => m.result),
    failed: members.find((m) => PROPAGATE.has(m.state)) ?? null,
  };
}
