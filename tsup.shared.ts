import { defineConfig } from 'tsup';

/** The build every q package uses: ESM + CJS + types for both (or only the `formats` given), from `src/`. */
export function packageBuild(entry: string[] = ['src/index.ts'], formats: ('esm' | 'cjs')[] = ['esm', 'cjs']) {
  // `splitting` for CJS too: entry points of one package share one copy of each module (module state, classes);
  // `shims`: with splitting, CJS output keeps `import.meta.url` unless shimmed (a SyntaxError when required).
  return defineConfig({ entry, format: formats, dts: true, clean: true, sourcemap: true, splitting: true, shims: true, target: 'node20' });
}
