#!/usr/bin/env node
/* global process, console, performance, setTimeout, clearTimeout */
// Every public package, packed as it would be published, installs with npm into a plain app outside the
// monorepo and runs there, from ESM and from CJS, with plain `node --enable-source-maps` (no tsx, no `@q/source`
// condition):
//
//   1. `pnpm pack` every public package (pack-packages.mjs: `files` applied, `workspace:` ranges made real)
//   2. a temporary npm app in os.tmpdir() depending on the tarballs; `npm install` (third-party dependencies,
//      and the peer vitest of @q/conformance, come from the npm registry)
//   3. every source map of every installed @q package names sources that exist on disk (each package ships its
//      `src/`, without tests), so stack traces and test failure locations point at real files
//   4. `node --enable-source-maps app.mjs` and `… app.cjs`: @q/core and @q/worker resolve to the app's
//      node_modules (dist/*.js, dist/*.cjs), a worker on `memory://` runs tasks.add (2 + 2 = 4) and a failing
//      task (get() rejects with @q/core's RemoteError, whose traceback names node_modules/@q/*/src/*.ts files
//      that exist), the same through the embedded filesystem broker, @q/core/adapter's virtualTransport and
//      memoryQueueDriver build a transport, and every other package loads (import() / require()) and has its
//      main exports (EXPECTED_EXPORTS)
//   5. `node_modules/.bin/q --version` prints @q/cli's version
//   6. vitest runs @q/conformance's queue-driver suite against a memory driver that serves its queues in reverse
//      order: the suite fails, and its failure names a node_modules/@q/conformance/src/*.ts line that exists
//   7. the route of docs/guide/installing.md: the `tasks.ts` and `client.ts` of docs/getting-started.md in the app
//      (an ES module package, as that page sets up), `npx q -A tasks.ts worker` starts, `npx q … call` prints an id,
//      `npx q … result <id>` prints 4, `npx tsx client.ts` prints 4
//   8. examples/beat-alone in an app of its own with only @q/core, @q/beat and a transport (no @q/worker): its
//      beat sends a periodic task and stops cleanly on SIGTERM (packed-beat-alone.mjs)
//
// One line per check; exits non-zero on any failure; every child is killed after its timeout; the temporary
// folders are removed. No service is needed. Nothing is built here: run `pnpm build` first.
//
//   node tools/ci/packed-app.mjs          (`pnpm pkg:app`)
//   node tools/ci/packed-app.mjs --keep   leaves the app in place and prints its path, to poke at
//
// Documented in docs/contributing/checks.md.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { packPackages, root, runCapture, selectPackages } from './pack-packages.mjs';
import { checkBeatAlone } from './packed-beat-alone.mjs';

const NPM_INSTALL_TIMEOUT_MS = 300_000;
const APP_TIMEOUT_MS = 60_000;
const BIN_TIMEOUT_MS = 30_000;
const VITEST_TIMEOUT_MS = 120_000;
const WORKER_READY_TIMEOUT_MS = 30_000;
const keep = process.argv.includes('--keep');

/**
 * What each public package must export, loaded from the packed app by ESM `import()` and CJS `require()`.
 * A public package missing here fails the check: say what its users reach for first.
 */
const EXPECTED_EXPORTS = {
  '@q/core': ['createApp', 'RemoteError'],
  '@q/worker': ['createWorker'],
  '@q/beat': ['createBeat', 'every', 'crontab', 'solar', 'scheduleFromJSON'],
  '@q/cli': ['createProgram', 'VERSION'],
  '@q/redis-client': ['createRedisClient'],
  '@q/transport-redis': ['qPlugin', 'redisTransport'],
  '@q/transport-amqp': ['qPlugin', 'amqpTransport'],
  '@q/transport-sqs': ['qPlugin', 'sqsTransport'],
  '@q/backend-redis': ['qPlugin', 'redisBackend'],
  '@q/backend-rpc': ['qPlugin', 'rpcBackend'],
  '@q/backend-pg': ['qPlugin', 'pgBackend', 'outbox', 'outboxRelay', 'decodePickle', 'encodePickle'],
  '@q/serializer-msgpack': ['qPlugin', 'msgpackPlugin', 'msgpackSerializer'],
  '@q/serializer-yaml': ['qPlugin', 'yamlPlugin', 'yamlSerializer'],
  '@q/conformance': ['transportSuite', 'resultBackendSuite', 'keyValueDriverSuite'],
  '@q/testing': ['createTestApp', 'startTestWorker', 'waitForState', 'waitForResult', 'waitFor', 'recordingLogger', 'refusingConnections'],
  '@q/events': ['eventsPlugin', 'EventReceiver', 'ClusterState', 'EventDispatcher'],
  '@q/metrics': ['metricsPlugin', 'collectWorkerMetrics'],
  '@q/tracing': ['tracingPlugin', 'withTaskTraceContext'],
  '@q/dashboard': ['createDashboard'],
};

/**
 * Packages that are known not to load in one format (`'<esm|cjs> <name>'`), each with the reason. Their check
 * still runs and prints `known`; it fails once it passes, so the entry is removed when the package is fixed.
 * Add one only with a reason a reviewer can check, and fix the package rather than grow this list.
 */
const KNOWN_FAILURES = {};

/**
 * The checks both app scripts run. It is written into app.mjs and app.cjs as source text
 * (`smoke.toString()`), so it must not use anything from this module: everything it needs comes in `env`,
 * loaded by the script's own module system (see HEADERS).
 */
async function smoke(env) {
  const { format, core, adapter, internal, worker, load, resolve, exists, toPath, appDir, nodeModules, embeddedDir, expectedExports, knownFailures } = env;
  const failures = [];
  const assert = (ok, message) => {
    if (!ok) throw new Error(message);
  };
  /** Runs one check and prints its line; `knownKey` names its entry in KNOWN_FAILURES, if it has one. */
  const check = async (name, fn, knownKey = '') => {
    const known = knownFailures[knownKey];
    try {
      const detail = await fn();
      if (known) {
        failures.push(name);
        console.log(`FAIL ${format}: ${name}: passes now, remove '${knownKey}' from KNOWN_FAILURES`);
        return false;
      }
      console.log(`ok   ${format}: ${name}${detail ? ` (${detail})` : ''}`);
      return true;
    } catch (err) {
      if (known) {
        console.log(`known ${format}: ${name}: ${String(err && err.message).split('\n')[0]} [${known}]`);
        return false;
      }
      failures.push(name);
      console.log(`FAIL ${format}: ${name}: ${err && err.stack ? err.stack : err}`);
      return false;
    }
  };
  const ext = format === 'esm' ? '.js' : '.cjs';

  await check(`@q/core, @q/core/adapter, @q/worker resolve to node_modules/**/dist/*${ext}`, () => {
    for (const name of ['@q/core', '@q/core/adapter', '@q/worker']) {
      const file = resolve(name);
      assert(file.startsWith(nodeModules) && /[\\/]dist[\\/][^\\/]+$/.test(file) && file.endsWith(ext), `${name} resolves to ${file}`);
    }
  });

  /** tasks.add and a failing task, sent and run by a worker on one app. */
  const roundTrip = async (label, options) => {
    const app = core.createApp({ name: 'packed-app', ...options });
    const add = app.task('tasks.add', (x, y) => x + y);
    const fail = app.task('tasks.fail', () => {
      throw new Error('boom');
    });
    const w = worker.createWorker(app, { concurrency: 2 });
    if (!(await check(`${label}: a worker starts`, () => w.start()))) return;
    try {
      await check(`${label}: add.delay(2, 2).get() is 4`, async () => {
        const value = await (await add.delay(2, 2)).get({ timeout: 10 });
        assert(value === 4, `got ${JSON.stringify(value)}`);
      });
      let remote = null;
      await check(`${label}: a failing task's get() rejects with @q/core's RemoteError`, async () => {
        const result = await fail.delay();
        const err = await result.get({ timeout: 10 }).then(
          (value) => assert(false, `resolved with ${JSON.stringify(value)}`),
          (e) => e,
        );
        assert(err instanceof core.RemoteError, `rejected with ${err && err.stack ? err.stack : err}`);
        assert(String(err.message).includes('boom'), `message is ${err.message}`);
        remote = err;
        return err.message;
      });
      if (remote) {
        await check(`${label}: its traceback names q's sources, node_modules/@q/*/src/*.ts, and they exist`, () => {
          assert(process.sourceMapsEnabled, 'run without --enable-source-maps');
          const traceback = String(remote.remoteTraceback);
          const files = [...traceback.matchAll(/File "([^"]+)"/g)].map((m) => toPath(m[1]));
          const ours = files.filter((f) => f.startsWith(nodeModules) && /^@q[\\/][^\\/]+[\\/]src[\\/].+\.ts$/.test(f.slice(nodeModules.length)));
          assert(ours.length > 0, `no node_modules/@q/*/src/*.ts frame in:\n${traceback}`);
          const missing = ours.filter((f) => !exists(f));
          assert(missing.length === 0, `not on disk: ${missing.join(', ')}`);
          return `${ours.length} frames, e.g. ${ours[0].slice(nodeModules.length)}`;
        });
      }
    } finally {
      await check(`${label}: the worker stops`, () => w.stop());
    }
  };
  await roundTrip('memory://', { broker: 'memory://smoke', backend: 'memory://smoke' });
  await roundTrip('embedded filesystem broker', { embeddedDir });

  await check('@q/core/adapter: virtualTransport(memoryQueueDriver()) is a transport', () => {
    const transport = adapter.virtualTransport(adapter.memoryQueueDriver({ namespace: 'adapter-check' }));
    assert(typeof transport.capabilities === 'object' && transport.capabilities !== null, 'no capabilities');
  });

  // A broker URL's scheme names its package (redis:// → @q/transport-redis), loaded from the app's directory: in the
  // app's own module system, so the plugin and the app share one @q/core (a CommonJS app once failed here: the build
  // turned the loader's import() of a file URL into require()).
  await check('redis:// loads @q/transport-redis in the same module system as the app (one @q/core)', async () => {
    const plugin = await internal.importPackagePlugin('@q/transport-redis', appDir);
    const mod = await load('@q/transport-redis');
    assert(plugin === mod.qPlugin, 'the qPlugin loaded for the URL is not the one the app imports (the other half of the dual package)');
  });

  for (const [name, exports] of Object.entries(expectedExports)) {
    await check(`${name} loads and exports ${exports.join(', ')}`, async () => {
      const mod = await load(name);
      const missing = exports.filter((e) => mod[e] === undefined);
      assert(missing.length === 0, `missing ${missing.join(', ')}`);
    }, `${format} ${name}`);
  }

  const known = Object.keys(knownFailures).filter((k) => k.startsWith(`${format} `)).length;
  const summary = failures.length === 0 ? 'all checks passed' : `${failures.length} failed`;
  console.log(`${format}: ${summary}${known ? ` (${known} known failures: KNOWN_FAILURES)` : ''}`);
  process.exitCode = failures.length === 0 ? 0 : 1;
}

/** How each script loads the packages, in its own module system; then it calls smoke(env). */
const HEADERS = {
  'app.mjs': `import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createApp, RemoteError } from '@q/core';
import { memoryQueueDriver, virtualTransport } from '@q/core/adapter';
import { importPackagePlugin } from '@q/core/internal';
import { createWorker } from '@q/worker';

const format = 'esm';
const core = { createApp, RemoteError };
const adapter = { memoryQueueDriver, virtualTransport };
const internal = { importPackagePlugin };
const worker = { createWorker };
const load = (name) => import(name);
const resolve = (name) => fs.realpathSync(fileURLToPath(import.meta.resolve(name)));
const exists = (file) => fs.existsSync(file);
const toPath = (file) => (file.startsWith('file:') ? fileURLToPath(file) : file);
`,
  'app.cjs': `'use strict';
const fs = require('node:fs');
const { fileURLToPath } = require('node:url');
const { createApp, RemoteError } = require('@q/core');
const { memoryQueueDriver, virtualTransport } = require('@q/core/adapter');
const { importPackagePlugin } = require('@q/core/internal');
const { createWorker } = require('@q/worker');

const format = 'cjs';
const core = { createApp, RemoteError };
const adapter = { memoryQueueDriver, virtualTransport };
const internal = { importPackagePlugin };
const worker = { createWorker };
const load = async (name) => require(name);
const resolve = (name) => fs.realpathSync(require.resolve(name));
const exists = (file) => fs.existsSync(file);
const toPath = (file) => (file.startsWith('file:') ? fileURLToPath(file) : file);
`,
};

function appScript(file, appDir) {
  const env = {
    appDir,
    nodeModules: path.join(appDir, 'node_modules') + path.sep,
    embeddedDir: path.join(appDir, `embedded-${file.replace('.', '-')}`),
    expectedExports: EXPECTED_EXPORTS,
    knownFailures: KNOWN_FAILURES,
  };
  return `${HEADERS[file]}
${smoke.toString()}

smoke({ format, core, adapter, internal, worker, load, resolve, exists, toPath, ...${JSON.stringify(env)} }).catch((err) => {
  console.log(\`FAIL \${format}: \${err && err.stack ? err.stack : err}\`);
  process.exitCode = 1;
});
`;
}

/**
 * A conformance test file for the packed app: the queue-driver suite over @q/core's memory driver, wrapped so that
 * `reserve` serves its queues in reverse order. The suite's "serves the queues in the order given" must fail.
 */
const CONFORMANCE_TEST = `import { queueDriverSuite } from '@q/conformance';
import { memoryQueueDriver } from '@q/core/adapter';

let namespace = '';
const reversed = (driver) => new Proxy(driver, {
  get(target, key) {
    if (key === 'reserve') return (queues, options) => target.reserve([...queues].reverse(), options);
    const value = target[key];
    return typeof value === 'function' ? value.bind(target) : value;
  },
});
queueDriverSuite('reversed', async () => reversed(memoryQueueDriver({ namespace: (namespace = \`c-\${Math.random()}\`) })), {
  peer: async () => reversed(memoryQueueDriver({ namespace })),
});
`;

/** The environment of the app's children: this process's, without anything that would change how node resolves. */
function plainEnv() {
  const env = { ...process.env };
  for (const key of ['NODE_OPTIONS', 'NODE_PATH', 'NODE_PRESERVE_SYMLINKS']) delete env[key];
  for (const key of Object.keys(env)) if (/^npm_/i.test(key)) delete env[key];
  return env;
}

/** Prints `ok  text` or `FAIL text` (and the detail under it); returns `ok`. */
function makeLine(failures) {
  return (ok, text, detail = '') => {
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${text}${!ok && detail ? `\n${detail.trimEnd()}` : ''}`);
    if (!ok) failures.push(text);
    return ok;
  };
}

const seconds = (since) => `${((performance.now() - since) / 1000).toFixed(1)} s`;
/** A runCapture status for a line: `exit 1`, `timed out after 60 s`. */
const outcome = (status) => (typeof status === 'number' ? `exit ${status}` : status);

/**
 * Reads every source map (`.map` under `dist/`) of the installed @q packages: each `sources` entry must exist on
 * disk, resolved from the map's folder (the `src/` a package ships), so a stack trace or a test failure in an
 * installed package points at a file one can open. The exceptions are what tsup adds, not q's code: its shims
 * (`tsup/assets/*_shims.js`, text in the map) and, in CJS maps, the built file itself (its build-time path, for the
 * wrapper lines of tsup's CJS step). Also: no `*.test.ts` / `*.test-d.ts` under `src/`.
 * @returns {{ problems: string[], summary: string }}
 */
function checkSourceMaps(scopeDir) {
  const problems = [];
  let mapCount = 0;
  let sourceCount = 0;
  let buildCount = 0;
  const walk = (dir) => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]);
  for (const name of fs.readdirSync(scopeDir)) {
    const pkgDir = path.join(scopeDir, name);
    const dist = path.join(pkgDir, 'dist');
    if (!fs.existsSync(dist)) {
      problems.push(`@q/${name}: no dist/`);
      continue;
    }
    const tests = fs.existsSync(path.join(pkgDir, 'src'))
      ? walk(path.join(pkgDir, 'src')).filter((f) => /\.test(-d)?\.ts$/.test(f))
      : [];
    if (tests.length > 0) problems.push(`@q/${name} ships tests: ${tests.map((f) => path.relative(pkgDir, f)).join(', ')}`);
    for (const map of walk(dist).filter((f) => f.endsWith('.map'))) {
      mapCount++;
      const { sources = [], sourceRoot = '', sourcesContent = [] } = JSON.parse(fs.readFileSync(map, 'utf8'));
      for (const [i, source] of sources.entries()) {
        sourceCount++;
        const file = path.resolve(path.dirname(map), sourceRoot, source);
        const where = `@q/${name}/${path.relative(pkgDir, map)}: ${source}`;
        if (!file.startsWith(pkgDir + path.sep)) {
          // tsup's import.meta / __dirname shims, injected at build time: not q's code, their text is in the map
          if (/[\\/]tsup[\\/]assets[\\/][a-z]+_shims\.js$/.test(file) && typeof sourcesContent[i] === 'string') buildCount++;
          // tsup's CJS step maps its own wrapper lines to the file it rewrote (the built file's path at build
          // time, no text): not q's code either
          else if (path.isAbsolute(source) && path.basename(source) === path.basename(map, '.map') && !sourcesContent[i]) buildCount++;
          else problems.push(`${where} is outside the package`);
        } else if (!fs.existsSync(file)) {
          problems.push(`${where} (${path.relative(pkgDir, file)}) is not in the package`);
        }
      }
    }
  }
  if (mapCount === 0) problems.push('no source maps found');
  return { problems, summary: `${mapCount} maps, ${sourceCount} sources, ${buildCount} of them tsup's own (shims, CJS wrapper)` };
}

/** Pack, install, run; stops at the first step whose failure makes the next ones meaningless. */
async function steps(packages, tempRoot, line) {
  const appDir = path.join(tempRoot, 'app');
  if (!line(!appDir.startsWith(root + path.sep), `the app is outside the monorepo (${appDir})`)) return;
  fs.mkdirSync(path.join(tempRoot, 'tarballs'));
  let since = performance.now();
  const packed = await packPackages(packages, path.join(tempRoot, 'tarballs'));
  for (const { pkg, problem } of packed.filter((p) => !p.file)) line(false, `pnpm pack ${pkg.name}: ${problem}`);
  if (packed.some((p) => !p.file)) return;
  line(true, `pnpm pack: ${packed.length} packages (${seconds(since)})`);

  fs.mkdirSync(appDir);
  const dependencies = Object.fromEntries(packed.map(({ pkg, file }) => [pkg.name, `file:${file}`]));
  // "type": "module" as docs/guide/installing.md sets it (`npm pkg set type=module`); app.cjs stays CommonJS
  const manifest = { name: 'q-packed-app', version: '0.0.0', private: true, type: 'module', dependencies };
  fs.writeFileSync(path.join(appDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  since = performance.now();
  const npmArgs = ['install', '--no-audit', '--no-fund', '--loglevel=error'];
  const install = await runCapture('npm', npmArgs, appDir, NPM_INSTALL_TIMEOUT_MS, plainEnv());
  const installed = install.status === 0;
  if (!line(installed, `npm install (${installed ? seconds(since) : outcome(install.status)})`, install.output)) return;

  const maps = checkSourceMaps(path.join(appDir, 'node_modules', '@q'));
  line(maps.problems.length === 0, `every source map of the installed @q packages names sources that exist, no test files shipped (${maps.summary})`,
    maps.problems.join('\n'));

  for (const file of Object.keys(HEADERS)) {
    fs.writeFileSync(path.join(appDir, file), appScript(file, appDir));
    since = performance.now();
    const run = await runCapture(process.execPath, ['--enable-source-maps', file], appDir, APP_TIMEOUT_MS, plainEnv());
    process.stdout.write(run.output.replace(/^(?=.)/gm, '  '));
    line(run.status === 0, `node ${file} (${run.status === 0 ? seconds(since) : outcome(run.status)})`);
  }

  const version = packed.find(({ pkg }) => pkg.name === '@q/cli')?.pkg.version;
  const bin = await runCapture(path.join(appDir, 'node_modules', '.bin', 'q'), ['--version'], appDir, BIN_TIMEOUT_MS, plainEnv());
  const printed = bin.output.trim();
  const why = bin.status === 0 ? `printed ${printed}` : `${outcome(bin.status)}\n${printed}`;
  line(bin.status === 0 && printed === version, `node_modules/.bin/q --version prints ${version}`, why);

  // vitest (the peer of @q/conformance, installed with it) on a driver that breaks one rule of the suite
  fs.writeFileSync(path.join(appDir, 'conformance.test.mjs'), CONFORMANCE_TEST);
  const vitest = await runCapture(path.join(appDir, 'node_modules', '.bin', 'vitest'),
    ['run', 'conformance.test.mjs', '--reporter=verbose'], appDir, VITEST_TIMEOUT_MS, { ...plainEnv(), CI: 'true', NO_COLOR: '1' });
  vitest.output = stripVTControlCharacters(vitest.output);
  const located = [...vitest.output.matchAll(/node_modules\/@q\/conformance\/src\/[\w/-]+\.ts:\d+/g)].map((m) => m[0]);
  const onDisk = located.filter((l) => fs.existsSync(path.join(appDir, l.replace(/:\d+$/, ''))));
  line(vitest.status === 1 && /serves the queues in the order given/.test(vitest.output) && located.length > 0 && onDisk.length === located.length,
    `a conformance failure names its line in node_modules/@q/conformance/src, which exists (${located[0] ?? 'none named'})`,
    `vitest: ${outcome(vitest.status)}\n${vitest.output.split('\n').slice(-60).join('\n')}`);

  await checkBeatAlone(packed, tempRoot, line, plainEnv());

  const route = await installingRoute(appDir);
  line(route.problem === null, `installing.md's route: npx q -A tasks.ts worker, call, result prints 4; npx tsx client.ts prints 4`,
    `${route.problem}\n${route.output}`);

  // A project without "type": "module" (what `npm init -y` makes): Node loads its .ts files as CommonJS.
  const cjsDir = path.join(appDir, 'cjs-project');
  fs.mkdirSync(cjsDir);
  fs.writeFileSync(path.join(cjsDir, 'package.json'), JSON.stringify({ name: 'cjs-project', private: true }));
  fs.writeFileSync(path.join(cjsDir, 'tasks.ts'), gettingStartedBlock('tasks.ts'));
  const cjsCall = await runCapture('npx', ['q', '-b', 'memory://cjs', '-A', 'tasks.ts', 'call', 'tasks.add', '--args', '[2, 2]'], cjsDir, BIN_TIMEOUT_MS, plainEnv());
  const cjsLast = cjsCall.output.trim().split('\n').pop() ?? '';
  line(cjsCall.status === 0 && /^[0-9a-f-]{36}$/.test(cjsLast),
    'npx q -A tasks.ts call, in a package without "type": "module" (its .ts files load as CommonJS): prints the task id',
    `${outcome(cjsCall.status)}\n${cjsCall.output}`);
}

/** The fenced block after `<!-- getting-started: name -->` in docs/getting-started.md (what a reader copies). */
function gettingStartedBlock(name) {
  const page = fs.readFileSync(path.join(root, 'docs', 'getting-started.md'), 'utf8');
  const marker = `<!-- getting-started: ${name} -->`;
  const fence = page.includes(marker) ? /^```\w*\n([\s\S]*?)^```$/m.exec(page.slice(page.indexOf(marker))) : null;
  if (!fence) throw new Error(`docs/getting-started.md has no block marked ${marker}`);
  return fence[1];
}

/**
 * docs/guide/installing.md's commands in the packed app: a worker from `npx q` on the page's tasks.ts (embedded
 * broker under the app's .q/), a call and its result, and client.ts through `npx tsx`. The worker runs in a
 * process group of its own and is killed (SIGTERM, then SIGKILL) whatever happens.
 * @returns {Promise<{ problem: string | null, output: string }>}
 */
async function installingRoute(appDir) {
  let output = '';
  const npx = (args) => runCapture('npx', args, appDir, BIN_TIMEOUT_MS, plainEnv()).then((r) => {
    output += `$ npx ${args.join(' ')}\n${r.output}`;
    return { ...r, last: r.output.trim().split('\n').pop() ?? '' };
  });
  try {
    fs.writeFileSync(path.join(appDir, 'tasks.ts'), gettingStartedBlock('tasks.ts'));
    fs.writeFileSync(path.join(appDir, 'client.ts'), gettingStartedBlock('client.ts'));
  } catch (err) {
    return { problem: String(err.message), output };
  }
  const worker = spawn('npx', ['q', '-A', 'tasks.ts', 'worker'], { cwd: appDir, env: plainEnv(), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let log = '';
  worker.stdout.on('data', (chunk) => (log += chunk));
  worker.stderr.on('data', (chunk) => (log += chunk));
  const exited = new Promise((resolve) => worker.on('close', resolve));
  const group = (signal) => {
    try {
      process.kill(-worker.pid, signal);
    } catch {
      // gone already
    }
  };
  try {
    const deadline = performance.now() + WORKER_READY_TIMEOUT_MS;
    while (!/\bready\./.test(log)) {
      if (worker.exitCode !== null || worker.signalCode !== null) return { problem: 'the worker exited before it was ready', output: log };
      if (performance.now() > deadline) return { problem: `the worker was not ready after ${WORKER_READY_TIMEOUT_MS / 1000} s`, output: log };
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const call = await npx(['q', '-A', 'tasks.ts', 'call', 'tasks.add', '--args', '[2, 2]']);
    if (call.status !== 0 || !/^[0-9a-f-]{36}$/.test(call.last)) return { problem: `call: ${outcome(call.status)}, printed ${call.last}`, output };
    const result = await npx(['q', '-A', 'tasks.ts', 'result', call.last]);
    if (result.status !== 0 || result.last !== '4') return { problem: `result: ${outcome(result.status)}, printed ${result.last}`, output };
    const client = await npx(['tsx', 'client.ts']);
    if (client.status !== 0 || client.last !== '4') return { problem: `tsx client.ts: ${outcome(client.status)}, printed ${client.last}`, output };
    return { problem: null, output };
  } finally {
    group('SIGTERM');
    const timer = setTimeout(() => group('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    group('SIGKILL');
  }
}

async function main() {
  const started = performance.now();
  const failures = [];
  const line = makeLine(failures);
  const packages = selectPackages();
  const unknown = packages.map(({ pkg }) => pkg.name).filter((name) => !(name in EXPECTED_EXPORTS));
  const gone = Object.keys(EXPECTED_EXPORTS).filter((name) => !packages.some(({ pkg }) => pkg.name === name));
  line(unknown.length === 0, `every public package is in EXPECTED_EXPORTS${unknown.length ? `: add ${unknown.join(', ')}` : ''}`);
  line(gone.length === 0, `every package in EXPECTED_EXPORTS is public${gone.length ? `: remove ${gone.join(', ')}` : ''}`);
  const stale = Object.keys(KNOWN_FAILURES).filter((key) => !/^(esm|cjs) /.test(key) || !(key.slice(4) in EXPECTED_EXPORTS));
  line(stale.length === 0, `every KNOWN_FAILURES entry names a format and a checked package${stale.length ? `: ${stale.join(', ')}` : ''}`);

  const tempRoot = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'q-pkg-app-')));
  try {
    await steps(packages, tempRoot, line);
  } finally {
    if (keep) console.log(`kept ${tempRoot}`);
    else fs.rmSync(tempRoot, { recursive: true, force: true });
  }

  if (failures.length > 0) {
    console.log(`\npkg:app failed (${failures.length}):\n${failures.map((f) => `  - ${f}`).join('\n')}`);
    process.exitCode = 1;
  } else {
    const known = Object.keys(KNOWN_FAILURES);
    const except = known.length > 0 ? `, except the ${known.length} KNOWN_FAILURES: ${known.join(', ')}` : '';
    console.log(`\npkg:app: every public package, packed, installs with npm and runs from ESM and CJS${except} (${seconds(started)})`);
  }
}

await main();
