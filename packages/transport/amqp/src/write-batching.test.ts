/** Corking amqplib's socket while its muxer moves a turn's frames, and leaving an unknown layout alone. */
import type { ChannelModel } from 'amqplib';
import { describe, expect, it } from 'vitest';
import { batchSocketWrites } from './write-batching.js';

function fakeModel(read: () => void): { model: ChannelModel; calls: string[]; muxer: { _readIncoming: () => void } } {
  const calls: string[] = [];
  const stream = { cork: () => calls.push('cork'), uncork: () => calls.push('uncork') };
  const muxer = {
    _readIncoming(): void {
      calls.push('frames');
      read();
    },
  };
  return { model: { connection: { muxer, stream } } as unknown as ChannelModel, calls, muxer };
}

describe('batchSocketWrites', () => {
  it('corks the socket around each turn of the muxer, also when the turn throws', () => {
    let fail = false;
    const { model, calls, muxer } = fakeModel(() => {
      if (fail) throw new Error('boom');
    });
    expect(batchSocketWrites(model)).toBe(true);
    muxer._readIncoming();
    expect(calls).toEqual(['cork', 'frames', 'uncork']);
    fail = true;
    expect(() => muxer._readIncoming()).toThrow('boom');
    expect(calls.slice(3)).toEqual(['cork', 'frames', 'uncork']);
  });

  it('leaves a connection laid out differently as it is', () => {
    expect(batchSocketWrites({ connection: {} } as unknown as ChannelModel)).toBe(false);
    expect(batchSocketWrites({ connection: { muxer: {}, stream: { cork() {}, uncork() {} } } } as unknown as ChannelModel)).toBe(false);
    expect(batchSocketWrites({ connection: { muxer: { _readIncoming() {} }, stream: {} } } as unknown as ChannelModel)).toBe(false);
  });
});
