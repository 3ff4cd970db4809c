/* global process, setTimeout, clearTimeout */
// The "beat alone" check of pkg:app (packed-app.mjs calls it with the packed tarballs): examples/beat-alone, in a
// plain npm app of its own, with ONLY the packages its package.json names (@q/core, @q/beat, a transport, and the @q
// packages those depend on; tsx to run beat.ts), installed from the tarballs:
//
//   - no @q/worker (nor @q/cli) is installed;
//   - `tsx beat.ts` on the embedded filesystem broker (BROKER_URL=filesystem:///…, so no service is needed) starts
//     and sends its periodic tasks.add: a message naming it appears in the broker's queue folder;
//   - SIGTERM stops it with exit 0, and the state file (BEAT_STORE) holds the entry's run.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { root, runCapture } from './pack-packages.mjs';

const EXAMPLE_DIR = path.join(root, 'examples', 'beat-alone');
const NPM_INSTALL_TIMEOUT_MS = 300_000;
/** The example's first entry runs every 10 s; the first run comes one interval after the start. */
const SENT_TIMEOUT_MS = 45_000;
const STOP_TIMEOUT_MS = 15_000;
const ENTRY = 'add-every-10s';

/** The @q packages `names` need, themselves included: their dependencies and peers, recursively. */
function withDependencies(names, packed) {
  const byName = new Map(packed.map((p) => [p.pkg.name, p]));
  const out = new Set();
  const visit = (name) => {
    if (out.has(name) || !byName.has(name)) return;
    out.add(name);
    const { pkg } = byName.get(name);
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies })) visit(dep);
  };
  names.forEach(visit);
  return [...out].sort();
}

/** Resolves once `check()` is true; false on timeout or when `gone()` says the process exited. */
async function until(check, timeoutMs, gone) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (gone() || Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return true;
}

/** The task names of the messages waiting in a filesystem broker's queue folder. */
function queuedTasks(brokerDir, queue) {
  const dir = path.join(brokerDir, 'queues', queue);
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).flatMap((file) => {
    try {
      const message = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
      return [message?.headers?.task];
    } catch {
      return []; // a temporary file being renamed
    }
  });
}

/**
 * Runs the check in `tempRoot/beat-alone`; reports each step through `line(ok, text, detail)`.
 * @param {{ pkg: Record<string, any>, file: string }[]} packed the packed public packages
 * @param {string} tempRoot
 * @param {(ok: boolean, text: string, detail?: string) => boolean} line
 * @param {NodeJS.ProcessEnv} env the children's environment
 */
export async function checkBeatAlone(packed, tempRoot, line, env) {
  const appDir = path.join(tempRoot, 'beat-alone');
  fs.mkdirSync(appDir);
  const example = JSON.parse(fs.readFileSync(path.join(EXAMPLE_DIR, 'package.json'), 'utf8'));
  const wanted = withDependencies(Object.keys(example.dependencies).filter((n) => n.startsWith('@q/')), packed);
  const tarball = (name) => `file:${packed.find((p) => p.pkg.name === name).file}`;
  const dependencies = Object.fromEntries(wanted.map((name) => [name, tarball(name)]));
  const manifest = { name: 'q-beat-alone', version: '0.0.0', private: true, type: 'module', dependencies, devDependencies: example.devDependencies };
  fs.writeFileSync(path.join(appDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  fs.copyFileSync(path.join(EXAMPLE_DIR, 'beat.ts'), path.join(appDir, 'beat.ts'));

  const install = await runCapture('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], appDir, NPM_INSTALL_TIMEOUT_MS, env);
  if (!line(install.status === 0, `beat alone: npm install of ${wanted.join(', ')} and tsx`, install.output)) return;

  const installed = fs.readdirSync(path.join(appDir, 'node_modules', '@q')).map((n) => `@q/${n}`).sort();
  line(!installed.includes('@q/worker') && !installed.includes('@q/cli') && installed.join() === wanted.join(),
    `beat alone: node_modules/@q holds only ${wanted.join(', ')} (no @q/worker)`, `installed: ${installed.join(', ')}`);

  const brokerDir = path.join(appDir, 'broker');
  const store = path.join(appDir, 'beat-state.json');
  const childEnv = { ...env, BROKER_URL: pathToFileURL(brokerDir).href.replace(/^file:/, 'filesystem:'), BEAT_STORE: store };
  const child = spawn(path.join(appDir, 'node_modules', '.bin', 'tsx'), ['beat.ts'], { cwd: appDir, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.on('close', (code, signal) => resolve(code ?? signal)));
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const group = (signal) => {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // gone already
    }
  };
  try {
    const sent = await until(() => queuedTasks(brokerDir, 'celery').includes('tasks.add'), SENT_TIMEOUT_MS, gone);
    if (!line(sent, 'beat alone: tsx beat.ts sends its periodic tasks.add (a message in the broker\'s celery queue)', output)) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => group('SIGKILL'), STOP_TIMEOUT_MS);
    const status = await exited;
    clearTimeout(timer);
    let runs = null;
    try {
      runs = JSON.parse(fs.readFileSync(store, 'utf8')).entries?.[ENTRY]?.totalRunCount ?? null;
    } catch (err) {
      output += `\nthe state file could not be read: ${err.message}`;
    }
    line(status === 0 && typeof runs === 'number' && runs >= 1,
      `beat alone: SIGTERM stops it (exit 0), the state file holds ${ENTRY}'s run (totalRunCount ${runs})`, `exit ${status}\n${output}`);
  } finally {
    group('SIGTERM');
    const timer = setTimeout(() => group('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    group('SIGKILL');
  }
}
