import { describe, expect, it } from 'vitest';
import { expandNodeFormat } from './node-format.js';

describe('expandNodeFormat', () => {
  it("expands Celery's node-format sequences from the node name", () => {
    const node = 'george@foo.example.com';
    expect(expandNodeFormat('%p', node)).toBe('george@foo.example.com');
    expect(expandNodeFormat('%h', node)).toBe('foo.example.com');
    expect(expandNodeFormat('%n', node)).toBe('george');
    expect(expandNodeFormat('%d', node)).toBe('example.com');
    expect(expandNodeFormat('/var/run/%n.pid', node)).toBe('/var/run/george.pid');
  });

  it('gives 0 and an empty %I in the main process, the index and -index in a pool process', () => {
    expect(expandNodeFormat('%n-%i%I.log', 'w1@box')).toBe('w1-0.log');
    expect(expandNodeFormat('%n-%i%I.log', 'w1@box', { processIndex: 3 })).toBe('w1-3-3.log');
  });

  it('names a node without @ celery, gives an empty domain to a host without a dot', () => {
    expect(expandNodeFormat('%n|%h|%d', 'box')).toBe('celery|box|');
  });

  it('turns %% into a percent and leaves unknown sequences alone', () => {
    expect(expandNodeFormat('%%n %x %n', 'a@b')).toBe('%n %x a');
  });
});
