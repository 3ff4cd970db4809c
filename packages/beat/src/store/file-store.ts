/**
 * The default beat store: a JSON file (`celerybeat-schedule.json` in the working directory unless
 * `beat.scheduleFilename` says otherwise), written atomically (a temporary file in the same directory, then a
 * rename), so a crash mid-write leaves the previous state. A file that is not a beat state (corrupt, or another
 * program's) is logged and read as no state: the beat starts afresh, as Celery does with a broken shelve.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { BeatState, BeatStore, Logger } from '@q/core';
import { silentLogger } from '@q/core';
import { parseBeatState } from '@q/core/adapter';

/** Options of {@link fileStore}. */
export interface FileStoreOptions {
  /** Where corrupt files are reported (default silent). */
  logger?: Logger;
}

let tempCounter = 0;

/** A beat store in the JSON file `path` (relative to the working directory). */
export function fileStore(path: string, options: FileStoreOptions = {}): BeatStore {
  const file = resolve(path);
  const logger = options.logger ?? silentLogger;
  return {
    async load(): Promise<BeatState | null> {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
      const state = parseBeatState(text);
      if (state === null) logger.warn({ file }, `beat state file ${file} is not a beat state: starting afresh (it is replaced at the next save)`);
      return state;
    },
    async save(state: BeatState): Promise<void> {
      await mkdir(dirname(file), { recursive: true });
      const temp = `${file}.${process.pid}.${++tempCounter}.tmp`;
      try {
        await writeFile(temp, `${JSON.stringify({ timezone: state.timezone, entries: state.entries })}\n`, 'utf8');
        await rename(temp, file);
      } catch (err) {
        await rm(temp, { force: true });
        throw err;
      }
    },
    close: () => Promise.resolve(),
    describe: () => `file ${file}`,
  };
}
