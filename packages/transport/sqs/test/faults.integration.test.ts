/**
 * Faults: wrong credentials are a final, named error at connect; throttling and 503s are retried by the SDK with
 * backoff (a proxy in front of the emulator refuses the first requests), and the transport still delivers.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConnectionError } from '@q/core';
import { describe, expect, it, onTestFinished } from 'vitest';
import { sqsQueueDriver } from '../src/index.js';
import { uniquePrefix, useEmulator } from './helpers.js';

const env = useEmulator();

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { server, port: (server.address() as AddressInfo).port };
}

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });

const envelope = (body: string): string =>
  JSON.stringify({ body, 'content-encoding': 'utf-8', 'content-type': 'text/plain', headers: {}, properties: { delivery_tag: body, delivery_info: { exchange: '', routing_key: 'q' } } });

describe('faults', () => {
  it('wrong credentials: connect fails at once with a final error naming the endpoint and the AWS code', async () => {
    let requests = 0;
    const { port } = await listen((req, res) => {
      requests += 1;
      void readBody(req).then(() => {
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': 'InvalidClientTokenId;Sender' });
        res.end(JSON.stringify({ __type: 'com.amazon.coral.service#UnrecognizedClientException', message: 'The security token included in the request is invalid.' }));
      });
    });
    const driver = sqsQueueDriver({ url: `sqs://AKIAWRONG:nope@127.0.0.1:${port}`, region: 'eu-west-1' });
    onTestFinished(() => driver.close());
    const error = await driver.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: 'Q_ERR_CONNECTION_FAILED', retryable: false });
    expect((error as Error).message).toContain(`http://127.0.0.1:${port}`);
    expect((error as Error).message).toContain('InvalidClientTokenId');
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect(requests).toBe(1);
  });

  it('an unreachable endpoint is a retryable connection error', async () => {
    const { server, port } = await listen(() => undefined);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const driver = sqsQueueDriver({ url: `sqs://k:s@127.0.0.1:${port}`, region: 'us-east-1', maxAttempts: 1 });
    onTestFinished(() => driver.close());
    const error = await driver.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ code: 'Q_ERR_CONNECTION_LOST', retryable: true });
  });

  it('throttling and 503s are retried with backoff: messages still get through, and the proxy saw the retries', async () => {
    const target = new URL(env.emulator.endpoint);
    const refusals = [
      { status: 400, type: 'com.amazonaws.sqs#RequestThrottled', query: 'RequestThrottled;Sender' },
      { status: 400, type: 'com.amazon.coral.availability#ThrottlingException', query: 'ThrottlingException;Sender' },
      { status: 503, type: 'com.amazon.coral.service#ServiceUnavailableException', query: 'ServiceUnavailable;Receiver' },
    ];
    let refused = 0;
    let forwarded = 0;
    let refuse = 0;
    const { port } = await listen((req, res) => {
      void readBody(req).then((body) => {
        const r = refuse > 0 ? refusals[(refused % refusals.length)] : undefined;
        if (r) {
          refuse -= 1;
          refused += 1;
          res.writeHead(r.status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': r.query });
          res.end(JSON.stringify({ __type: r.type, message: 'Rate exceeded' }));
          return;
        }
        forwarded += 1;
        const out = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (upstream) => {
          res.writeHead(upstream.statusCode ?? 502, upstream.headers);
          upstream.pipe(res);
        });
        out.on('error', () => res.destroy());
        out.end(body);
      });
    });
    const driver = sqsQueueDriver({ url: `sqs://test:test@127.0.0.1:${port}`, region: 'us-east-1', queueNamePrefix: uniquePrefix('throttle'), waitTimeSeconds: 1 });
    onTestFinished(() => driver.close());
    refuse = 3;
    await driver.connect();
    expect(refused).toBe(3);
    refuse = 3;
    await Promise.all(['a', 'b', 'c'].map((b) => driver.put('q', envelope(b), { priority: 0, tag: b })));
    refuse = 3;
    const got: string[] = [];
    while (got.length < 3) {
      for (const lease of await driver.reserve(['q'], { max: 10, waitMs: 1000 })) {
        got.push((JSON.parse(lease.payload) as { body: string }).body);
        await driver.ack(lease);
      }
    }
    expect(got.sort()).toEqual(['a', 'b', 'c']);
    expect(refused).toBe(9);
    expect(forwarded).toBeGreaterThan(3);
  }, 60_000);
});
