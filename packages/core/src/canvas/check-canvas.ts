/**
 * Checking every signature a message carries before its task runs (its `link`, `link_error`, `chain` and
 * `chord`, to any depth), so a malformed one fails that task with a clear error at once instead of being found
 * only when the task is done (or never, for a chain step that is never reached).
 */
import type { TaskEmbed } from '../protocol/task-message.js';
import { SignatureError } from '../errors/q-error.js';
import { readCanvas } from './read-signature.js';

/**
 * Reads `value` and every signature inside it (a chain's steps, a group's members, a chord's header and body, a
 * signature's own `link`/`link_error`/`chain`/`chord` options).
 * @throws SignatureError `Q_ERR_SIGNATURE_INVALID` naming the first malformed part and where it is.
 */
export function checkCanvas(value: unknown, where: string): void {
  const node = readCanvas(value, where);
  const { options } = node.sig;
  for (const key of ['link', 'link_error', 'chain'] as const) {
    const v = options[key];
    if (v === undefined || v === null) continue;
    const list = Array.isArray(v) ? v : [v];
    list.forEach((s, i) => checkCanvas(s, `${where}.options.${key}[${i}]`));
  }
  if (options.chord !== undefined && options.chord !== null) checkCanvas(options.chord, `${where}.options.chord`);
  switch (node.type) {
    case 'chain':
    case 'group':
      node.tasks.forEach((t, i) => checkCanvas(t, `${where}.tasks[${i}]`));
      return;
    case 'chord':
      checkCanvas(node.header, `${where}.header`);
      checkCanvas(node.body, `${where}.body`);
      return;
    case 'chunks':
      checkCanvas(node.task, `${where}.task`);
      return;
    case 'xmap':
    case 'xstarmap':
      checkCanvas(node.sig.kwargs.task, `${where}.task`);
      return;
    case 'task':
      return;
  }
}

/** Whether the message carries any signature at all (most carry none: nothing to check). */
export function embedHasSignatures(embed: TaskEmbed): boolean {
  return embed.callbacks !== null || embed.errbacks !== null || embed.chain !== null || embed.chord !== null || embed.invalid !== undefined;
}

/**
 * Checks every signature of a message's embed (see {@link checkCanvas}).
 * @throws SignatureError `Q_ERR_SIGNATURE_INVALID`
 */
export function checkEmbed(embed: TaskEmbed): void {
  if (embed.invalid !== undefined) throw new SignatureError('Q_ERR_SIGNATURE_INVALID', `malformed signature in the message: ${embed.invalid}`);
  (embed.callbacks ?? []).forEach((s, i) => checkCanvas(s, `link[${i}]`));
  (embed.errbacks ?? []).forEach((s, i) => checkCanvas(s, `link_error[${i}]`));
  (embed.chain ?? []).forEach((s, i) => checkCanvas(s, `chain[${i}]`));
  if (embed.chord !== null) checkCanvas(embed.chord, 'chord');
}
