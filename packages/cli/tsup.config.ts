import { packageConfig } from '../../tsup.base';

// The library entry (run(), for embedding and tests) and the executable (`kdap`, CommonJS with its shebang).
export default [
  packageConfig({ entry: { index: 'src/index.ts' } }),
  packageConfig({ entry: { bin: 'src/bin.ts' }, format: ['cjs'], dts: false, clean: false }),
];
