/**
 * One socket write per batch of frames. amqplib queues each frame a channel sends and, once per event loop turn
 * (`setImmediate`), its muxer moves the queued frames of every channel to the socket, one `socket.write()` (one
 * system call) per frame: a worker acking and publishing thousands of messages a second spends much of its time
 * there. Corking the socket while the muxer runs turns a turn's frames into one `writev`. Frames keep their
 * order and the muxer still stops at the socket's high-water mark; only the number of writes changes.
 *
 * It reaches into amqplib's connection (`connection.muxer`, `connection.stream`): if a future amqplib changes them,
 * the connection is left as it is (returns false) and works as before, only slower.
 */
import type { ChannelModel } from 'amqplib';

interface Muxer {
  _readIncoming?: unknown;
}

interface Stream {
  cork?: unknown;
  uncork?: unknown;
}

/** Makes the connection write each batch of frames with one socket write. Returns false if amqplib's layout is not the expected one. */
export function batchSocketWrites(model: ChannelModel): boolean {
  const connection = model.connection as unknown as { muxer?: Muxer; stream?: Stream };
  const muxer = connection.muxer;
  const stream = connection.stream;
  const readIncoming = muxer?._readIncoming;
  if (!muxer || !stream || typeof readIncoming !== 'function' || typeof stream.cork !== 'function' || typeof stream.uncork !== 'function') return false;
  const cork = stream.cork as () => void;
  const uncork = stream.uncork as () => void;
  muxer._readIncoming = function corked(this: Muxer): void {
    cork.call(stream);
    try {
      (readIncoming as (this: Muxer) => void).call(this);
    } finally {
      uncork.call(stream);
    }
  };
  return true;
}
