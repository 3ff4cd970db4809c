import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { SerializationError, chain } from '@q/core';
import { createTestApp, startTestWorker, waitFor } from '@q/testing';
import { describe, expect, it } from 'vitest';
import { qPlugin, yamlPlugin, yamlSerializer } from '../src/index.js';

const PYTHON = '/usr/bin/python3';
const text = (b: Uint8Array): string => new TextDecoder().decode(b);
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

/**
 * What kombu's yaml serializer (PyYAML 6 `safe_dump`) writes for
 * `[[2, 3], {'x': 'é', 'b': b'\x00\x01', 'd': datetime(2026, 1, 2, 3, 4, 5, 123000), 'yes': 'yes', 'n': None,
 * 'big': 2**70, 'f': 1.5}, {'callbacks': None}]`.
 */
const FROM_PYTHON =
  "- - 2\n  - 3\n- b: !!binary |\n    AAE=\n  big: 1180591620717411303424\n  d: 2026-01-02 03:04:05.123000\n  f: 1.5\n  n: null\n  x: \"\\xE9\"\n  'yes': 'yes'\n- callbacks: null\n";

function caught(fn: () => unknown): SerializationError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SerializationError);
    return error as SerializationError;
  }
  throw new Error('expected a SerializationError');
}

describe('yamlSerializer', () => {
  it("declares kombu's name, content type and encoding", () => {
    expect([yamlSerializer.name, yamlSerializer.contentType, yamlSerializer.contentEncoding]).toEqual(['yaml', 'application/x-yaml', 'utf-8']);
  });

  it('reads what PyYAML safe_dump writes: bytes, datetimes, big integers, quoted YAML 1.1 words', () => {
    expect(yamlSerializer.decode(bytes(FROM_PYTHON))).toEqual([
      [2, 3],
      {
        b: new Uint8Array([0, 1]),
        big: 2n ** 70n,
        d: new Date('2026-01-02T03:04:05.123Z'),
        f: 1.5,
        n: null,
        x: 'é',
        yes: 'yes',
      },
      { callbacks: null },
    ]);
    // YAML 1.1 as PyYAML reads it: unquoted yes/off are booleans, the one-letter y/n strings.
    expect(yamlSerializer.decode(bytes('[yes, off, "on", 0x1f, n, y]'))).toEqual([true, false, 'on', 31, 'n', 'y']);
  });

  it('round-trips values, quoting strings YAML 1.1 would read as something else', () => {
    const value = [
      ['yes', 'no', 'on', 'null', '1e3', '0o7', '', 'é'],
      { date: new Date('2026-01-01T00:00:00.000Z'), blob: new Uint8Array([1, 2, 255]), big: 2n ** 64n, f: -0.5, none: null },
    ];
    const encoded = text(yamlSerializer.encode(value));
    expect(encoded).toContain('2026-01-01T00:00:00.000Z');
    expect(encoded).toContain('!!binary');
    expect(yamlSerializer.decode(bytes(encoded))).toEqual(value);
    expect(yamlSerializer.decode(yamlSerializer.encode({ a: 1, b: undefined }))).toEqual({ a: 1 });
  });

  it.runIf(existsSync(PYTHON))("writes what Python's PyYAML safe_load reads as the same values", () => {
    const tricky = ['a\tb', `${'word  '.repeat(30)}end`, 'line1\nline2\n', '  lead', '#x', 'a: b', '- x', '\u2028\u0085\u2029', '\u0000\u007f\u009f\ufffe', '😀'];
    const encoded = yamlSerializer.encode([
      tricky,
      Object.fromEntries(tricky.map((t, i) => [t, i])),
      ['yes', 'on', 'null', '1e3', 'é'],
      { date: new Date('2026-01-02T03:04:05.123Z'), blob: new Uint8Array([1, 2, 255]), big: 2n ** 64n, f: -0.5, t: true },
    ]);
    const py = spawnSync(
      PYTHON,
      [
        '-c',
        'import json, sys, yaml\nv = yaml.safe_load(sys.stdin.buffer.read().decode("utf-8"))\n' +
          'print(json.dumps(v[0]))\nprint(json.dumps(v[1]))\nprint(repr(v[2:]))',
      ],
      { input: encoded, encoding: 'utf8', timeout: 10_000 },
    );
    expect(py.stderr).toBe('');
    const [trickyLine, keysLine, rest] = py.stdout.trim().split('\n');
    expect(JSON.parse(trickyLine ?? '')).toEqual(tricky);
    expect(JSON.parse(keysLine ?? '')).toEqual(Object.fromEntries(tricky.map((t, i) => [t, i])));
    expect(rest).toBe(
      "[['yes', 'on', 'null', '1e3', 'é'], {'date': datetime.datetime(2026, 1, 2, 3, 4, 5, 123000, tzinfo=datetime.timezone.utc), " +
        "'blob': b'\\x01\\x02\\xff', 'big': 18446744073709551616, 'f': -0.5, 't': True}]",
    );
  });

  it('refuses !!python/* and other non-standard tags with a typed error, building nothing', () => {
    let called = false;
    (globalThis as Record<string, unknown>).qYamlProbe = () => {
      called = true;
    };
    for (const doc of [
      '!!python/object/apply:os.system ["touch /tmp/q-yaml-pwned"]',
      '- !!python/object:__main__.Evil {a: 1}',
      'x: !!python/name:os.system',
      'f: !!js/function "function () { globalThis.qYamlProbe() }"',
      'a: !custom 1',
    ]) {
      const error = caught(() => yamlSerializer.decode(bytes(doc)));
      expect(error.code).toBe('Q_ERR_DESERIALIZE_FAILED');
      expect(error.message).toMatch(/yaml: refused \(safe loading: standard tags only\): Unresolved tag/);
    }
    expect(called).toBe(false);
    expect(existsSync('/tmp/q-yaml-pwned')).toBe(false);
  });

  it('refuses syntax errors, several documents, invalid UTF-8 and alias bombs', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', ...'bcdefghij'.split('').map((k, i) => `${k}: &${k} [${Array(10).fill(`*${'abcdefghij'[i]}`).join(', ')}]`)].join('\n');
    for (const bad of [bytes('a: [1, 2'), bytes('a: 1\n---\nb: 2\n'), new Uint8Array([0xff, 0xfe]), bytes(bomb)]) {
      expect(caught(() => yamlSerializer.decode(bad)).code).toBe('Q_ERR_DESERIALIZE_FAILED');
    }
  });
});

describe('yamlPlugin', () => {
  it('registers the serializer: an app sends yaml by name and its worker runs the task', async () => {
    expect(qPlugin).toBe(yamlPlugin);
    const app = createTestApp({ plugins: [yamlPlugin], task: { serializer: 'yaml' }, accept: ['yaml'] });
    const seen: unknown[] = [];
    const echo = app.task('echo', (when: Date, flag: string) => {
      seen.push([when instanceof Date ? when.toISOString() : when, flag]);
      return flag;
    });
    const worker = await startTestWorker(app);
    try {
      const result = await echo.applyAsync([new Date('2026-03-04T05:06:07.000Z'), 'yes']);
      expect(await result.get({ timeout: 5 })).toBe('yes');
      expect(seen).toEqual([['2026-03-04T05:06:07.000Z', 'yes']]);
    } finally {
      await worker.stop();
      await app.close();
    }
  });

  it('carries canvas in the embed: a chain and a link callback run', async () => {
    const app = createTestApp({ plugins: [yamlPlugin], task: { serializer: 'yaml' }, accept: ['yaml'] });
    const linked: unknown[] = [];
    const add = app.task('add', (a: number, b: number) => a + b);
    const record = app.task('record', (v: number) => {
      linked.push(v);
      return v;
    });
    const worker = await startTestWorker(app);
    try {
      expect(await (await chain(add.s(1, 1), add.s(10)).applyAsync()).get({ timeout: 5 })).toBe(12);
      expect(await (await add.applyAsync([1, 2], {}, { link: record.s() })).get({ timeout: 5 })).toBe(3);
      await waitFor(() => linked.length, (n) => n === 1, { timeoutMs: 5000, what: 'the link callback' });
      expect(linked).toEqual([3]);
    } finally {
      await worker.stop();
      await app.close();
    }
  });
});
