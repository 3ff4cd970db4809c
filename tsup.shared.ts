import { defineConfig } from 'tsup';

/** The build every q package uses: ESM + CJS + types for both, from `src/`. */
export function packageBuild(entry: string[] = ['src/index.ts']) {
  return defineConfig({ entry, format: ['esm', 'cjs'], dts: true, clean: true, sourcemap: true, target: 'node20' });
}
