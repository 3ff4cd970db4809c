import { defineConfig } from 'tsup';

/** The build every q package uses: ESM + CJS + types for both, from `src/`. */
export function packageBuild(entry: string[] = ['src/index.ts']) {
  // `splitting` for CJS too: entry points of one package share one copy of each module (module state, classes).
  return defineConfig({ entry, format: ['esm', 'cjs'], dts: true, clean: true, sourcemap: true, splitting: true, target: 'node20' });
}
