/** The safe Python pickle codec of `@q/backend-pg`: plain data only, byte-compatible with CPython's protocol 5. */
export { encodePickle, type PickleEncodeOptions } from './pickle-encode.js';
export { decodePickle } from './pickle-decode.js';
export { PickleTuple, pickleTuple, isPickleTuple } from './pickle-tuple.js';
