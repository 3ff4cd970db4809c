/** A growable output buffer that frames like CPython's pickler (protocol 4+). */
import { FRAME_SIZE_MIN, FRAME_SIZE_TARGET, OP } from './opcodes.js';

const HEADER = 9; // FRAME opcode + 8-byte length

/**
 * Collects pickle bytes and splits them into FRAMEs exactly where CPython does: a frame opens at the first write
 * after the previous one closed, closes when a value starts while it holds ≥ 64 KiB, and gets a FRAME header only
 * when it holds ≥ 4 bytes. Payloads of ≥ 64 KiB are written outside any frame.
 */
export class PickleWriter {
  private buf = new Uint8Array(256);
  private len = 0;
  /** Where the open frame's content starts (its header is reserved just before), or -1 when none is open. */
  private frameStart = -1;
  private framing = false;

  /** Turns framing on (after the PROTO opcode, for protocol ≥ 4). */
  startFraming(): void {
    this.framing = true;
  }

  /** Appends bytes, opening a frame first when framing and none is open. */
  write(bytes: ArrayLike<number>): void {
    this.reserve(bytes.length + HEADER);
    if (this.framing && this.frameStart === -1) {
      this.len += HEADER;
      this.frameStart = this.len;
    }
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  /** Appends one byte. */
  byte(b: number): void {
    this.write([b]);
  }

  /** Called before each value is written: closes the open frame once it reached the target size. */
  boundary(): void {
    if (this.frameStart !== -1 && this.len - this.frameStart >= FRAME_SIZE_TARGET) this.commit();
  }

  /** Writes `header` and a large `payload` outside any frame, as Python's `write_large_bytes` does. */
  writeLarge(header: ArrayLike<number>, payload: Uint8Array): void {
    this.commit();
    const framing = this.framing;
    this.framing = false;
    this.write(header);
    this.write(payload);
    this.framing = framing;
  }

  /** Closes the open frame: writes its header, or drops the reserved room when it is shorter than 4 bytes. */
  commit(): void {
    if (this.frameStart === -1) return;
    const frameLen = this.len - this.frameStart;
    const at = this.frameStart - HEADER;
    if (frameLen >= FRAME_SIZE_MIN) {
      this.buf[at] = OP.FRAME;
      new DataView(this.buf.buffer, this.buf.byteOffset).setBigUint64(at + 1, BigInt(frameLen), true);
    } else {
      this.buf.copyWithin(at, this.frameStart, this.len);
      this.len -= HEADER;
    }
    this.frameStart = -1;
  }

  /** The bytes written so far (call {@link commit} first). */
  bytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }

  private reserve(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }
}
