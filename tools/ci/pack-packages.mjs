/* global console, setTimeout, clearTimeout */
// Packs public packages as `pnpm publish` would (`files` applied, `workspace:` ranges replaced by real versions),
// for the checks that look at what users install: check-packages.mjs (publint, attw) and packed-app.mjs (a plain
// npm app outside the monorepo). Nothing is built here: run `pnpm build` first.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { publicPackages } from '../api-report/api-report.mjs';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A path relative to the repository root, with forward slashes. */
export const rel = (p) => path.relative(root, p).split(path.sep).join('/');

/** How long one `pnpm pack` may take. */
const PACK_TIMEOUT_MS = 120_000;

/**
 * The public packages (package.json files under packages/ without `"private": true`, the list api-report uses),
 * or only those named by `only` (package names or folders). Throws when `only` matches none.
 * @param {string[]} [only]
 * @returns {{ dir: string, pkg: Record<string, any> }[]}
 */
export function selectPackages(only = []) {
  const packages = publicPackages();
  if (only.length === 0) return packages;
  const picked = packages.filter(({ dir, pkg }) => only.some((o) => o === pkg.name || path.resolve(root, o) === dir));
  if (picked.length === 0) throw new Error(`no public package matches ${only.join(', ')}`);
  return picked;
}

/**
 * Packs each package into its own folder under `destinationRoot`, all at once.
 * Each result has `file` (the tarball's path) or `problem` (why there is none: not built, pack failed).
 * @param {{ dir: string, pkg: Record<string, any> }[]} packages
 * @param {string} destinationRoot an existing, empty folder
 * @returns {Promise<({ dir: string, pkg: Record<string, any>, file?: string, problem?: string })[]>}
 */
export function packPackages(packages, destinationRoot) {
  return Promise.all(packages.map((p) => packPackage(p, destinationRoot)));
}

async function packPackage({ dir, pkg }, destinationRoot) {
  if (!fs.existsSync(path.join(dir, 'dist'))) {
    return { dir, pkg, problem: `not built (${rel(dir)}/dist is missing: run \`pnpm build\` first)` };
  }
  const destination = path.join(destinationRoot, pkg.name.replace(/[@/]/g, '_'));
  fs.mkdirSync(destination);
  const { status, output } = await runCapture('pnpm', ['pack', '--pack-destination', destination], dir, PACK_TIMEOUT_MS);
  const tarball = fs.readdirSync(destination).find((f) => f.endsWith('.tgz'));
  if (status !== 0 || !tarball) {
    console.log(`pnpm pack of ${pkg.name} failed (${status}):\n${output}`);
    return { dir, pkg, problem: `pnpm pack failed (${status})` };
  }
  return { dir, pkg, file: path.join(destination, tarball) };
}

/**
 * Runs a command to completion, its stdout and stderr captured together; killed (SIGKILL) after `timeoutMs`.
 * `status` is the exit code, or a word saying why there is none (`timed out after 120 s`, `killed by SIGTERM`).
 * @param {string} command
 * @param {string[]} args
 * @param {string} cwd
 * @param {number} timeoutMs
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {Promise<{ status: number | string, output: string }>}
 */
export function runCapture(command, args, cwd, timeoutMs, env = undefined) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let timedOut = false;
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ status: `could not start: ${err.message}`, output });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) resolve({ status: `timed out after ${timeoutMs / 1000} s`, output });
      else resolve({ status: code ?? `killed by ${signal}`, output });
    });
  });
}
