/** The errors the pickle codec throws: always a `SerializationError` from `@q/core`. */
import { SerializationError } from '@q/core';

/** A malformed pickle: truncated, unknown opcode, bad stack or mark, unusable value (`Q_ERR_DESERIALIZE_FAILED`). */
export function malformed(message: string, offset: number): SerializationError {
  return new SerializationError('Q_ERR_DESERIALIZE_FAILED', `cannot unpickle: ${message} (at byte offset ${offset})`);
}

/** A forbidden opcode (`Q_ERR_PICKLE_UNSAFE`): nothing from the data was run, imported or looked up. */
export function unsafe(name: string, opcode: number, offset: number): SerializationError {
  const hex = opcode.toString(16).padStart(2, '0');
  return new SerializationError(
    'Q_ERR_PICKLE_UNSAFE',
    `refusing to unpickle: opcode ${name} (0x${hex}) at byte offset ${offset} would import or call Python code; ` +
      'q reads only plain data (None, bool, int, float, str, bytes, list, tuple, dict, set) and ran no code from it',
  );
}

/** A value that cannot be pickled (`Q_ERR_SERIALIZE_FAILED`). */
export function unpicklable(message: string): SerializationError {
  return new SerializationError('Q_ERR_SERIALIZE_FAILED', `cannot pickle: ${message}`);
}
