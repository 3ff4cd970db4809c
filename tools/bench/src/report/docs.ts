/**
 * Writes the generated blocks into docs/benchmarks.md, each between its markers (one per broker, one for the chord
 * row), so hand-written text around them (and the other blocks) survives a re-run. A page without the file gets the template.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { BrokerName } from '../config.js';
import { CHORD_MARKERS } from './chord.js';
import { PROFILES } from './profiles.js';

/** A generated block of the page: each broker's results, and the chord row (Redis). */
export type BlockName = BrokerName | 'chord';

const markersOf = (block: BlockName): { begin: string; end: string } => (block === 'chord' ? CHORD_MARKERS : PROFILES[block]);

/** `page` with the text from `begin` through `end` replaced by `section` (which carries the markers), or null without both markers. */
export function replaceBlock(page: string, begin: string, end: string, section: string): string | null {
  const from = page.indexOf(begin);
  const to = page.indexOf(end, from);
  return from >= 0 && to > from ? page.slice(0, from) + section + page.slice(to + end.length) : null;
}

/** Replaces each block given; the template's `{{RESULTS_<BLOCK>}}` when the page does not exist. */
export function writeDocs(docsPath: string, sections: ReadonlyMap<BlockName, string>, template: string): void {
  let page = existsSync(docsPath) ? readFileSync(docsPath, 'utf8') : template;
  for (const [broker, section] of sections) {
    const { begin, end } = markersOf(broker);
    const placeholder = `{{RESULTS_${broker.toUpperCase()}}}`;
    const replaced = replaceBlock(page, begin, end, section);
    if (replaced !== null) page = replaced;
    else if (page.includes(placeholder)) page = page.replace(placeholder, section);
    else throw new Error(`${docsPath} has no ${broker} markers (${begin} … ${end}): put them where the ${broker} results go`);
  }
  for (const broker of [...Object.keys(PROFILES), 'chord']) page = page.replace(`{{RESULTS_${broker.toUpperCase()}}}`, '_Not measured yet._');
  writeFileSync(docsPath, page);
}
