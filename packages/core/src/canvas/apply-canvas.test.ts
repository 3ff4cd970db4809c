/**
 * Applying canvases, call by call, against the messages real Celery 5.2.6 sent for the same canvases
 * (`task-v2-chain-first`, `task-v2-group`, `task-v2-chord-header`, `task-v2-chord-unlock`): ids differ, shapes
 * may not.
 */
import { readVector } from '@q/test-services';
import { describe, expect, it } from 'vitest';
import type { ResultBackend, ResultBackendCapabilities } from '../contracts/result-backend.js';
import { ConfigError, SignatureError } from '../errors/q-error.js';
import type { TaskCall } from '../publish/build-task-message.js';
import type { CallLinks } from '../publish/send-task.js';
import type { WireSignature } from '../protocol/task-message.js';
import { applyCanvas, type CanvasSender } from './apply-canvas.js';
import { chainSteps, chordSignature, groupSignature, pushDownLinks } from './freeze.js';
import { readCanvas } from './read-signature.js';

const OID = 'bb653c99-c390-3f57-997e-954391537131';
const sig = (task: string, args: unknown[] = [], options: Record<string, unknown> = {}, immutable = false): WireSignature => ({
  task,
  args,
  kwargs: {},
  options,
  subtask_type: null,
  immutable,
});
const chainOf = (...tasks: WireSignature[]): WireSignature => ({ task: 'celery.chain', args: [], kwargs: { tasks }, options: {}, subtask_type: 'chain', immutable: false });

interface Sent {
  call: TaskCall;
  links: CallLinks;
}

function recorder(chords: ResultBackendCapabilities['chords'] | null = 'native') {
  const sent: Sent[] = [];
  const sizes: [string, number][] = [];
  const backend =
    chords === null
      ? null
      : ({
          capabilities: { push: false, chords, groups: true, autoExpire: true },
          describe: () => `test://${chords}`,
          setChordSize: (gid: string, n: number) => {
            sizes.push([gid, n]);
            return Promise.resolve();
          },
        } as unknown as ResultBackend);
  const sender: CanvasSender = {
    oid: OID,
    send(call, links) {
      sent.push({ call, links });
      return Promise.resolve(call.options.taskId ?? 'no-id');
    },
    backend: () => Promise.resolve(backend),
    queueOf: () => 'celery',
    resultExpiresMs: 86_400_000,
  };
  return { sender, sent, sizes };
}

/** The keys of a wire signature with its ids blanked. */
function shape(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (key, v: unknown) => (key === 'task_id' || key === 'reply_to' ? '<id>' : v));
}

describe('applyCanvas: the messages of a canvas', () => {
  it('chain: only the first task is sent, the rest rides along as the reversed stack (task-v2-chain-first)', async () => {
    const vector = readVector<{ decoded_body: [unknown[], unknown, { chain: WireSignature[] }] }>('task-v2-chain-first.json');
    const { sender, sent } = recorder();
    const result = await applyCanvas(sender, chainOf(sig('capapp.add', [1, 2]), sig('capapp.add', [3]), sig('capapp.mul', [4])));
    expect(sent).toHaveLength(1);
    const [first] = sent as [Sent];
    expect(first.call.name).toBe('capapp.add');
    expect(first.call.args).toEqual(vector.decoded_body[0]);
    expect(shape(first.links.chain)).toEqual(shape(vector.decoded_body[2].chain));
    expect(first.links.chain?.[0]?.options.reply_to).toBe(OID);
    // The result tuple is the last step's, with the earlier steps as its parents, ids as frozen.
    const lastId = first.links.chain?.[0]?.options.task_id;
    const midId = first.links.chain?.[1]?.options.task_id;
    expect(result).toEqual([[lastId, [[midId, [[first.call.options.taskId, null], null]], null]], null]);
  });

  it('group: one message per member, each with the group id, no index, its own root (task-v2-group)', async () => {
    const vector = readVector<{ envelope: { headers: Record<string, unknown> } }[]>('task-v2-group.json');
    const { sender, sent } = recorder();
    const result = await applyCanvas(sender, groupSignature([sig('capapp.add', [2, 2]), sig('capapp.add', [1, 1])], {}));
    expect(sent.map((s) => s.call.args)).toEqual([[2, 2], [1, 1]]);
    const gid = result[0][0];
    for (const s of sent) {
      expect(s.call.options.groupId).toBe(gid);
      expect(s.call.options.groupIndex).toBeUndefined();
      expect(s.links.rootId ?? null).toBeNull();
    }
    expect(vector[0]?.envelope.headers.group_index).toBeNull();
    expect(result[1]).toEqual(sent.map((s) => [[s.call.options.taskId, null], null]));
  });

  it('chord on a native backend: size first, then the header with indexes and the frozen body (task-v2-chord-header)', async () => {
    const vector = readVector<{ decoded_body: [unknown, unknown, { chord: WireSignature }]; envelope: { headers: Record<string, unknown> } }[]>('task-v2-chord-header.json');
    const { sender, sent, sizes } = recorder('native');
    const result = await applyCanvas(sender, chordSignature(groupSignature([sig('capapp.add', [1, 1]), sig('capapp.add', [2, 2])], {}), sig('capapp.xsum'), {}));
    expect(sizes).toEqual([[expect.any(String), 2]]);
    const gid = sizes[0]?.[0];
    expect(sent.map((s) => [s.call.options.groupId, s.call.options.groupIndex])).toEqual([[gid, 0], [gid, 1]]);
    const body = sent[0]?.call.options.chord as WireSignature;
    expect(shape(body)).toEqual(shape(vector[0]?.decoded_body[2].chord));
    expect(vector.map((v) => v.envelope.headers.group_index).sort()).toEqual([0, 1]);
    // The handle: the body, with the header group as its parent.
    expect(result[0][0]).toBe(body.options.task_id);
    expect((result[0][1] as [[string, null], unknown[]])[0][0]).toBe(gid);
  });

  it('chord without native joins: celery.chord_unlock first, as Celery sends it (task-v2-chord-unlock)', async () => {
    const vector = readVector<{ decoded_body: [unknown[], Record<string, unknown>]; envelope: { headers: Record<string, unknown> } }>('task-v2-chord-unlock.json');
    const { sender, sent, sizes } = recorder('unlock');
    await applyCanvas(sender, chordSignature(groupSignature([sig('capapp.add', [1, 1]), sig('capapp.add', [2, 2])], {}), sig('capapp.xsum'), {}));
    expect(sizes).toEqual([]);
    const [unlock, ...header] = sent as [Sent, ...Sent[]];
    expect(unlock.call.name).toBe('celery.chord_unlock');
    expect(shape(unlock.call.args[1])).toEqual(shape(vector.decoded_body[0][1]));
    expect(unlock.call.args[0]).toBe(header[0]?.call.options.groupId);
    expect(Object.keys(unlock.call.kwargs)).toEqual(Object.keys(vector.decoded_body[1]));
    expect(unlock.call.kwargs.result).toEqual(header.map((h) => [[h.call.options.taskId, null], null]));
    expect(unlock.call.options).toMatchObject({ countdown: 1, ignoreResult: true, queue: 'celery' });
    expect(vector.envelope.headers.ignore_result).toBe(true);
    expect(vector.envelope.headers.eta).not.toBeNull();
  });

  it('a chord is refused without a backend that can join it (rpc, none)', async () => {
    for (const mode of ['none', null] as const) {
      const { sender, sent } = recorder(mode);
      const error = await applyCanvas(sender, chordSignature(groupSignature([sig('a')], {}), sig('b'), {})).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({ code: 'Q_ERR_CHORD_UNSUPPORTED' });
      expect(sent).toEqual([]);
    }
  });

  it('an empty chord header sends the body at once with []', async () => {
    const { sender, sent } = recorder('native');
    await applyCanvas(sender, chordSignature(groupSignature([], {}), sig('capapp.xsum'), {}));
    expect(sent.map((s) => [s.call.name, s.call.args])).toEqual([['capapp.xsum', [[]]]]);
  });

  it('partial arguments: in front of a mutable signature, ignored by an immutable one; kwargs merged', async () => {
    const { sender, sent } = recorder();
    await applyCanvas(sender, { ...sig('t', [2]), kwargs: { a: 1 } }, { args: [1], kwargs: { b: 2 } });
    await applyCanvas(sender, sig('t', [2], {}, true), { args: [1] });
    expect(sent.map((s) => [s.call.args, s.call.kwargs])).toEqual([[[1, 2], { a: 1, b: 2 }], [[2], {}]]);
  });

  it('links: a parent and root given by the sender; a chord in a chain takes the rest into its body', async () => {
    const { sender, sent } = recorder('native');
    const canvas = chainOf(chordSignature(groupSignature([sig('h1'), sig('h2')], {}), sig('body'), {}), sig('after', [1]));
    await applyCanvas(sender, canvas, { links: { parentId: 'p', rootId: 'r' } });
    expect(sent.map((s) => [s.call.name, s.links.parentId, s.links.rootId, s.links.chain ?? null])).toEqual([
      ['h1', 'p', 'r', null],
      ['h2', 'p', 'r', null],
    ]);
    const body = sent[0]?.call.options.chord as WireSignature;
    expect((body.options.chain as WireSignature[]).map((s) => s.task)).toEqual(['after']);
  });
});

describe('canvas structure', () => {
  it('flattens nested chains and upgrades a group followed by a step to a chord', () => {
    const steps = chainSteps([chainOf(sig('a'), sig('b')), groupSignature([sig('g1'), sig('g2')], {}), sig('c'), sig('d')]);
    expect(steps.map((s) => s.subtask_type ?? s.task)).toEqual(['a', 'b', 'chord', 'd']);
    const upgraded = readCanvas(steps[2]);
    expect(upgraded.type === 'chord' && upgraded.body.task).toBe('c');
  });

  it("moves a composite's links where Celery puts them", () => {
    const cb = sig('cb');
    const eb = sig('eb');
    const chain = pushDownLinks({ ...chainOf(sig('a'), sig('b')), options: { link: [cb], link_error: [eb] } });
    const [a, b] = chain.kwargs.tasks as WireSignature[];
    expect([a?.options.link, a?.options.link_error, b?.options.link, b?.options.link_error]).toEqual([undefined, [eb], [cb], [eb]]);
    expect(chain.options).toEqual({});
    const grp = pushDownLinks({ ...groupSignature([sig('a'), sig('b')], {}), options: { link: [cb] } });
    expect((grp.kwargs.tasks as WireSignature[]).map((t) => t.options.link)).toEqual([[{ ...cb, immutable: true }], undefined]);
    const ch = pushDownLinks({ ...chordSignature(groupSignature([sig('a')], {}), sig('body'), {}), options: { link_error: [eb] } });
    expect((ch.kwargs.body as WireSignature).options.link_error).toEqual([eb]);
  });

  it('reads Celery dicts and names what is malformed', () => {
    expect(readCanvas({ task: 'a' })).toMatchObject({ type: 'task', sig: { task: 'a', args: [], kwargs: {}, options: {}, subtask_type: null, immutable: false } });
    const bad = (v: unknown): string => {
      try {
        readCanvas(v);
      } catch (err) {
        expect(err).toBeInstanceOf(SignatureError);
        return (err as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad(null)).toMatch(/expected an object, got null/);
    expect(bad({ args: [] })).toMatch(/"task" must be a task name/);
    expect(bad({ task: 'a', args: {} })).toMatch(/"args" of a must be a list/);
    expect(bad({ task: 'a', kwargs: [] })).toMatch(/"kwargs" of a must be an object/);
    expect(bad({ task: 'a', subtask_type: 'weird' })).toMatch(/unknown subtask_type "weird"/);
    expect(bad({ task: 'celery.chain', subtask_type: 'chain', kwargs: { tasks: 'x' } })).toMatch(/no list "tasks"/);
    expect(bad({ task: 'celery.chord', subtask_type: 'chord', kwargs: { header: sig('a'), body: sig('b') } })).toMatch(/header" must be a group/);
    expect(bad({ task: 'celery.chunks', subtask_type: 'chunks', kwargs: { task: sig('a'), it: [], n: 0 } })).toMatch(/"n" of celery.chunks/);
  });
});
