import { packageBuild } from '../../tsup.shared.ts';

// ESM only: the suites are vitest tests, and vitest cannot be loaded with require().
export default packageBuild(['src/index.ts', 'src/pool/suite-app.ts'], ['esm']);
