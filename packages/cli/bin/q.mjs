#!/usr/bin/env node
/* global process */
// The published `q` command: runs the built CLI, then exits with its exit code.
import('../dist/bin.js')
  .then((m) => m.main(process.argv))
  .then(() => process.exit())
  .catch((err) => {
    process.stderr.write(`${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  });
