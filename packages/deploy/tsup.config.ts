import { packageConfig } from '../../tsup.base';

// The library, and the scoring image's entry point (packages/deploy/Dockerfile runs dist/container-main.js).
export default packageConfig({ entry: { index: 'src/index.ts', 'container-main': 'src/azure/container-main.ts' } });
