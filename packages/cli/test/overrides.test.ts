import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { resolveOverrides } from '../src/context.js';
import { createApp } from '@q/core';
import { CLI_OVERRIDES_KEY, clearCliOverrides, getCliOverrides, setCliOverrides } from '@q/core/internal';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'q-cli-ovr-'));
afterEach(() => clearCliOverrides());
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('CLI overrides', () => {
  it('are stored on globalThis under Symbol.for("q.cli.overrides"), without undefined keys', () => {
    setCliOverrides({ broker: 'redis://h', embeddedDir: undefined as never });
    expect((globalThis as Record<symbol, unknown>)[Symbol.for('q.cli.overrides')]).toEqual({ broker: 'redis://h' });
    expect(CLI_OVERRIDES_KEY).toBe(Symbol.for('q.cli.overrides'));
    clearCliOverrides();
    expect(getCliOverrides()).toBeUndefined();
  });

  it('take flags over environment variables, ignoring empty ones', () => {
    const env = { Q_BROKER_URL: 'redis://env', Q_RESULT_BACKEND: '', Q_EMBEDDED_DIR: 'rel/dir' };
    expect(resolveOverrides({ broker: 'redis://flag' }, env, '/base')).toEqual({
      broker: 'redis://flag',
      embeddedDir: path.resolve('/base', 'rel/dir'),
    });
    expect(resolveOverrides({}, env, '/base').broker).toBe('redis://env');
    expect(resolveOverrides({ resultBackend: 'redis://r' }, {}, '/base')).toEqual({ backend: 'redis://r' });
  });
});

// Needs the hook in @q/core's createApp: it must honour the CLI overrides over the options written in code.
describe('createApp honours the CLI overrides', () => {
  it('uses the overridden embedded directory', () => {
    const dir = path.join(tmp, 'embedded');
    setCliOverrides({ embeddedDir: dir });
    const app = createApp({ name: 'overridden', embeddedDir: path.join(dir, 'not-this-one') });
    expect(app.conf.embeddedDir).toBe(dir);
  });

  it('uses the overridden broker and backend URLs', async () => {
    setCliOverrides({ broker: 'memory://', backend: 'memory://' });
    const app = createApp({ name: 'overridden', embeddedDir: path.join(tmp, 'code') });
    try {
      expect((await app.getTransport()).describe()).toMatch(/^memory:/);
      expect((await app.getBackend())?.describe()).toMatch(/^memory:/);
    } finally {
      await app.close();
    }
  });
});
