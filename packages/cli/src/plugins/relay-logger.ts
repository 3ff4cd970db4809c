/**
 * A logger that passes every line on to a target set later. The app of `-A` is created when its module is imported,
 * before the command line is parsed (its plugins may add commands); its logger is a relay that the command then points
 * at its own, so the app logs where the command's logger does, as it would had the command imported the module itself.
 */
import type { Logger } from '@q/core';

/** A {@link Logger} whose lines go to the current target; {@link RelayLogger.setTarget} changes it. */
export interface RelayLogger {
  readonly logger: Logger;
  setTarget(target: Logger): void;
}

/** A relay sending to `initial` until `setTarget`. Its children follow the target too. */
export function relayLogger(initial: Logger): RelayLogger {
  let target = initial;
  return { logger: relayTo(() => target), setTarget: (next) => void (target = next) };
}

function relayTo(current: () => Logger): Logger {
  return {
    trace: (obj, msg) => current().trace(obj, msg),
    debug: (obj, msg) => current().debug(obj, msg),
    info: (obj, msg) => current().info(obj, msg),
    warn: (obj, msg) => current().warn(obj, msg),
    error: (obj, msg) => current().error(obj, msg),
    fatal: (obj, msg) => current().fatal(obj, msg),
    child: (bindings) => {
      // One child per target, made when the target first changes under it.
      let made: { of: Logger; child: Logger } | undefined;
      return relayTo(() => {
        const of = current();
        if (made?.of !== of) made = { of, child: of.child(bindings) };
        return made.child;
      });
    },
  };
}
