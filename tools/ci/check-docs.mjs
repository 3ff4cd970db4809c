#!/usr/bin/env node
// Keeps the reference docs in step with the code: every error code of packages/core/src/errors/codes.ts has a
// row in docs/reference/errors.md, and every option of AppOptions (packages/core/src/config/options.ts) appears in
// docs/reference/configuration.md under its group. Also checks that relative links between docs resolve.
// Prints what is missing and exits 1; prints one summary line and exits 0 when all is well.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const read = (path) => readFileSync(join(root, path), 'utf8');
const problems = [];

// 1. Error codes.
const codes = [...read('packages/core/src/errors/codes.ts').matchAll(/'(Q_ERR_[A-Z0-9_]+)'/g)].map((m) => m[1]);
const errorsDoc = read('docs/reference/errors.md');
for (const code of codes) {
  if (!new RegExp(`^\\| \`${code}\` \\|`, 'm').test(errorsDoc)) problems.push(`docs/reference/errors.md: no row for ${code}`);
}

// 2. AppOptions keys, by group (`task.acksLate` must be in the `## \`task\`` section).
// Found by what it declares, not by where it lives (it moved from app/ to config/ once).
const optionsFile = ['packages/core/src/config/options.ts', 'packages/core/src/app/options.ts'].find(
  (f) => existsSync(join(root, f)) && read(f).includes('export interface AppOptions'),
);
if (!optionsFile) throw new Error('check-docs: no packages/core/src/{config,app}/options.ts declares AppOptions');
const options = read(optionsFile);
const body = options.slice(options.indexOf('export interface AppOptions'), options.indexOf('export interface ResolvedConfig'));
const configDoc = read('docs/reference/configuration.md');
const sections = new Map();
let current = 'top';
for (const line of configDoc.split('\n')) {
  const heading = /^## (?:`([A-Za-z]+)`|Top level)/.exec(line);
  if (heading) current = heading[1] ?? 'top';
  if (line.startsWith('| `')) sections.set(current, `${sections.get(current) ?? ''}${line}\n`);
}
let group = 'top';
let depth = 0;
let optionCount = 0;
for (const line of body.split('\n').slice(1)) {
  const key = /^\s*([A-Za-z]+)\??:/.exec(line);
  if (key && depth === 0 && /\{\s*$/.test(line)) group = key[1];
  else if (key && depth <= 1) {
    optionCount++;
    if (!(sections.get(group) ?? '').includes(`| \`${key[1]}\` |`)) {
      problems.push(`docs/reference/configuration.md: no row for ${group === 'top' ? '' : `${group}.`}${key[1]}`);
    }
  }
  depth += (line.match(/\{/g) ?? []).length - (line.match(/\}/g) ?? []).length;
  if (depth === 0) group = 'top';
}

// 3. Relative links in README.md and docs/.
const docs = ['README.md'];
const walk = (dir) => {
  for (const name of readdirSync(join(root, dir))) {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) walk(path);
    else if (name.endsWith('.md')) docs.push(path);
  }
};
walk('docs');
let links = 0;
for (const doc of docs) {
  for (const [, target] of read(doc).matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/i.test(target) || target.startsWith('#')) continue;
    links++;
    const file = target.split('#')[0];
    if (!existsSync(join(root, dirname(doc), file))) problems.push(`${doc}: broken link ${target}`);
  }
}

if (problems.length > 0) {
  for (const p of problems) process.stderr.write(`check-docs: ${p}\n`);
  process.stderr.write(`check-docs: ${problems.length} problem(s)\n`);
  process.exit(1);
}
process.stdout.write(
  `check-docs: ${codes.length} error codes, ${optionCount} options, ${links} links in ${docs.length} files: all documented\n`,
);
