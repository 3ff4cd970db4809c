import pkg from '../package.json' with { type: 'json' };

/** The version of `@q/core` that is running (what a plugin's `qCore` range is checked against). */
export const CORE_VERSION: string = pkg.version;
