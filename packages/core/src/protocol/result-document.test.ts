import { VECTORS_DIR } from '@q/test-services';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ProtocolError } from '../errors/q-error.js';
import {
  decodeGroupMeta,
  decodeResultDocument,
  encodeGroupMeta,
  encodeResultDocument,
  encodeRpcResult,
  groupResultTuple,
  groupTaskIds,
  readResultTuple,
  resultTuple,
} from './result-document.js';

const VECTORS = VECTORS_DIR;
const load = (name: string): { stored_string: string; document: Record<string, unknown> } =>
  JSON.parse(readFileSync(`${VECTORS}${name}`, 'utf8')) as { stored_string: string; document: Record<string, unknown> };
const resultFiles = readdirSync(VECTORS).filter((f) => /^result-.*\.json$/.test(f));

describe('rpc result bodies', () => {
  it.each(['rpc-result-success.json', 'rpc-result-failure.json'])('%s: decodes and re-encodes byte-identically', (file) => {
    const { body, decoded_body } = JSON.parse(readFileSync(`${VECTORS}${file}`, 'utf8')) as { body: string; decoded_body: Record<string, unknown> };
    const meta = decodeResultDocument(body);
    expect(meta).toEqual({
      taskId: decoded_body.task_id,
      status: decoded_body.status,
      result: decoded_body.result,
      traceback: decoded_body.traceback,
      children: [],
      dateDone: null,
    });
    expect(encodeRpcResult(meta)).toBe(body);
  });

  it('leaves out date_done, group, parent and extended fields', () => {
    const body = encodeRpcResult({
      taskId: 't1', status: 'SUCCESS', result: [1], traceback: null, children: [], dateDone: '2026-01-01T00:00:00',
      groupId: 'g', parentId: 'p', extended: { name: 'n', args: [], kwargs: {}, worker: 'w', retries: 0, queue: 'q' },
    });
    expect(body).toBe('{"task_id": "t1", "status": "SUCCESS", "result": [1], "traceback": null, "children": []}');
  });
});

describe('result documents', () => {
  it('has the captured result vectors', () => {
    expect(resultFiles.length).toBeGreaterThanOrEqual(13);
  });

  it.each(resultFiles)('%s: decodes and re-encodes byte-identically', (file) => {
    const { stored_string, document } = load(file);
    const meta = decodeResultDocument(stored_string);
    expect(meta.taskId).toBe(document.task_id);
    expect(meta.status).toBe(document.status);
    expect(meta.result).toEqual(document.result);
    expect(meta.children).toEqual(document.children);
    expect(meta.dateDone).toBe(document.date_done);
    expect(encodeResultDocument(meta)).toBe(stored_string);
  });

  it('maps extended fields, group and parent ids', () => {
    const ext = decodeResultDocument(load('result-extended-failure.json').stored_string);
    expect(ext.extended).toEqual({ name: 'capapp.fail', args: ['oops'], kwargs: {}, worker: 'w2@cap', retries: 0, queue: 'celery' });
    expect(ext.result).toEqual({ exc_type: 'ValueError', exc_message: ['oops'], exc_module: 'builtins' });
    expect(decodeResultDocument(load('result-group-member.json').stored_string).groupId).toBe('c791cf40-6f5b-419e-867b-685a33054a1e');
    const chained = decodeResultDocument(load('result-chain-parent-children.json').stored_string);
    expect(chained.parentId).toBe('3c8e5a2e-54a5-4f8a-9b15-c04a7079040f');
    expect(readResultTuple(chained.children[0])).toEqual({ id: '4672bff0-14a9-4be5-a10e-a7c54f187cb9', parent: null, members: null });
  });

  it('is tolerant of missing optional keys and old exception shapes', () => {
    const meta = decodeResultDocument('{"status": "FAILURE", "result": {"exc_type": "KeyError", "exc_message": "x", "exc_module": "builtins"}}', 'tid');
    expect(meta).toEqual({
      taskId: 'tid',
      status: 'FAILURE',
      result: { exc_type: 'KeyError', exc_message: ['x'], exc_module: 'builtins' },
      traceback: null,
      children: [],
      dateDone: null,
    });
    expect(decodeResultDocument('{"status": "SUCCESS", "result": 12345678901234567890, "task_id": "a"}').result).toBe(12345678901234567890n);
  });

  it('writes Celery key order with optional keys only when set', () => {
    const text = encodeResultDocument({
      taskId: 't',
      status: 'SUCCESS',
      result: NaN,
      traceback: null,
      children: [resultTuple('c')],
      dateDone: '2026-11-22T02:39:41.344000',
      groupId: null,
      parentId: 'p',
    });
    expect(text).toBe(
      '{"status": "SUCCESS", "result": NaN, "traceback": null, "children": [[["c", null], null]], "date_done": "2026-11-22T02:39:41.344000", "parent_id": "p", "task_id": "t"}',
    );
  });

  it('reads rpc:// result bodies (task_id first, no date_done)', () => {
    for (const file of ['rpc-result-success.json', 'rpc-result-failure.json']) {
      const { body, decoded_body } = JSON.parse(readFileSync(`${VECTORS}${file}`, 'utf8')) as { body: string; decoded_body: Record<string, unknown> };
      const meta = decodeResultDocument(body);
      expect(meta.taskId).toBe(decoded_body.task_id);
      expect(meta.status).toBe(decoded_body.status);
      expect(meta.result).toEqual(decoded_body.result);
      expect(meta.dateDone).toBeNull();
    }
  });

  it('rejects garbage with a ProtocolError', () => {
    for (const bad of ['', 'nope', '[]', '{"result": 1}', '{"status": 5}']) {
      expect(() => decodeResultDocument(bad), bad).toThrow(ProtocolError);
    }
  });
});

describe('group meta', () => {
  it('round-trips the captured celery-taskset-meta value', () => {
    const { stored_string } = load('group-meta.json');
    const tuple = decodeGroupMeta(stored_string);
    expect(groupTaskIds(tuple)).toEqual(['a54e8931-a550-4908-8288-6bbe93be50b1', '1f305e10-ea38-400b-bf10-cdc6f9536258']);
    expect(encodeGroupMeta('c791cf40-6f5b-419e-867b-685a33054a1e', tuple)).toBe(stored_string);
    expect(encodeGroupMeta('c791cf40-6f5b-419e-867b-685a33054a1e', groupTaskIds(tuple))).toBe(stored_string);
    expect(groupResultTuple('g', ['a'])).toEqual([['g', null], [[['a', null], null]]]);
  });

  it('rejects what is not a group meta', () => {
    expect(() => decodeGroupMeta('{"result": [["g", null], null]}')).toThrow(/member tuples/);
    expect(() => decodeGroupMeta('{"result": [["g", null], [5]]}')).toThrow(/member 0/);
    expect(() => decodeGroupMeta('{}')).toThrow(ProtocolError);
    expect(() => encodeGroupMeta('g', 5)).toThrow(ProtocolError);
  });
});
