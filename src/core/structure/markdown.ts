/** Markdown pieces of a scope: the list of settings and the table a value sits in. */
import type { Document } from '../document.js';
import { isBlank, leadingBlanks } from './lines.js';

/**
 * A Markdown list item that holds a setting: `*`, `+` and numbered bullets, or a `-` bullet whose
 * label is emphasised or has words (`- **SMTP Host**: …`, `- SMTP Host: …`). A YAML list item
 * (`- name: A`) is none of these and keeps its own scope.
 */
export function isMarkdownItem(line: string): boolean {
  const m = /^[ \t]*([-*+]|\d{1,3}[.)])[ \t]+(\S.*)$/.exec(line);
  if (!m) return false;
  if (m[1] !== '-') return true;
  return /^(?:\*\*|__|`)/.test(m[2]!) || /^[A-Za-z][\w-]{0,40}(?:[ \t]+[A-Za-z][\w-]{0,40}){1,3}[ \t]*:/.test(m[2]!);
}

const LIST_LINES = 40;

/**
 * The items of the Markdown list around line `li` (a list of settings is one block: the host on
 * one bullet, the user on the next), and the line that introduces the list. Blank lines between
 * items are crossed; deeper lines are an item's continuation; anything else ends the list.
 */
export function markdownListScope(doc: Document, li: number): string[] {
  const indent = leadingBlanks(doc.line(li));
  const out: string[] = [];
  const inList = (l: string) => leadingBlanks(l) === indent && /^[ \t]*(?:[-*+]|\d{1,3}[.)])[ \t]+\S/.test(l);
  for (let j = li - 1; j >= 0 && j >= li - LIST_LINES; j--) {
    const l = doc.line(j);
    if (isBlank(l) || leadingBlanks(l) > indent) continue;
    out.push(l);
    if (!inList(l)) break;
  }
  for (let j = li + 1; j < doc.lineCount && j <= li + LIST_LINES; j++) {
    const l = doc.line(j);
    if (isBlank(l) || leadingBlanks(l) > indent) continue;
    if (!inList(l)) break;
    out.push(l);
  }
  return out;
}

/** The other rows of the Markdown table holding line `li`, and the line above the table. */
export function tableScope(doc: Document, li: number): string[] {
  const out: string[] = [];
  const isRow = (l: string) => /^\s*\|/.test(l);
  for (let j = li - 1; j >= 0 && j >= li - LIST_LINES; j--) {
    const l = doc.line(j);
    if (!isRow(l)) {
      if (!isBlank(l)) out.push(l);
      else if (j > 0 && !isBlank(doc.line(j - 1))) out.push(doc.line(j - 1));
      break;
    }
    out.push(l);
  }
  for (let j = li + 1; j < doc.lineCount && j <= li + LIST_LINES && isRow(doc.line(j)); j++) out.push(doc.line(j));
  return out;
}
