import type { Options } from 'tsup';

/** The one tsup configuration every package uses: ESM + CJS + .d.ts from src/index.ts. */
export function packageConfig(overrides: Options = {}): Options {
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    // Types of sibling workspaces resolve to their sources (@kdap/source), so packages build in any order.
    dts: { compilerOptions: { composite: false } },
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    shims: true,
    splitting: false,
    outDir: 'dist',
    ...overrides,
  };
}
