import { describe, expect, it } from 'vitest';
import { silentLogger } from '@q/core';
import type { Logger } from '@q/core';
import { logEnabled } from './log-level.js';

const plain: Logger = { ...silentLogger, child: () => plain };

describe('logEnabled', () => {
  it('is false for the silent logger and true for a logger that cannot tell', () => {
    expect(logEnabled(silentLogger, 'error')).toBe(false);
    expect(logEnabled(plain, 'debug')).toBe(true);
  });

  it("asks a pino-shaped logger's isLevelEnabled, with the logger as `this`", () => {
    const pinoLike = {
      ...plain,
      level: 'warn',
      isLevelEnabled(this: { level: string }, level: string): boolean {
        return ['warn', 'error', 'fatal'].indexOf(level) >= ['warn', 'error', 'fatal'].indexOf(this.level);
      },
    };
    expect(logEnabled(pinoLike, 'info')).toBe(false);
    expect(logEnabled(pinoLike, 'error')).toBe(true);
  });
});
