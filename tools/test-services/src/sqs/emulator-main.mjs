#!/usr/bin/env node
/**
 * The SQS emulator process for tests, the bench and Python interop: fauxqs (AWS JSON protocol, what
 * `@aws-sdk/client-sqs` v3 speaks) plus the Query-protocol gateway (what boto3 1.26 and kombu's pycurl connection
 * speak), in one fastify instance on 127.0.0.1.
 *
 *   node emulator-main.mjs [--port N] [--ignore-stdin]
 *
 * `--port 0` (the default) takes any free port. Prints exactly one line `SQS_EMULATOR_LISTENING <port>` on stdout when
 * it listens. Exits on SIGTERM/SIGINT and when its stdin closes (so it never outlives a parent that spawned it with a
 * piped stdin), unless `--ignore-stdin`.
 *
 * Queue URLs are `http://<Host header of the creating request>/000000000000/<name>`, e.g.
 * `http://127.0.0.1:<port>/000000000000/<name>`: no `*.localhost` name to resolve (glibc, hence Python's urllib3,
 * does not), and fauxqs's exact-match lookup is widened to the queue's name, so any host in a queue URL works.
 * Queues are keyed by name: use one region per emulator.
 */
import process from 'node:process';
import { setTimeout } from 'node:timers';
import { URL } from 'node:url';
import { buildApp } from 'fauxqs';
import { installQueryGateway } from './query-gateway.mjs';

function parseArgs(argv) {
  const options = { port: 0, watchStdin: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--port') {
      const port = Number(argv[++i]);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port wants 0..65535, not ${argv[i]}`);
      options.port = port;
    } else if (arg === '--ignore-stdin') {
      options.watchStdin = false;
    } else {
      throw new Error(`unknown argument ${arg} (usage: emulator-main.mjs [--port N] [--ignore-stdin])`);
    }
  }
  return options;
}

/** fauxqs's stores, made here so that the gateway can look queues up (fauxqs does not export them). */
async function makeStores() {
  const dist = import.meta.resolve('fauxqs');
  const [{ SqsStore }, { SnsStore }, { S3Store }] = await Promise.all([
    import(new URL('./sqs/sqsStore.js', dist).href),
    import(new URL('./sns/snsStore.js', dist).href),
    import(new URL('./s3/s3Store.js', dist).href),
  ]);
  const sqsStore = new SqsStore();
  // No `sqs.<region>.localhost` host: queue URLs take the creating request's Host header.
  sqsStore.host = '';
  return { sqsStore, snsStore: new SnsStore(), s3Store: new S3Store() };
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const stores = await makeStores();
  const app = buildApp({ logger: false, stores });
  installQueryGateway(app, stores.sqsStore);

  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    const force = setTimeout(() => process.exit(0), 2000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  if (options.watchStdin) {
    process.stdin.on('end', shutdown);
    process.stdin.on('close', shutdown);
    process.stdin.on('error', shutdown);
    process.stdin.resume();
  }

  await app.listen({ host: '127.0.0.1', port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  process.stdout.write(`SQS_EMULATOR_LISTENING ${port}\n`);
}

main().catch((err) => {
  process.stderr.write(`sqs emulator: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
