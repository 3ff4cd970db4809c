// @ts-check
/**
 * The import rules CI enforces (`pnpm lint:deps`, the first step of `pnpm test:all`).
 * What each rule is for, how to run it and how to read a violation: docs/contributing/checks.md.
 * The layering table of @q/core is drawn in docs/architecture.md; change both together.
 *
 * Entry points are read from each package's `exports` (its `@q/source` condition), never listed here, so a new
 * subpath (`@q/core/adapter`) or a new package is covered without editing this file.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));

/** Escape a string for use inside a regular expression. */
const re = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Every workspace package under packages/: { name, dir (posix, relative), exports }. */
function workspacePackages() {
  const found = [];
  const walk = (dir, depth) => {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8'));
      found.push({ name: pkg.name, dir: path.relative(root, dir).split(path.sep).join('/'), pkg });
      return;
    }
    if (depth === 0) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory() && entry.name !== 'node_modules') walk(path.join(dir, entry.name), depth - 1);
    }
  };
  walk(path.join(root, 'packages'), 2);
  return found;
}

/** The `@q/source` file of each `exports` subpath: [{ subpath, file }] ('./package.json' and non-source entries skipped). */
function sourceEntries({ dir, pkg }) {
  const out = [];
  for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
    if (subpath === './package.json' || typeof target !== 'object' || target === null) continue;
    const source = target['@q/source'];
    if (typeof source === 'string') out.push({ subpath, file: path.posix.join(dir, source) });
  }
  return out;
}

const packages = workspacePackages();
const core = packages.find((p) => p.name === '@q/core');
if (!core) throw new Error('.dependency-cruiser.mjs: no @q/core under packages/');
const coreEntries = sourceEntries(core);
/** Subpaths marked internal: only q's own packages may import them. */
const isInternal = (subpath) => /^\.\/internal(\/|$)/.test(subpath);
const corePublicFiles = coreEntries.filter((e) => !isInternal(e.subpath)).map((e) => re(e.file));
const coreEntryFiles = coreEntries.map((e) => re(e.file));
/** Every package's entry source files: the only files of another package one may import. */
const allEntryFiles = packages.flatMap((p) => sourceEntries(p).map((e) => re(e.file)));

/** A file's workspace package folder as group $1: packages/core, packages/transport/redis, tools/bench, e2e. */
const WORKSPACE_PACKAGE = '^((?:packages/(?:(?:transport|backend)/)?|examples/|tools/)[^/]+|e2e)/';
const TESTS = ['\\.test\\.ts$', '\\.test-d\\.ts$', '/test/'];
const CORE = 'packages/core/src';

/**
 * @q/core's folders and the folders each may import (besides itself). The intended end state of issue 11.
 * `app/` is the composition root: it may import anything, and only the entry files import it (rule below).
 */
const CORE_LAYERS = {
  errors: [],
  // contracts name the resolved configuration (PluginApi.app.conf): config/resolved-config.ts imports no contract.
  contracts: ['errors', 'config'],
  protocol: ['errors', 'contracts', 'serialization'],
  serialization: ['errors', 'contracts', 'protocol'],
  config: ['errors', 'contracts'],
  routing: ['config', 'contracts', 'errors'],
  control: ['contracts', 'errors', 'protocol', 'routing', 'transport'],
  result: ['contracts', 'protocol', 'errors', 'backend', 'config'],
  task: ['config', 'result', 'protocol', 'contracts', 'errors', 'serialization', 'canvas', 'eager'],
  canvas: ['task', 'publish', 'result', 'protocol', 'config', 'contracts', 'errors'],
  transport: ['contracts', 'errors', 'protocol', 'serialization', 'backend', 'embedded'],
  backend: ['contracts', 'errors', 'protocol', 'serialization', 'transport', 'embedded'],
  embedded: ['contracts', 'errors', 'protocol', 'serialization', 'transport', 'backend'],
  plugins: ['contracts', 'errors', 'config', 'transport', 'backend', 'embedded', 'serialization'],
  publish: ['task', 'routing', 'config', 'protocol', 'serialization', 'plugins', 'contracts', 'errors', 'result', 'canvas'],
  // eager/: running a task or a canvas in the calling process (`task.apply`, `task.alwaysEager`).
  eager: ['task', 'canvas', 'publish', 'result', 'protocol', 'config', 'contracts', 'errors'],
  // security/: Celery's `auth` serializer (message signing) and what `app.setupSecurity()` changes in the config.
  security: ['serialization', 'config', 'contracts', 'errors'],
};
/** Files directly in core's src/ that any folder may import (leaves: they import no folder). */
const CORE_SHARED_FILES = ['version\\.ts'];

const layerRules = Object.entries(CORE_LAYERS).map(([folder, allowed]) => ({
  name: `core-layer-${folder}`,
  severity: 'error',
  comment:
    `@q/core's ${folder}/ may import only ${allowed.length ? allowed.map((a) => `${a}/`).join(', ') : 'nothing else in core'} ` +
    `(and itself). The layering is in .dependency-cruiser.mjs (CORE_LAYERS) and docs/architecture.md: move the ` +
    `code to the layer that owns it, or pass what is needed in through a narrow interface, instead of importing up.`,
  from: { path: `^${CORE}/${folder}/`, pathNot: TESTS },
  to: {
    path: `^${CORE}/`,
    pathNot: [`^${CORE}/(${[folder, ...allowed].join('|')})/`, ...CORE_SHARED_FILES.map((f) => `^${CORE}/${f}$`)],
  },
}));

const knownFolders = ['app', ...Object.keys(CORE_LAYERS)];

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'A cycle between modules (type-only imports included) means neither can be understood, tested or moved ' +
        'alone. Break it by moving the shared piece down a layer or by passing a narrow interface in.',
      from: { path: '^packages/', pathNot: TESTS },
      to: { circular: true },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment:
        'An import that does not resolve. Between workspace packages this is usually a deep import ' +
        "(`@q/x/src/...`, `@q/x/dist/...`): a package's `exports` is its whole surface, import one of its entry points.",
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-cross-package-relative',
      severity: 'error',
      comment:
        "A package imports another package by relative path (`../../core/src/...`). Import it by name through one of " +
        'its `exports` entry points, and declare it in package.json. One exception: @q/test-services re-exports ' +
        "@q/testing's recording logger (a file that imports nothing) for the tests of @q/core, which cannot depend on " +
        '@q/testing (it depends on @q/core); its package.json drops the edge from the nx graph.',
      from: { path: WORKSPACE_PACKAGE, pathNot: '^tools/test-services/src/recording-logger\\.ts$' },
      to: { path: '^packages/', pathNot: '^$1/', dependencyTypes: ['local'] },
    },
    {
      name: 'no-cross-package-deep',
      severity: 'error',
      comment:
        "A package reaches into another package's files instead of one of its `exports` entry points " +
        "(the `@q/source` condition of each subpath in that package's package.json).",
      from: { path: WORKSPACE_PACKAGE },
      to: {
        path: '^packages/',
        pathNot: ['^$1/', '/package\\.json$', ...allEntryFiles.map((f) => `^${f}$`)],
        dependencyTypesNot: ['local'], // a relative path is no-cross-package-relative's
      },
    },
    {
      name: 'adapters-use-public-core',
      severity: 'error',
      comment:
        "Adapters and adapter tooling (packages/transport/*, packages/backend/*, packages/serializer/*, @q/redis-client, @q/conformance) import only @q/core's public entry points " +
        `(${coreEntries.filter((e) => !isInternal(e.subpath)).map((e) => (e.subpath === '.' ? '@q/core' : `@q/core${e.subpath.slice(1)}`)).join(', ')}), ` +
        'never @q/core/internal or a deep path: what an adapter needs belongs in the adapter surface. ' +
        "Not an adapter: @q/backend-pg's outbox (src/outbox/), which freezes a task call as the app's own send does " +
        '(task ids, ETA and expiry times, links, the running task as parent) and so shares core\'s send internals, as @q/worker does.',
      from: { path: '^packages/(transport/|backend/|serializer/|redis-client/|conformance/)', pathNot: '^packages/backend/pg/src/outbox/' },
      to: { path: '^packages/core/', pathNot: corePublicFiles.map((f) => `^${f}$`) },
    },
    {
      name: 'core-imports-no-package',
      severity: 'error',
      comment:
        '@q/core is the base every other package builds on: it imports no other q package (plugins are loaded ' +
        'by name at run time, not imported).',
      from: { path: '^packages/core/', pathNot: TESTS },
      to: { path: '^packages/', pathNot: '^packages/core/' },
    },
    ...layerRules,
    {
      name: 'core-app-is-the-root',
      severity: 'error',
      comment:
        "@q/core's app/ is the composition root: only the entry files (the `@q/source` of each `exports` subpath: " +
        `${coreEntries.map((e) => path.posix.basename(e.file)).join(', ')}) import it. Code elsewhere that needs ` +
        'the app takes a narrow host interface instead.',
      from: { path: `^${CORE}/`, pathNot: [`^${CORE}/app/`, ...coreEntryFiles.map((f) => `^${f}$`), ...TESTS] },
      to: { path: `^${CORE}/app/` },
    },
    {
      name: 'core-folder-not-in-layers',
      severity: 'error',
      comment:
        "A folder in @q/core's src/ that the layering does not know. Add it to CORE_LAYERS in " +
        '.dependency-cruiser.mjs (what it may import) and to the table in docs/architecture.md.',
      from: { path: `^${CORE}/[^/]+/`, pathNot: [`^${CORE}/(${knownFolders.join('|')})/`, ...TESTS] },
      to: { path: `^${CORE}/` },
    },
    {
      name: 'worker-root-only-from-index',
      severity: 'error',
      comment:
        "Only @q/worker's index.ts imports worker.ts. Bootsteps, the consumer and the execution path receive a " +
        'small host interface instead of reaching back up to Worker.',
      from: { path: '^packages/worker/src/', pathNot: ['^packages/worker/src/index\\.ts$', ...TESTS] },
      to: { path: '^packages/worker/src/worker\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['/dist/', '/node_modules/'] },
    // type-only imports count: a back-edge through a type is still a back-edge.
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      // `@q/source` first: workspace packages resolve to their src/ entry files, as tests and typecheck do.
      conditionNames: ['@q/source', 'import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
