import { isQError, QError } from '@q/core';

/**
 * The error of a module (`what`: `app module tasks.ts`, an `include` entry) that threw while a `q` command
 * imported it: a `QError` as it is, anything else as `Q_ERR_MODULE_IMPORT_FAILED` naming the module, with the
 * module's error as `cause`.
 */
export function importFailed(what: string, err: unknown): QError {
  if (isQError(err)) return err;
  const reason = err instanceof Error ? err.message : String(err);
  return new QError('Q_ERR_MODULE_IMPORT_FAILED', `failed to import ${what}: ${reason}`, { cause: err });
}
