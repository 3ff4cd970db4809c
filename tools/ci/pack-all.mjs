#!/usr/bin/env node
/* global process, console */
// Packs every public package into one folder, as `pnpm publish` would (`files` applied, `workspace:` ranges
// replaced by real versions), for installing q from a checkout in a project of one's own until a release is on
// npm (docs/guide/installing.md). Nothing is built here: run `pnpm build` first.
//
//   node tools/ci/pack-all.mjs <folder>     (`pnpm pack:all <folder>`; the folder is created if missing)
//
// Prints one line per tarball and the `npm install` line for the usual set. Tarballs of the same version that
// are already in the folder are replaced.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packPackages, selectPackages } from './pack-packages.mjs';

const [target] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (!target) {
  console.log('usage: pnpm pack:all <folder>   (packs every public package of q into <folder>)');
  process.exit(2);
}
// pnpm runs a script in the workspace root; INIT_CWD is where the command was typed.
const folder = path.resolve(process.env.INIT_CWD ?? process.cwd(), target);
fs.mkdirSync(folder, { recursive: true });

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'q-pack-all-'));
try {
  const packed = await packPackages(selectPackages(), scratch);
  const missing = packed.filter((p) => !p.file);
  for (const { pkg, problem } of missing) console.log(`FAIL ${pkg.name}: ${problem}`);
  if (missing.length > 0) process.exit(1);
  const files = new Map();
  for (const { pkg, file } of packed) {
    const destination = path.join(folder, path.basename(file));
    fs.copyFileSync(file, destination);
    files.set(pkg.name, destination);
    console.log(`${pkg.name.padEnd(20)} ${destination}`);
  }
  const usual = ['@q/core', '@q/worker', '@q/cli'].map((name) => files.get(name));
  console.log(`\n${packed.length} packages in ${folder}\nin your project: npm install ${usual.join(' ')}`);
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}
