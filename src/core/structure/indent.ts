/** Indentation scope: a value's siblings at its indentation, its parent lines and the parent's siblings. */
import type { Document } from '../document.js';
import { INDENT_LINES, LINE_WINDOW } from './limits.js';
import { indentOf, isBlank } from './lines.js';
import { isMarkdownItem, markdownListScope, tableScope } from './markdown.js';

const isItemStart = (line: string) => /^[\t ]*-[\t ]/.test(line);
/**
 * A top-level line that sets something (`KEY=v`, `key: v`, `$mail->Host = v`, `host v`), as
 * opposed to a command or prose: in a shell script the line above is another command, not a
 * sibling setting.
 */
const isSetting = (line: string) =>
  /^\s{0,8}(?:(?:export|set|ENV|ARG|SetEnv)\s+)?[\w.$@>[\]'"-]{1,100}\s*(?:=|:|=>|\s\S+\s*$)/.test(line) || isLabelSetting(line);
/** A labelled line in prose or Markdown: `SMTP Host: …`, `**SMTP Host**: …`, `**SMTP User:** …`. */
const isLabelSetting = (line: string) => /^\s{0,8}(?:\*\*|__|`)?[A-Za-z][\w-]{0,40}(?:[ \t]+[A-Za-z][\w-]{0,40}){0,3}(?:\*\*|__|`)?[ \t]*:(?:\*\*|__)?[ \t]+\S/.test(line);

/** The non-blank line after `j` within the window, or -1. */
function nextNonBlank(doc: Document, j: number, limit: number): number {
  for (let n = j + 1; n < doc.lineCount && n <= limit; n++) if (!isBlank(doc.line(n))) return n;
  return -1;
}

/** A line that opens a nested block by indentation: the next non-blank line is deeper. */
function opensBlock(doc: Document, j: number, indent: number, limit: number): boolean {
  const n = nextNonBlank(doc, j, limit);
  return n !== -1 && indentOf(doc.line(n)) > indent;
}

/**
 * Lines at `indent` around line `li` (exclusive) within its block: upward until a shallower line,
 * downward likewise, leaving out lines that open a nested block and stopping at list-item
 * boundaries (`- name: A` starts another item). A blank line ends a top-level block, since flat
 * files (`.env`, settings modules) group related settings in paragraphs, and there only setting
 * lines count as siblings.
 */
function siblings(doc: Document, li: number, indent: number, ownIsItem: boolean): { lines: string[]; parent: number } {
  const lines: string[] = [];
  const flat = indent === 0;
  const limit = li + INDENT_LINES;
  let parent = -1;
  let collecting = !ownIsItem;
  for (let j = li - 1; j >= 0 && j >= li - INDENT_LINES; j--) {
    const l = doc.line(j);
    if (isBlank(l)) {
      if (flat) break;
      continue;
    }
    const k = indentOf(l);
    if (k < indent) {
      parent = j;
      break;
    }
    if (k === indent && collecting) {
      if (!opensBlock(doc, j, k, limit) && (!flat || isSetting(l))) lines.push(l);
      if (isItemStart(l)) collecting = false;
    }
  }
  for (let j = li + 1; j < doc.lineCount && j <= limit; j++) {
    const l = doc.line(j);
    if (isBlank(l)) {
      if (flat) break;
      continue;
    }
    const k = indentOf(l);
    if (k < indent) break;
    if (k === indent) {
      if (isItemStart(l)) break;
      if (!opensBlock(doc, j, k, limit) && (!flat || isSetting(l))) lines.push(l);
    }
  }
  return { lines, parent };
}

/**
 * Siblings at the same indentation, the parent lines above them, and the parent's own scalar
 * siblings (an `auth:` block's `host:`) unless the parent is at the top level, where every
 * setting of a YAML file would share one scope.
 */
export function indentationScope(doc: Document, li: number): string[] {
  const own = doc.line(li);
  if (isMarkdownItem(own)) return markdownListScope(doc, li).map((l) => l.slice(0, LINE_WINDOW));
  if (/^\s*\|/.test(own)) return tableScope(doc, li).map((l) => l.slice(0, LINE_WINDOW));
  const ind = indentOf(own);
  const { lines: out, parent } = siblings(doc, li, ind, isItemStart(own));
  if (parent === -1) return out.map((l) => l.slice(0, LINE_WINDOW));
  const parentLine = doc.line(parent);
  out.push(parentLine);
  const parentIndent = indentOf(parentLine);
  const ancestors: string[] = [];
  let headerIndent = parentIndent;
  for (let j = parent - 1; j >= 0 && j >= li - INDENT_LINES && headerIndent > 0; j--) {
    const l = doc.line(j);
    if (isBlank(l)) continue;
    const k = indentOf(l);
    if (k < headerIndent) {
      ancestors.push(l);
      headerIndent = k;
    }
  }
  // The parent's siblings count when the parent sits in a named block; a JSON file's root `{`
  // names nothing, and its members are the whole file's settings.
  const grandparent = ancestors[0];
  if (grandparent !== undefined && /\w/.test(grandparent)) out.push(...siblings(doc, parent, parentIndent, isItemStart(parentLine)).lines);
  out.push(...ancestors);
  return out.map((l) => l.slice(0, LINE_WINDOW));
}
