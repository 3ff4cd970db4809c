/** The pool conformance suite of `@q/conformance` against the built-in pools: async, solo, threads, prefork. */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { poolSuite } from '@q/conformance';
import { asyncPool, preforkPool, soloPool, threadsPool } from '../src/index.js';

const require = createRequire(import.meta.url);
// The suite's app module is TypeScript when the suite runs from source: children load it through tsx.
const tsx = require.resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs');
const preload = [pathToFileURL(tsx).href];

poolSuite('async', ({ concurrency }) => asyncPool({ concurrency }));
poolSuite('solo', () => soloPool(), { slackMs: 400 });
poolSuite('threads', (options) => threadsPool(options), { preload, slackMs: 800 });
poolSuite('prefork', (options) => preforkPool(options), { preload, slackMs: 800 });
// `-O default`: a child holds several jobs; everything the suite asks of a pool still holds.
poolSuite('prefork -O default', (options) => preforkPool({ ...options, optimization: 'default' }), { preload, slackMs: 800 });
