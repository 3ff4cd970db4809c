#!/usr/bin/env node
// The published `q` command: runs the built CLI.
import('../dist/bin.js').then((m) => m.main(process.argv)).catch((err) => {
  process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});
