#!/usr/bin/env node
/* global process, console */
// Every public package, packed as it would be published, is checked by publint (package.json fields, `files`,
// `exports` order and formats) and by arethetypeswrong (ESM, CJS and types resolve for Node 16+ from ESM and
// from CJS, and for bundlers: attw's `node16` profile, which leaves out only the pre-`exports` node10 mode).
//
//   node tools/ci/check-packages.mjs                    every public package (`pnpm pkg:check`)
//   node tools/ci/check-packages.mjs packages/core      only these (by folder or by name)
//
// Public packages are the package.json files under packages/ without `"private": true` (the same list
// api-report uses), packed by pack-packages.mjs. Nothing is built here: run `pnpm build` first. Documented in
// docs/contributing/checks.md.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packPackages, rel, root, selectPackages } from './pack-packages.mjs';

const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));

/**
 * attw rules switched off for one package, each with the reason. Add a rule only with a reason a reviewer can
 * check.
 * @type {Record<string, Record<string, string>>}
 */
const ATTW_IGNORED_RULES = {
  '@q/conformance': {
    'cjs-resolves-to-esm': 'ESM only on purpose: its suites are vitest tests, and vitest cannot be loaded with require()',
  },
  '@q/testing': {
    'cjs-resolves-to-esm': 'its `./vitest` subpath is ESM only on purpose: it imports vitest, which cannot be loaded with require() (the main entry has CJS)',
  },
};

function run(label, command, args, cwd) {
  const bin = path.join(root, 'node_modules', '.bin', command);
  const result = spawnSync(fs.existsSync(bin) ? bin : command, args, { cwd, stdio: 'inherit' });
  if (result.error) throw result.error;
  return result.status === 0 ? null : `${label} (exit ${result.status})`;
}

async function main() {
  const packages = selectPackages(only);
  const failures = [];
  const tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'q-pkg-check-'));
  try {
    for (const { dir, pkg, file, problem } of await packPackages(packages, tempRoot)) {
      console.log(`\n==> ${pkg.name} (${rel(dir)})`);
      if (!file) {
        console.log(problem);
        failures.push(`${pkg.name}: ${problem}`);
        continue;
      }
      const problems = [
        // --strict: publint's warnings fail too; its suggestions are printed and left to judgement.
        run('publint', 'publint', ['run', file, '--strict'], root),
        run('attw', 'attw', [
          file,
          '--profile', 'node16',
          '--no-definitely-typed',
          ...(ATTW_IGNORED_RULES[pkg.name] ? ['--ignore-rules', ...Object.keys(ATTW_IGNORED_RULES[pkg.name])] : []),
        ], root),
      ].filter(Boolean);
      for (const p of problems) failures.push(`${pkg.name}: ${p}`);
    }
  } finally {
    fs.rmSync(tempRoot, { recursive: true, force: true });
  }
  if (failures.length > 0) {
    console.log(`\npkg:check failed (${failures.length}):\n${failures.map((f) => `  - ${f}`).join('\n')}`);
    process.exitCode = 1;
  } else {
    console.log(`\npkg:check: ${packages.length} packages pass publint and attw (node16 from ESM and CJS, bundler)`);
  }
}

await main();
