import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApp } from '../app/app.js';
import type { AppOptions } from '../config/options.js';
import { decodeEnvelope } from '../protocol/envelope.js';
import { decodeTaskMessage } from '../protocol/decode-task.js';
import { memoryQueueDriver } from '../transport/memory-queue-driver.js';

const fixture = (name: string): string => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');
const security = { key: fixture('alice.key'), certificate: fixture('alice.pem'), certStore: [fixture('alice.pem'), fixture('bob.pem')] };

async function published(ns: string) {
  const [lease] = await memoryQueueDriver({ namespace: ns }).reserve(['celery'], { max: 1, waitMs: 0 });
  return decodeEnvelope(lease?.payload ?? '').message;
}

describe('app.setupSecurity()', () => {
  it('signs every task message and accepts only signed ones', async () => {
    const ns = `sec-${randomUUID()}`;
    const app = createApp({ broker: `memory://${ns}`, backend: null, security });
    // defined before setupSecurity, naming no serializer: signed all the same
    const add = app.task('add', (x: number, y: number) => x + y);
    expect(app.conf.accept).toEqual(['json']);
    app.setupSecurity();
    expect(app.conf.accept).toEqual(['auth']);
    expect(app.conf.task.serializer).toBe('auth');
    await add.delay(2, 3);
    const message = await published(ns);
    expect(message.contentType).toBe('application/data');
    const decoded = await decodeTaskMessage(message, { registry: app.serializers, accept: app.conf.accept });
    expect([decoded.name, decoded.args]).toEqual(['add', [2, 3]]);
    // a built-in task (registered when the app was made) and a task known by name only are signed too
    await app.sendTask('celery.accumulate', [1]);
    expect((await published(ns)).contentType).toBe('application/data');
    await app.signature('elsewhere', [1]).applyAsync();
    expect((await published(ns)).contentType).toBe('application/data');
    await app.close();
  });

  it('keeps the serializer a task names itself; the worker side refuses its unsigned message', async () => {
    const ns = `sec-${randomUUID()}`;
    const app = createApp({ broker: `memory://${ns}`, backend: null, security });
    const plain = app.task({ name: 'plain', serializer: 'json' }, () => 1);
    app.setupSecurity();
    await plain.delay();
    const message = await published(ns);
    expect(message.contentType).toBe('application/json');
    await expect(decodeTaskMessage(message, { registry: app.serializers, accept: app.conf.accept })).rejects.toMatchObject({ code: 'Q_ERR_CONTENT_TYPE_NOT_ACCEPTED' });
    await app.close();
  });

  it('takes its arguments over the settings, and says which setting is missing', () => {
    const app = createApp({ broker: 'memory://x', backend: null, security: { certStore: security.certStore } });
    expect(() => app.setupSecurity()).toThrow(/setupSecurity: security.key, security.certificate must be set/);
    expect(app.conf.accept).toEqual(['json']);
    app.setupSecurity({ key: security.key, certificate: security.certificate, digest: 'sha512' });
    expect(app.conf.security.digest).toBe('sha512');
    expect(() => createApp({ security: { serializer: 'auth', ...security } }).setupSecurity()).toThrow(/cannot be "auth" itself/);
  });

  it('validates the settings: PEM text, a hint for a file name, the key never echoed', () => {
    const options = (s: NonNullable<AppOptions['security']>): AppOptions => ({ broker: 'memory://x', backend: null, security: s });
    expect(() => createApp(options({ key: '/etc/ssl/private/worker.key' }))).toThrow(
      "security.key: expected PEM text with a PRIVATE KEY (read the file: readFileSync(path, 'utf8')) or null (got a string without one)",
    );
    expect(() => createApp(options({ certStore: ['/etc/ssl/certs/*.pem'] }))).toThrow(/security.certStore\[0\]: expected PEM text with a CERTIFICATE/);
    const broken = security.key.replace(/^(-----BEGIN [A-Z ]*-----\n)[A-Za-z0-9+/]{8}/, '$1AAAAAAAA');
    let message = '';
    try {
      createApp(options({ ...security, key: broken })).setupSecurity();
    } catch (err) {
      message = String(err);
    }
    expect(message).toMatch(/security.key: not a PEM private key/);
    expect(message).not.toContain(broken.split('\n')[1]?.slice(8, 30));
  });

  it('maps Celery\'s security_* setting names', () => {
    expect(() => createApp({ security_key: 'x' } as AppOptions)).toThrow(/security.key/);
  });
});
