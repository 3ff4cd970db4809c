import { packageBuild } from '../../tsup.shared.ts';

export default packageBuild(['src/index.ts', 'src/adapter.ts', 'src/internal.ts']);
