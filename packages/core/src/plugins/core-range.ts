/**
 * A plugin's `qCore` range checked against the running `@q/core`, with the `semver` package (npm's own reading of
 * ranges). A plugin built for another major line fails at `use`, before its `setup` runs, rather than later in
 * some code path it no longer matches.
 */
import semver from 'semver';
import { PluginError } from '../errors/q-error.js';

/**
 * @throws PluginError `Q_ERR_PLUGIN_INCOMPATIBLE` when `range` is not a valid semver range, or `coreVersion` is not
 *   in it (prereleases count as in range when their version is).
 */
export function checkCoreRange(plugin: string, range: string, coreVersion: string): void {
  if (semver.validRange(range) === null) {
    throw new PluginError('Q_ERR_PLUGIN_INCOMPATIBLE', `plugin "${plugin}" declares qCore "${range}", which is not a semver range`);
  }
  if (!semver.satisfies(coreVersion, range, { includePrerelease: true })) {
    throw new PluginError(
      'Q_ERR_PLUGIN_INCOMPATIBLE',
      `plugin "${plugin}" needs @q/core ${range}, but @q/core ${coreVersion} is installed: install a version of the plugin made for this @q/core, or an @q/core in that range`,
    );
  }
}
