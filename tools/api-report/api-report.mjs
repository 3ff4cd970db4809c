#!/usr/bin/env node
/* global process, console */
// The public API of every published package, pinned in a committed report that review sees change.
//
//   node tools/api-report/api-report.mjs            check: fail when a report differs from the built types (CI)
//   node tools/api-report/api-report.mjs --update   rewrite the reports (commit them with the change)
//   ... [--update] packages/core @q/worker          only these packages (by folder or by name)
//
// Public packages are the package.json files under packages/ without `"private": true`. Each subpath of a
// package's `exports` gets one report, `<package>/api/<unscoped-name>[-<subpath>].api.md` (`@q/core` →
// core.api.md, `@q/core/adapter` → core-adapter.api.md), made by api-extractor from the ESM types file that
// subpath resolves to (`import` → `types`). `./package.json` and wildcard subpaths are skipped; `./internal`
// subpaths are skipped on purpose: they are shared by q's own packages only and may change in any release.
// Nothing is built here: run `pnpm build` first. Documented in docs/contributing/checks.md.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Extractor, ExtractorConfig, ExtractorLogLevel } from '@microsoft/api-extractor';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = process.argv.slice(2);
const update = args.includes('--update');
const only = args.filter((a) => !a.startsWith('--'));

/** Package folders under packages/ (any depth, node_modules and dist aside) whose package.json is not private. */
export function publicPackages(dir = path.join(root, 'packages')) {
  const manifest = path.join(dir, 'package.json');
  if (fs.existsSync(manifest)) {
    const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8'));
    return pkg.private === true ? [] : [{ dir, pkg }];
  }
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !['node_modules', 'dist', 'src', 'test'].includes(e.name))
    .flatMap((e) => publicPackages(path.join(dir, e.name)));
}

/** What `exports` target `target` resolves to under `conditions`, in key order as Node reads it. */
function resolveTarget(target, conditions) {
  if (typeof target === 'string' || target === null) return target;
  if (Array.isArray(target)) return resolveTarget(target[0], conditions);
  for (const [key, value] of Object.entries(target)) {
    if (conditions.includes(key)) {
      const found = resolveTarget(value, conditions);
      if (found) return found;
    }
  }
  return null;
}

/** One report per exported subpath: { subpath, reportName, typesFile } or { subpath, skip }. */
export function entryPoints({ dir, pkg }) {
  const unscoped = pkg.name.replace(/^@[^/]+\//, '');
  const exportsField = typeof pkg.exports === 'object' && pkg.exports !== null ? pkg.exports : { '.': pkg.exports };
  const subpaths = Object.keys(exportsField).some((k) => k.startsWith('.')) ? exportsField : { '.': exportsField };
  return Object.entries(subpaths).map(([subpath, target]) => {
    if (subpath === './package.json') return { subpath, skip: 'package.json' };
    if (subpath.includes('*')) return { subpath, skip: 'wildcard subpath' };
    if (/^\.\/internal(\/|$)/.test(subpath)) return { subpath, skip: "internal: q's own packages only, not reported" };
    const types = resolveTarget(target, ['types', 'import', 'node', 'default']);
    if (typeof types !== 'string' || !/\.d\.(ts|mts)$/.test(types)) return { subpath, skip: `no ESM types file (${types})` };
    const suffix = subpath === '.' ? '' : `-${subpath.slice(2).replace(/[/.]/g, '-')}`;
    return { subpath, reportName: `${unscoped}${suffix}`, typesFile: path.join(dir, types) };
  });
}

function configFor({ dir, entry, tempFolder }) {
  return {
    projectFolder: dir,
    mainEntryPointFilePath: entry.typesFile,
    bundledPackages: [],
    newlineKind: 'lf',
    compiler: {
      // The built .d.ts only; other q packages resolve to their built types through `exports`, as a user's would.
      overrideTsconfig: {
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2023'],
          module: 'ESNext',
          moduleResolution: 'Bundler',
          types: ['node'],
          strict: true,
          exactOptionalPropertyTypes: true,
          skipLibCheck: true,
          noEmit: true,
        },
        files: [entry.typesFile],
      },
      skipLibCheck: true,
    },
    apiReport: {
      enabled: true,
      reportFileName: entry.reportName,
      reportFolder: path.join(dir, 'api'),
      reportTempFolder: tempFolder,
      includeForgottenExports: false,
    },
    docModel: { enabled: false },
    dtsRollup: { enabled: false },
    tsdocMetadata: { enabled: false },
    messages: {
      compilerMessageReporting: { default: { logLevel: 'warning' } },
      extractorMessageReporting: {
        default: { logLevel: 'warning' },
        // q does not use release tags (@public/@beta/...): the entry point a name is exported from is its tier.
        'ae-missing-release-tag': { logLevel: 'none', addToApiReportFile: false },
        'ae-undocumented': { logLevel: 'none', addToApiReportFile: false },
        'ae-incompatible-release-tags': { logLevel: 'none', addToApiReportFile: false },
        'ae-internal-missing-underscore': { logLevel: 'none', addToApiReportFile: false },
        // A type the API uses but the entry point does not export: noted in the report for review, not an error.
        'ae-forgotten-export': { logLevel: 'none', addToApiReportFile: true },
        // Doc comments are prose for people, not TSDoc: links and tags are not checked here.
        'ae-unresolved-link': { logLevel: 'none', addToApiReportFile: false },
        'ae-unresolved-inheritdoc-reference': { logLevel: 'none', addToApiReportFile: false },
        'ae-unresolved-inheritdoc-base': { logLevel: 'none', addToApiReportFile: false },
      },
      tsdocMessageReporting: { default: { logLevel: 'none', addToApiReportFile: false } },
    },
  };
}

function showDiff(expected, actual) {
  const diff = spawnSync('diff', ['-u', '--label', `${path.relative(root, expected)} (committed)`, '--label', 'from the built types', expected, actual], { encoding: 'utf8' });
  if (diff.error) return;
  const lines = diff.stdout.split('\n');
  process.stdout.write(lines.slice(0, 200).join('\n') + (lines.length > 200 ? `\n... (${lines.length - 200} more lines)\n` : '\n'));
}

function main() {
  const rel = (p) => path.relative(root, p).split(path.sep).join('/');
  let packages = publicPackages();
  if (only.length > 0) {
    packages = packages.filter(({ dir, pkg }) => only.some((o) => o === pkg.name || path.resolve(root, o) === dir));
    if (packages.length === 0) throw new Error(`no public package matches ${only.join(', ')}`);
  }
  const tempRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'q-api-report-'));
  const failures = [];
  try {
    for (const { dir, pkg } of packages) {
      const entries = entryPoints({ dir, pkg });
      const expected = new Set();
      for (const entry of entries) {
        const label = `${pkg.name}${entry.subpath === '.' ? '' : entry.subpath.slice(1)}`;
        if (entry.skip) {
          if (entry.subpath !== './package.json') console.log(`skip     ${label} (${entry.skip})`);
          continue;
        }
        const reportFile = path.join(dir, 'api', `${entry.reportName}.api.md`);
        expected.add(path.basename(reportFile));
        if (!fs.existsSync(entry.typesFile)) {
          failures.push(`${label}: ${rel(entry.typesFile)} is missing; run \`pnpm build\` first`);
          console.log(`missing  ${label}: ${rel(entry.typesFile)} (not built)`);
          continue;
        }
        const tempFolder = path.join(tempRoot, pkg.name.replace(/[@/]/g, '_'));
        if (update) fs.mkdirSync(path.join(dir, 'api'), { recursive: true });
        const config = ExtractorConfig.prepare({
          configObject: configFor({ dir, entry, tempFolder }),
          configObjectFullPath: undefined,
          packageJsonFullPath: path.join(dir, 'package.json'),
        });
        const messages = [];
        const result = Extractor.invoke(config, {
          localBuild: update,
          messageCallback(message) {
            // Our own summary replaces api-extractor's progress and "copy the file" lines.
            if (message.category === 'console' || message.logLevel === ExtractorLogLevel.Verbose) {
              message.handled = true;
              return;
            }
            if (message.logLevel === ExtractorLogLevel.None) return;
            message.handled = true;
            messages.push(message.formatMessageWithLocation(root));
          },
        });
        for (const m of messages) console.log(`  ${m}`);
        if (result.apiReportChanged && !update) {
          console.log(`changed  ${label}: ${rel(reportFile)} differs from the built types`);
          const actual = path.join(tempFolder, `${entry.reportName}.api.md`);
          if (fs.existsSync(reportFile) && fs.existsSync(actual)) showDiff(reportFile, actual);
          else console.log(`  (no committed report at ${rel(reportFile)})`);
          failures.push(`${label}: API report changed`);
        } else if (result.errorCount > 0 || messages.length > 0) {
          console.log(`error    ${label}: ${result.errorCount} errors, ${messages.length} messages`);
          failures.push(`${label}: api-extractor reported problems`);
        } else {
          console.log(`${update ? 'written ' : 'ok      '} ${label} → ${rel(reportFile)}`);
        }
      }
      // A report whose entry point is gone (a removed subpath) is stale.
      const apiDir = path.join(dir, 'api');
      if (fs.existsSync(apiDir)) {
        for (const file of fs.readdirSync(apiDir).filter((f) => f.endsWith('.api.md') && !expected.has(f))) {
          if (update) {
            fs.rmSync(path.join(apiDir, file));
            console.log(`removed  ${rel(path.join(apiDir, file))} (no such entry point any more)`);
          } else {
            console.log(`stale    ${rel(path.join(apiDir, file))}: no entry point of ${pkg.name} produces it`);
            failures.push(`${rel(path.join(apiDir, file))}: stale report`);
          }
        }
      }
    }
  } finally {
    fs.rmSync(tempRoot, { recursive: true, force: true });
  }
  if (failures.length > 0) {
    console.log(`\napi:check failed (${failures.length}):\n${failures.map((f) => `  - ${f}`).join('\n')}`);
    if (!update) console.log('If the change to the public API is intended, run `pnpm build && pnpm api:update` and commit the reports.');
    process.exitCode = 1;
  } else {
    console.log(`\napi reports ${update ? 'written' : 'match the built types'} (${packages.length} packages)`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
