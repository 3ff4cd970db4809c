/**
 * The worker's remote-control commands, by method name: the built-in inspect and control commands, Celery's aliases
 * (`dump_tasks` → `registered`, …), then the commands plugins registered (`api.controlCommand`,
 * `api.inspectCommand`), which replace a built-in command of the same name, as a later `@control_command` does in Celery.
 */
import type { ControlCommand, Logger } from '@q/core';
import { CONTROL_COMMANDS } from './control-commands.js';
import type { ControlledWorker } from './controlled-worker.js';
import { INSPECT_ALIASES, INSPECT_COMMANDS } from './inspect-commands.js';

/** Commands by the method name they answer to. */
export type CommandRegistry = ReadonlyMap<string, ControlCommand<ControlledWorker>>;

/** The built-in commands with their aliases. */
export function builtinCommands(): Map<string, ControlCommand<ControlledWorker>> {
  const map = new Map<string, ControlCommand<ControlledWorker>>();
  for (const command of [...INSPECT_COMMANDS, ...CONTROL_COMMANDS]) map.set(command.name, command);
  for (const [alias, target] of Object.entries(INSPECT_ALIASES)) {
    const command = map.get(target);
    if (command !== undefined) map.set(alias, command);
  }
  return map;
}

/** The built-in commands, then `plugin` commands (a plugin's replaces a built-in one of its name, logged). */
export function commandRegistry(plugin: readonly ControlCommand[], logger: Logger): CommandRegistry {
  const map = builtinCommands();
  for (const command of plugin) {
    if (map.has(command.name)) logger.warn({ command: command.name }, `a plugin replaces the built-in remote-control command ${command.name}`);
    map.set(command.name, command);
  }
  return map;
}
