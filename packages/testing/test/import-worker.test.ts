import { ConfigError } from '@q/core';
import { describe, expect, it } from 'vitest';
import { importWorker } from '../src/test-worker.js';

describe('importWorker', () => {
  it('says @q/worker is not installed, and how to install it, when it cannot be found', async () => {
    const missing = Object.assign(new Error("Cannot find package '@q/worker' imported from /app/node_modules/@q/testing/dist/index.js"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    const error = await importWorker(() => Promise.reject(missing)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: 'Q_ERR_CONFIG_INVALID', cause: missing });
    expect((error as Error).message).toContain('startTestWorker needs the package @q/worker, which is not installed');
    expect((error as Error).message).toContain('npm install --save-dev @q/worker');
  });

  it('rethrows any other failure to load it as it is', async () => {
    const broken = new SyntaxError('Unexpected token');
    await expect(importWorker(() => Promise.reject(broken))).rejects.toBe(broken);
  });

  it('loads @q/worker when it is installed', async () => {
    expect(typeof (await importWorker()).createWorker).toBe('function');
  });
});
