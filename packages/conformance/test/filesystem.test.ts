/** The embedded filesystem adapters of @q/core pass every suite. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { keyValueDriverSuite, queueDriverSuite, resultBackendSuite, transportSuite } from '../src/index.js';
import { filesystemKeyValueDriver, filesystemQueueDriver, keyValueBackend, virtualTransport } from '@q/core';

const root = mkdtempSync(join(tmpdir(), 'q-conformance-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
let dir = '';
const fresh = (): string => (dir = join(root, String(++n)));
const poll = { pollIntervalMs: 10 };

transportSuite('filesystem transport', async () => virtualTransport(filesystemQueueDriver({ dir: fresh(), ...poll }), poll), {
  peer: async () => virtualTransport(filesystemQueueDriver({ dir, ...poll }), poll),
  quietMs: 150,
});

queueDriverSuite(
  'filesystem queue driver',
  async (o) => filesystemQueueDriver({ dir: fresh(), ...poll, ...(o.visibilityTimeoutMs === undefined ? {} : { visibilityTimeoutMs: o.visibilityTimeoutMs }) }),
  { peer: async () => filesystemQueueDriver({ dir, ...poll }), visibilityTimeout: true, waitingReserve: true },
);

keyValueDriverSuite('filesystem key-value driver', async () => filesystemKeyValueDriver({ dir: fresh() }), {
  peer: async () => filesystemKeyValueDriver({ dir }),
});

resultBackendSuite('filesystem result backend', async () => keyValueBackend(filesystemKeyValueDriver({ dir: fresh() })));
