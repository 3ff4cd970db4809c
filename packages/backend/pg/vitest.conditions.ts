/**
 * The shared `import` condition makes Node's `require('pg-pool')` inside `pg` load pg-pool's ES module wrapper
 * (require of ESM), whose namespace `pg` cannot extend: resolve this package's tests without it.
 */
const conditions = ['@q/source', 'module', 'node', 'default'];
export const pgConditions = { resolve: { conditions }, ssr: { resolve: { conditions } } };
