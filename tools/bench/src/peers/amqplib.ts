/**
 * Raw amqplib on RabbitMQ, a reference row: no task framework, just a consumer with prefetch 100 that acks each
 * message and, when asked (no `ignore_result`), sends a SUCCESS reply (`src/bin/amqplib-worker.ts`). It drains
 * what Celery's client sent (the same template and fill as Celery's rows); it has no client of its own, so no
 * enqueue or round trip.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { LIMITS } from '../config.js';
import { start } from '../proc.js';
import { celery } from './celery.js';
import type { Context, Progress, StartedWorker, System, WorkerConfig } from './types.js';

const PREFETCH = 100;

export const amqplib: System = {
  name: 'amqplib',
  title: 'raw amqplib',
  brokers: ['amqp'],
  configs: [
    {
      id: 'amqplib-p100',
      label: `raw amqplib prefetch ${PREFETCH}`,
      settings: `\`channel.prefetch(${PREFETCH})\`, ack on arrival, a SUCCESS reply to \`reply_to\` unless \`ignore_result\` (no task framework)`,
    },
  ],

  async version() {
    // amqplib's `exports` hide its package.json: read it beside the resolved entry point.
    const entry = createRequire(import.meta.url).resolve('amqplib');
    return `amqplib ${(JSON.parse(readFileSync(path.join(path.dirname(entry), 'package.json'), 'utf8')) as { version: string }).version}`;
  },

  preload(ctx: Context, n: number, results: boolean): Promise<void> {
    return celery.preload(ctx, n, results);
  },

  startWorker(ctx: Context, config: WorkerConfig): StartedWorker {
    const bundle = ctx.bundles.get('amqplib-worker');
    if (!bundle) throw new Error(`the amqplib worker did not build: ${ctx.buildErrors.get('amqplib-worker') ?? 'unknown error'}`);
    const child = start(config.label, process.execPath, [bundle, ctx.broker.url, String(PREFETCH)]);
    return { child, ready: child.waitForLine(/^READY$/, LIMITS.workerStartMs) };
  },

  progress(ctx: Context, n: number, results: boolean): Promise<Progress> {
    return ctx.broker.progress(n, results);
  },
};
