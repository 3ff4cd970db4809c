/** Entry point of the `q` command (`bin/q.mjs` runs the built copy; `pnpm q` runs this file from source). */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { main } from './main.js';

export { main };

function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  // Exit once the command is done, even if a connection left a handle open.
  void main(process.argv).then(() => process.exit());
}
