/**
 * The app module of a project with several task modules (docs/guide/project-layout.md). It imports none of
 * them: `include` names them, and every `q` command imports them right after this module. Each task module
 * imports `app` from here, so no import goes in a circle.
 *
 *   npx -y pnpm@10.34.9 q -A examples/project-layout/app.ts worker
 *   npx -y pnpm@10.34.9 q -A examples/project-layout/app.ts call math.add --args '[2, 2]'
 *   npx -y pnpm@10.34.9 q -A examples/project-layout result <id>          (a folder: q finds its app.ts)
 */
import { createApp } from '@q/core';

export const app = createApp({
  name: 'proj',
  include: ['./tasks/math.ts', './tasks/email.ts'],
});
