/** INI, TOML and git-config sections: the `[section]` header above a value and the section's lines. */
import type { Document } from '../document.js';
import { lastAtOrBefore } from '../sorted.js';
import { LINE_WINDOW, SECTION_LINES } from './limits.js';

const SECTION = /^\s*\[{1,2}[^\]\r\n=]{1,100}\]{1,2}\s*(?:[#;].*)?$/;

/** The nearest `[section]` line above (INI, TOML, git-config style files) and the section's lines. */
export function sectionScope(doc: Document, li: number): string[] {
  const headers = sectionHeaders(doc);
  if (headers.length === 0) return [];
  const at = lastAtOrBefore(headers, li);
  if (at === -1) return [];
  const h = headers[at]!;
  const next = at + 1 < headers.length ? headers[at + 1]! : doc.lineCount;
  const out = [doc.line(h).trim()];
  for (let j = Math.max(h + 1, li - SECTION_LINES); j < next && j <= li + SECTION_LINES; j++) {
    if (j !== li) out.push(doc.line(j).slice(0, LINE_WINDOW));
  }
  return out;
}

/** The 0-based lines that are `[section]` headers, found once per document. */
export function sectionHeaders(doc: Document): number[] {
  return doc.memo('sections', () => {
    const found: number[] = [];
    for (let j = 0; j < doc.lineCount; j++) {
      const l = doc.line(j);
      if (l.length < 120 && l.trimStart().startsWith('[') && SECTION.test(l)) found.push(j);
    }
    return found;
  });
}
