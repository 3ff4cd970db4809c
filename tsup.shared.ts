import { defineConfig } from 'tsup';

/** The build every q package uses: ESM + CJS + types for both (or only the `formats` given), from `src/`. */
export function packageBuild(entry: string[] = ['src/index.ts'], formats: ('esm' | 'cjs')[] = ['esm', 'cjs']) {
  // `splitting` for CJS too: entry points of one package share one copy of each module (module state, classes);
  // `shims`: with splitting, CJS output keeps `import.meta.url` unless shimmed (a SyntaxError when required).
  // `__Q_CJS__`: true in the CommonJS build, whose split chunks tsup passes through sucrase, which turns every
  // `import()` into `require()`; code that loads a package at run time reads it (core's `importPackage`).
  return defineConfig({
    entry,
    format: formats,
    dts: true,
    clean: true,
    sourcemap: true,
    splitting: true,
    shims: true,
    target: 'node20',
    esbuildOptions(options, context) {
      options.define = { ...options.define, __Q_CJS__: context.format === 'cjs' ? 'true' : 'false' };
    },
  });
}
