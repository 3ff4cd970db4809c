/**
 * The pickle codec against CPython itself: Debian's /usr/bin/python3 pickles the same values (built from a tagged
 * JSON form, so tuples, bigints, exact floats and shared objects survive) and q's bytes must equal its bytes;
 * Python unpickles q's bytes back to the same values; q reads Python's bytes; Python-only objects are refused.
 * Python runs once for the whole file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { runsHere } from '@q/test-services';
import { decodePickle, encodePickle, isPickleTuple, pickleTuple } from '../src/pickle/index.js';

const PYTHON = '/usr/bin/python3';
const ok = runsHere('pickle codec vs CPython', [existsSync(PYTHON) ? null : `${PYTHON} is missing (apt-get install -y python3)`], 'interop');

/**
 * Tagged JSON: JSON null/bool/str/list as is; {"$int": hex}, {"$float": 8 bytes big-endian hex}, {"$bytes": hex},
 * {"$tuple": [...]}, {"$dict": [[k, v], ...]}; {"$def": id, "v": value} and {"$ref": id} for one object reached twice.
 * Python rebuilds every str of 2+ characters as a new object, so equal strings are distinct as they are in JS.
 */
const SCRIPT = String.raw`
import json, pickle, struct, sys, datetime, decimal, collections
def fresh(s): return (s + '.')[:-1] if len(s) >= 2 else s
def build(t, shared):
    if t is None or isinstance(t, bool): return t
    if isinstance(t, str): return fresh(t)
    if isinstance(t, list): return [build(x, shared) for x in t]
    if '$int' in t: return int(t['$int'], 16)
    if '$float' in t: return struct.unpack('>d', bytes.fromhex(t['$float']))[0]
    if '$bytes' in t: return bytes.fromhex(t['$bytes'])
    if '$tuple' in t: return tuple(build(x, shared) for x in t['$tuple'])
    if '$dict' in t: return {build(k, shared): build(v, shared) for k, v in t['$dict']}
    if '$def' in t:
        v = build(t['v'], shared); shared[t['$def']] = v; return v
    if '$ref' in t: return shared[t['$ref']]
    raise ValueError(t)
def tag(v):
    if v is None or isinstance(v, (bool, str)): return v
    if isinstance(v, int): return {'$int': format(v, 'x')}
    if isinstance(v, float): return {'$float': struct.pack('>d', v).hex()}
    if isinstance(v, (bytes, bytearray)): return {'$bytes': bytes(v).hex()}
    if isinstance(v, tuple): return {'$tuple': [tag(x) for x in v]}
    if isinstance(v, list): return [tag(x) for x in v]
    if isinstance(v, dict): return {'$dict': [[tag(k), tag(x)] for k, x in v.items()]}
    raise TypeError(type(v).__name__)
def load(h):
    try: return tag(pickle.loads(bytes.fromhex(h)))
    except Exception as e: return {'$error': repr(e)}
req = json.load(sys.stdin)
only = {
    'datetime': datetime.datetime(2026, 1, 2, 3, 4, 5),
    'exception': ValueError('boom'),
    'decimal': decimal.Decimal('1.5'),
    'ordereddict': collections.OrderedDict(a=1),
    'set at protocol 5': {1, 2},
}
json.dump({
    'dumps': [pickle.dumps(build(t, {}), protocol=5).hex() for t in req['build']],
    'loads': [load(h) for h in req['load']],
    'only': {k: pickle.dumps(v, protocol=5).hex() for k, v in only.items()},
}, sys.stdout)
`;

function floatHex(x: number): string {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(x);
  return b.toString('hex');
}

/** The tagged form of a JS value as q pickles it; with `sharing`, objects reached twice become $def/$ref. */
function toTagged(v: unknown, sharing: boolean, seen = new Map<object, number>()): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isSafeInteger(v) ? { $int: (v === 0 ? 0 : v).toString(16) } : { $float: floatHex(v) };
  if (typeof v === 'bigint') return { $int: v.toString(16) };
  if (typeof v !== 'object') throw new Error(`untaggable ${typeof v}`);
  if (!(v instanceof Uint8Array) && !isPickleTuple(v) && !Array.isArray(v) && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    return toTagged((v as { toJSON: () => unknown }).toJSON(), sharing, seen);
  }
  const id = seen.get(v);
  if (sharing && id !== undefined) return { $ref: id };
  const inner = (): unknown => {
    if (v instanceof Uint8Array) return { $bytes: Buffer.from(v).toString('hex') };
    if (isPickleTuple(v)) return { $tuple: v.items.map((x) => toTagged(x, sharing, seen)) };
    if (Array.isArray(v)) return v.map((x) => toTagged(x, sharing, seen));
    return { $dict: Object.entries(v).map(([k, x]) => [k, toTagged(x, sharing, seen)]) };
  };
  if (!sharing) return inner();
  const mine = seen.size;
  seen.set(v, mine);
  return { $def: mine, v: inner() };
}

/** What decodePickle gives for a value: tuples → arrays, safe bigints → numbers, undefined → null, toJSON applied. */
function normal(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  if (typeof v === 'number') return Object.is(v, -0) ? 0 : v;
  if (v instanceof Uint8Array) return Uint8Array.from(v);
  if (isPickleTuple(v)) return v.items.map(normal);
  if (Array.isArray(v)) return v.map(normal);
  if (typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') return normal((v as { toJSON: () => unknown }).toJSON());
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normal(x)]));
  return v;
}

function cases(): [string, unknown][] {
  const sharedList = [1, 'two'];
  const sharedTuple = pickleTuple([3, 'xy']);
  const sharedBytes = Uint8Array.from([1, 2, 3]);
  const sharedDict = { k: [null] };
  let deep: unknown = 'bottom';
  for (let i = 0; i < 200; i++) deep = i % 2 === 0 ? [deep] : { d: deep };
  const handmade: [string, unknown][] = [
    ['celery SUCCESS result', { args: [1, 'two'], kwargs: { k: { n: null } } }],
    ['celery FAILURE result', { exc_type: 'ValueError', exc_message: pickleTuple(['db fail']), exc_module: 'builtins' }],
    ['atoms', [null, true, false, undefined]],
    ['int boundaries', [0, 1, 255, 256, 65535, 65536, -1, -128, -129, -256, -257, 2 ** 31 - 1, -(2 ** 31), 2 ** 31, -(2 ** 31) - 1, 2 ** 32, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]],
    ['bigints', [2n ** 63n, -(2n ** 63n), 2n ** 64n, -(2n ** 64n), 2n ** 2040n - 1n, 2n ** 2048n, -(2n ** 2047n), -(2n ** 2047n) - 1n, 7n]],
    ['huge bigint', -(3n ** 20000n)],
    ['floats', [1.5, -0.5, 0.1, NaN, Infinity, -Infinity, 1e300, 5e-324, -1.7976931348623157e308, 2 ** 53 + 2]],
    ['strings', ['', 'a', 'é', 'ÿ', 'Ā', 'é€😀', 'a\ud800b', '\udc00x', '\ud83d', 'tab\tnl\n', '\u0000']],
    ['string lengths', ['x'.repeat(255), 'é'.repeat(128), 'x'.repeat(256), 'x'.repeat(65535), 'y'.repeat(65536)]],
    ['CPython-shared strings', ['a', 'a', '', '', 'é', 'é', 'ÿ', 'ÿ', 'Ā', 'Ā', 'ab', 'ab']],
    ['bytes', [new Uint8Array(0), Uint8Array.from([7]), Uint8Array.from([0, 255, 128]), new Uint8Array(255).fill(1), new Uint8Array(256).fill(2)]],
    ['CPython-shared bytes', [new Uint8Array(0), new Uint8Array(0), Uint8Array.from([9]), Uint8Array.from([9]), Uint8Array.from([1, 2]), Uint8Array.from([1, 2])]],
    ['large bytes outside frames', ['a', new Uint8Array(70000).fill(0x79), 'b', Buffer.alloc(65536, 1)]],
    ['tuples', [pickleTuple([]), pickleTuple([1]), pickleTuple([1, 2]), pickleTuple([1, 2, 3]), pickleTuple([1, 2, 3, 4]), pickleTuple([pickleTuple([])])]],
    ['empty containers', [[], {}, pickleTuple([]), [[]], { a: {} }]],
    ['shared objects', [sharedList, sharedTuple, sharedBytes, sharedDict, sharedList, sharedTuple, sharedBytes, { again: sharedDict }]],
    ['LONG_BINGET past 255', [...Array.from({ length: 300 }, () => []), sharedList, sharedList]],
    ['1000 items', Array.from({ length: 1000 }, (_, i) => i)],
    ['1001 items', Array.from({ length: 1001 }, (_, i) => i)],
    ['2500 items', Array.from({ length: 2500 }, (_, i) => `s${i}`)],
    ['dict of 1001 keys', Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`key${i}`, i]))],
    ['many frames', Array.from({ length: 40000 }, (_, i) => ({ i, s: `value-${i}` }))],
    ['unicode and odd keys', { 'é€😀': 1, '': 2, __proto__x: 3, '1': 4, 'a\ud800': 5 }],
    ['deep nesting', deep],
    ['Date via toJSON', { at: new Date('2026-01-02T03:04:05.678Z') }],
  ];
  const generated = fc.sample(
    fc.letrec((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom(null, true, false, '', 'a', 'é'),
        fc.integer(),
        fc.double(),
        fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }),
        fc.string({ unit: 'binary', maxLength: 20 }),
        fc.uint8Array({ maxLength: 20 }),
        fc.array(tie('v'), { maxLength: 6 }),
        fc.array(tie('v'), { maxLength: 4 }).map((items) => pickleTuple(items)),
        fc.dictionary(fc.string({ maxLength: 6 }), tie('v'), { maxKeys: 5 }),
      ),
    })).v,
    { numRuns: 20, seed: 1919 },
  );
  return [...handmade, ...generated.map((v, i): [string, unknown] => [`fast-check #${i}`, v])];
}

describe.skipIf(!ok)('pickle codec vs CPython (Debian /usr/bin/python3)', () => {
  const all = cases();
  const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
  const ours = all.map(([, v]) => hex(encodePickle(v)));
  let python: { dumps: string[]; loads: unknown[]; only: Record<string, string> };

  beforeAll(() => {
    const input = JSON.stringify({ build: all.map(([, v]) => toTagged(v, true)), load: ours });
    const run = spawnSync(PYTHON, ['-c', SCRIPT], { input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if (run.status !== 0) throw new Error(`python failed (${String(run.status)}): ${run.stderr}`);
    python = JSON.parse(run.stdout) as typeof python;
  });

  it('covers enough values', () => {
    expect(all.length).toBeGreaterThanOrEqual(40);
  });

  it.each(all.map(([name], i) => [name, i] as const))('%s: q writes the bytes Python writes', (_name, i) => {
    expect(ours[i]).toBe(python.dumps[i]);
  });

  it.each(all.map(([name, v], i) => [name, v, i] as const))('%s: Python reads q\'s bytes back to the value', (_name, v, i) => {
    expect(python.loads[i]).toEqual(toTagged(v, false));
  });

  it.each(all.map(([name, v], i) => [name, v, i] as const))('%s: q reads Python\'s bytes', (_name, v, i) => {
    expect(decodePickle(Uint8Array.from(Buffer.from(python.dumps[i] ?? '', 'hex')))).toEqual(normal(v));
  });

  it('refuses Python objects that are not plain data, with Q_ERR_PICKLE_UNSAFE', () => {
    for (const [name, h] of Object.entries(python.only)) {
      const bytes = Uint8Array.from(Buffer.from(h, 'hex'));
      if (name === 'set at protocol 5') {
        expect(decodePickle(bytes)).toEqual([1, 2]);
        continue;
      }
      expect(() => decodePickle(bytes), name).toThrow(expect.objectContaining({ code: 'Q_ERR_PICKLE_UNSAFE' }));
    }
  });
});
