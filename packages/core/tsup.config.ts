import { packageConfig } from '../../tsup.base';

// Two entry points: the runtime API and the test support other model packages import.
export default packageConfig({ entry: { index: 'src/index.ts', testing: 'src/testing/index.ts' } });
