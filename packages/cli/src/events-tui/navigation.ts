/**
 * The monitor's navigation as a pure step: which task is selected and which page is shown, after one key. Kept apart
 * from the component so that keys typed faster than React redraws each apply to the latest selection.
 */

/** Where the monitor is. */
export interface Navigation {
  readonly view: 'list' | 'detail';
  /** The selected task's uuid. */
  readonly selected: string | undefined;
}

/** The keys the monitor reads (ink's `Key` fits). */
export interface NavigationKey {
  readonly upArrow: boolean;
  readonly downArrow: boolean;
  readonly leftArrow: boolean;
  readonly return: boolean;
  readonly escape: boolean;
  readonly backspace: boolean;
  readonly delete: boolean;
}

/**
 * The navigation after `input`/`key`: in the list, ↓/j and ↑/k move through `tasks` (newest first), Enter opens the
 * selected task when `exists` says it is still known; on a task's page, Esc, Backspace or ← go back.
 */
export function navigate(
  nav: Navigation,
  input: string,
  key: NavigationKey,
  tasks: readonly { readonly uuid: string }[],
  exists: (uuid: string) => boolean,
): Navigation {
  if (nav.view === 'detail') {
    return key.escape || key.backspace || key.delete || key.leftArrow ? { ...nav, view: 'list' } : nav;
  }
  const index = nav.selected === undefined ? -1 : tasks.findIndex((t) => t.uuid === nav.selected);
  if (key.downArrow || input === 'j') {
    const next = tasks[Math.min(index + 1, tasks.length - 1)];
    return next === undefined ? nav : { ...nav, selected: next.uuid };
  }
  if (key.upArrow || input === 'k') {
    const next = tasks[Math.max(index - 1, 0)];
    return next === undefined ? nav : { ...nav, selected: next.uuid };
  }
  if (key.return && nav.selected !== undefined && exists(nav.selected)) return { ...nav, view: 'detail' };
  return nav;
}
