/**
 * A real `q beat` and `q worker -B` on the embedded broker (test/fixtures/beat-app.ts, an entry every second):
 * `q beat` prints its banner, sends the entry (a worker in this process runs what it sent), and SIGTERM stops it
 * with exit 0 and the state file written; `q worker -B` runs the entries' tasks itself and stops the same way.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '@q/core';
import type { App } from '@q/core';
import { createWorker } from '@q/worker';
import type { Worker } from '@q/worker';
import { waitFor } from '@q/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startQ, stopAllQ } from './q-process.js';

const ENTRY = 'record-every-second';
let dir: string;
let runs = 0;
const closers: (() => Promise<void>)[] = [];

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'q-cli-beat-'));
});
afterEach(async () => {
  stopAllQ();
  for (const close of closers.splice(0).reverse()) await close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A fresh embedded folder, a state file and a record file; `start` runs `q <command…>` on them. */
function setup() {
  const run = path.join(dir, `run-${++runs}`);
  const embedded = path.join(run, 'embedded');
  const state = path.join(run, 'state.json');
  const record = path.join(run, 'record.jsonl');
  const start = (command: string[]) =>
    startQ(['-A', 'test/fixtures/beat-app.ts', '--embedded-dir', embedded, '-l', 'info', ...command], { BEAT_RECORD: record });
  return { embedded, state, record, start };
}

/** The JSON lines `beat.record` appended. */
const recorded = (file: string): unknown[] =>
  existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown) : [];

/** The entry's stored state in a file store. */
function storedRuns(state: string): number | undefined {
  const stored = JSON.parse(readFileSync(state, 'utf8')) as { entries?: Record<string, { totalRunCount?: number; lastRunAt?: string | null }> };
  const entry = stored.entries?.[ENTRY];
  expect(entry?.lastRunAt).toEqual(expect.any(String));
  return entry?.totalRunCount;
}

/** A worker in this process on the embedded folder, running `beat.record` into `record` as the fixture does. */
async function inProcessWorker(embedded: string): Promise<{ app: App; worker: Worker; seen: unknown[][] }> {
  const app = createApp({ name: 'beat-app', embeddedDir: embedded });
  const seen: unknown[][] = [];
  app.task('beat.record', (label: string, n: number) => {
    seen.push([label, n]);
    return label;
  });
  const worker = createWorker(app, { concurrency: 1, mingle: false, gossip: false, heartbeat: false });
  await worker.start();
  closers.push(async () => {
    await worker.stop({ graceful: false });
    await app.close();
  });
  return { app, worker, seen };
}

describe('q beat', () => {
  it('prints its banner, sends the due entry with its args and kwargs, and SIGTERM stops it: exit 0, state saved', async () => {
    const { embedded, state, start } = setup();
    const beat = start(['beat', '-s', state, '--max-interval', '1']);
    await beat.waitFor(/q beat .* is starting\./, 30_000);
    await beat.waitFor(new RegExp(`${ENTRY}: beat\\.record`));
    expect(beat.output()).toMatch(new RegExp(`store:\\s+.*${path.basename(state)}`));
    const { seen } = await inProcessWorker(embedded);
    await waitFor(() => seen.length, (n) => n >= 2, { timeoutMs: 20_000, what: 'two runs of the entry' });
    expect(seen[0]).toEqual(['tick', 1]);
    beat.signal('SIGTERM');
    expect(await beat.exited()).toBe(0);
    expect(beat.output()).toMatch(/beat: shutting down/);
    expect(storedRuns(state)).toBeGreaterThanOrEqual(2);
  });

  it('SIGINT stops it the same way', async () => {
    const { state, start } = setup();
    const beat = start(['beat', '-s', state]);
    await beat.waitFor(/q beat .* is starting\./, 30_000);
    beat.signal('SIGINT');
    expect(await beat.exited()).toBe(0);
    expect(existsSync(state)).toBe(true);
  });

  it('refuses -s with --store (exit 2)', async () => {
    const { state, start } = setup();
    const beat = start(['beat', '-s', state, '--store', path.join(dir, 'other.json')]);
    expect(await beat.exited()).toBe(2);
    expect(beat.output()).toMatch(/-s\/--schedule and --store/);
  });
});

describe('q worker -B', () => {
  it('runs the entries in the worker process; SIGTERM stops the scheduler and the worker: exit 0, state saved', async () => {
    const { state, record, start } = setup();
    const worker = start(['worker', '-B', '-s', state, '--beat-max-interval', '1', '--without-mingle', '--without-gossip']);
    await worker.waitFor(/ready\./, 30_000);
    await waitFor(() => recorded(record).length, (n) => n >= 2, { timeoutMs: 20_000, what: 'two runs of the entry by the worker' });
    expect(recorded(record)[0]).toEqual(['tick', 1]);
    worker.signal('SIGTERM');
    expect(await worker.exited()).toBe(0);
    expect(storedRuns(state)).toBeGreaterThanOrEqual(2);
  });

  it('refuses the scheduler options without -B (exit 2)', async () => {
    const { state, start } = setup();
    const worker = start(['worker', '-s', state]);
    expect(await worker.exited()).toBe(2);
    expect(worker.output()).toMatch(/need -B\/--beat/);
  });
});
