import type { Logger } from '@q/core';
import { describe, expect, it } from 'vitest';
import { relayLogger } from './relay-logger.js';

/** A logger recording `<name>:<level>:<bindings>:<msg>` lines into `lines`. */
function recorder(name: string, lines: string[], bindings: Record<string, unknown> = {}): Logger {
  const line = (level: string) => (obj: object | string, msg?: string) =>
    void lines.push(`${name}:${level}:${JSON.stringify(bindings)}:${msg ?? String(obj)}`);
  return {
    trace: line('trace'),
    debug: line('debug'),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
    fatal: line('fatal'),
    child: (more) => recorder(name, lines, { ...bindings, ...more }),
  };
}

describe('relayLogger', () => {
  it('sends to the first target, then to the one set later, children included', () => {
    const lines: string[] = [];
    const relay = relayLogger(recorder('early', lines));
    const child = relay.logger.child({ plugin: 'greet' }); // made before the switch, as a plugin's logger is
    relay.logger.info('importing');
    child.warn({ attempt: 1 }, 'retrying');
    relay.setTarget(recorder('command', lines));
    relay.logger.error('failed');
    child.debug('after');
    expect(lines).toEqual([
      'early:info:{}:importing',
      'early:warn:{"plugin":"greet"}:retrying',
      'command:error:{}:failed',
      'command:debug:{"plugin":"greet"}:after',
    ]);
  });
});
