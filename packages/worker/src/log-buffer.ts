/**
 * Where {@link consoleLogger}'s lines wait between the log call and the write: the log call only appends a record
 * (no formatting, no write); at the end of the event-loop turn the turn's records are formatted into a buffer, and
 * every {@link FLUSH_INTERVAL_MS} what was formatted meanwhile goes as one chunk to an asynchronous destination (pino's `sonic-boom`: `pino.destination({ sync:
 * false })`). A line is never lost on the way out: `flushSync()` formats and writes what is pending and waits for
 * the destination, and it runs by itself when the process exits (one `exit` listener for every live buffer).
 */
import { mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { destination as sonicBoom } from 'pino';

/** Something text can be written to (`process.stderr`, a test's collector). */
export interface TextStream {
  write(text: string): unknown;
}

/** What a buffer writes to: a file descriptor (2: stderr), a file path (appended to), or a stream. */
export type LogDestination = number | string | TextStream;

/**
 * Turns the record at `slots[at]` … `slots[at + width - 1]` into text; the buffer calls it off the log call, once
 * per record, when it writes.
 */
export type RecordFormatter = (slots: readonly unknown[], at: number) => string;

/** pino's asynchronous destination (sonic-boom): what `pino.destination({ sync: false })` returns. */
type SonicBoom = ReturnType<typeof sonicBoom>;

/**
 * Records wait this long before they are formatted and written: one write carries the lines of many event-loop
 * turns (a worker's turn often holds a few tasks; a write per turn cost more than the formatting).
 */
export const FLUSH_INTERVAL_MS = 10;
/** Formatted bytes that are written without waiting for the interval. */
const CHUNK = 256 * 1024;
/** The size of the buffers lines are formatted into (file destinations). */
const BYTES = 512 * 1024;
/** The largest single write sonic-boom makes (its default is 16 KiB). */
const MAX_WRITE = 1024 * 1024;

/** Buffers of live loggers, flushed synchronously when the process exits. */
const live = new Set<WeakRef<LogBuffer>>();
/** Forgets the reference of a buffer that was collected (its lines were written: a pending write holds it). */
const forget = new FinalizationRegistry<WeakRef<LogBuffer>>((ref) => live.delete(ref));
let exitHookInstalled = false;

function flushAllOnExit(): void {
  for (const ref of live) ref.deref()?.flushSync();
}

/**
 * Records of the last few milliseconds, formatted and written together. A record is `width` values appended to
 * one flat array (no object per record); {@link RecordFormatter} turns it into text.
 */
export class LogBuffer {
  readonly #format: RecordFormatter;
  readonly #width: number;
  readonly #stream: TextStream | null;
  readonly #sonic: SonicBoom | null;
  /** The destination is a file this buffer opened (closed by {@link close}). */
  readonly #ownsFile: boolean;
  #pending: unknown[] = [];
  #formatScheduled = false;
  #writeTimer: ReturnType<typeof setTimeout> | null = null;
  /** Formatted bytes not handed to the destination yet: `#bytes[#start, #end)` (file destinations). */
  #bytes: Buffer | null = null;
  #start = 0;
  #end = 0;
  /** Formatted lines not written yet (stream destinations). */
  #lines: string[] = [];
  /** Bytes (or characters, for a stream) formatted and not handed to the destination yet. */
  #size = 0;
  readonly #ref: WeakRef<LogBuffer>;

  constructor(destination: LogDestination, width: number, format: RecordFormatter) {
    this.#format = format;
    this.#width = width;
    this.#ownsFile = typeof destination === 'string';
    if (typeof destination === 'object') {
      this.#stream = destination;
      this.#sonic = null;
    } else {
      this.#stream = null;
      // A file is opened here, synchronously, so that a line logged right before an exit finds it open.
      const fd = typeof destination === 'number' ? destination : openLogFile(destination);
      // Buffers, not strings, and no splitting into 16 KiB writes: sonic-boom measures a string's bytes on every
      // write and copies buffers it splits (about half the cost of a line).
      this.#sonic = sonicBoom({ fd, sync: false, contentMode: 'buffer', maxWrite: MAX_WRITE });
    }
    this.#ref = new WeakRef<LogBuffer>(this);
    live.add(this.#ref);
    forget.register(this, this.#ref, this.#ref);
    if (!exitHookInstalled) {
      exitHookInstalled = true;
      process.on('exit', flushAllOnExit);
    }
  }

  /** Append a one-value record (the hot path: no formatting, no write). */
  push1(a: unknown): void {
    this.#pending.push(a);
    if (!this.#formatScheduled) this.#scheduleFormat();
  }

  /** Append a five-value record (the hot path: no formatting, no write). */
  push5(a: unknown, b: unknown, c: unknown, d: unknown, e: unknown): void {
    this.#pending.push(a, b, c, d, e);
    if (!this.#formatScheduled) this.#scheduleFormat();
  }

  /**
   * Records are formatted at the end of the turn that logged them (so what they hold dies young), their bytes
   * written every {@link FLUSH_INTERVAL_MS}.
   */
  #scheduleFormat(): void {
    this.#formatScheduled = true;
    setImmediate(this.#formatTurn);
  }

  readonly #formatTurn = (): void => {
    this.#formatScheduled = false;
    this.#formatPending();
    if (this.#size >= CHUNK) this.#writeOut();
    // Not `unref`'d away: pending bytes keep the process up for at most this long (the exit hook covers the rest).
    else if (this.#size > 0 && this.#writeTimer === null) this.#writeTimer = setTimeout(this.#timedWrite, FLUSH_INTERVAL_MS);
  };

  readonly #timedWrite = (): void => {
    this.#writeTimer = null;
    this.#writeOut();
  };

  /** Records not yet formatted. */
  get pending(): number {
    return this.#pending.length / this.#width;
  }

  /**
   * Format every pending record and hand the text to the destination now: a stream's `write` is called at once; a
   * file descriptor or file is written asynchronously (see {@link flushSync} to wait).
   */
  flush(): void {
    this.#formatPending();
    this.#writeOut();
  }

  #formatPending(): void {
    const slots = this.#pending;
    if (slots.length === 0) return;
    this.#pending = [];
    const format = this.#format;
    const width = this.#width;
    for (let at = 0; at < slots.length; at += width) this.#append(format(slots, at));
  }

  /** One formatted line: its bytes into the current buffer (file destinations), or kept for the stream's next write. */
  #append(line: string): void {
    if (this.#sonic === null) {
      this.#lines.push(line);
      this.#size += line.length;
      return;
    }
    const room = line.length * 3;
    if (this.#bytes === null || this.#end + room > this.#bytes.length) {
      this.#writeOut();
      this.#bytes = Buffer.allocUnsafe(Math.max(BYTES, room));
      this.#start = 0;
      this.#end = 0;
    }
    const n = this.#bytes.write(line, this.#end);
    this.#end += n;
    this.#size += n;
  }

  /** Hand what is formatted to the destination. sonic-boom keeps the bytes it is given: later lines go after them. */
  #writeOut(): void {
    if (this.#writeTimer !== null) {
      clearTimeout(this.#writeTimer);
      this.#writeTimer = null;
    }
    if (this.#size === 0) return;
    this.#size = 0;
    try {
      if (this.#sonic !== null && this.#bytes !== null) {
        const out = this.#bytes.subarray(this.#start, this.#end);
        this.#start = this.#end;
        this.#sonic.write(out as unknown as string);
      } else if (this.#stream !== null) {
        const text = this.#lines.join('');
        this.#lines = [];
        this.#stream.write(text);
      }
    } catch {
      // A destination that cannot take the line (closed, full) drops it: logging never fails the caller.
    }
  }

  /**
   * Format and write what is pending now, and wait until the destination has written it. For the process's exit:
   * bytes of an asynchronous write still under way are not waited for.
   */
  flushSync(): void {
    this.flush();
    if (this.#sonic === null) return;
    try {
      this.#sonic.flushSync();
    } catch {
      // Nothing left to flush to (an fd already closed): as above.
    }
  }

  /** Flush, then stop: the destination is closed (a file it opened) and the exit hook forgets this buffer. */
  close(): void {
    this.flushSync();
    live.delete(this.#ref);
    forget.unregister(this.#ref);
    if (this.#sonic !== null && this.#ownsFile) this.#sonic.end();
  }
}

/** Opens `path` for appending, creating its folder. */
function openLogFile(path: string): number {
  mkdirSync(dirname(path), { recursive: true });
  return openSync(path, 'a');
}
