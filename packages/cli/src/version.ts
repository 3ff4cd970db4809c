import pkg from '../package.json' with { type: 'json' };

/** The version of `@q/cli`, printed by `q --version` and in the worker banner. */
export const VERSION: string = pkg.version;
