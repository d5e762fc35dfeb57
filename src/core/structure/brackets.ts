/** The brackets around a value: the blocks it sits in, their headers and scalar members, its argument position. */
import type { Document } from '../document.js';
import { BRACKET_WINDOW, MAX_ANCESTORS, MEMBERS_WINDOW } from './limits.js';

const OPEN = new Set(['(', '[', '{']);
const CLOSE: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

export interface Block {
  open: number;
  char: string;
}

/** 1-based index of the argument that starts at `at`, counting commas at depth 0 from `from`. */
export function argumentIndex(text: string, from: number, at: number): number {
  let n = 1;
  let depth = 0;
  for (let i = from; i < at; i++) {
    const c = text[i]!;
    if (OPEN.has(c)) depth++;
    else if (c in CLOSE) depth--;
    else if (c === ',' && depth === 0) n++;
  }
  return n;
}

/**
 * The unclosed brackets before `start`, innermost first, at most `max` of them within the window.
 * Where each closes is left to the readers that need it (scalarMembers stops at the close), so
 * finding the call around a literal costs a walk back to its `(` and no more. Brackets inside
 * strings are not told apart: config and call sites rarely put brackets in the strings that
 * matter, and a bounded scan is worth more.
 */
export function enclosingBlocks(text: string, start: number, max = MAX_ANCESTORS): Block[] {
  const blocks: Block[] = [];
  let depth = 0;
  const stop = Math.max(0, start - BRACKET_WINDOW);
  for (let i = start - 1; i >= stop && blocks.length < max; i--) {
    // Char codes, not strings: this loop is the hottest in the engine.
    const c = text.charCodeAt(i);
    if (c === 41 || c === 93 || c === 125) depth++;
    else if (c === 40 || c === 91 || c === 123) {
      if (depth === 0) blocks.push({ open: i, char: text[i]! });
      else depth--;
    }
  }
  return blocks;
}

/**
 * The innermost unclosed bracket before `start`. Candidates arrive in text order, so when the
 * walk back reaches the previous query's start with nothing left open in between, that query's
 * answer is this one's too: the elements of a long list share its `[`, found once.
 */
export function innermostBlock(doc: Document, start: number): Block | undefined {
  const last = doc.memo('innermost', () => ({ at: -1, block: undefined as Block | undefined }));
  const text = doc.text;
  const stop = Math.max(0, start - BRACKET_WINDOW);
  let depth = 0;
  let found: Block | undefined;
  for (let i = start - 1; i >= stop; i--) {
    if (i + 1 === last.at && depth === 0) {
      found = last.block && last.block.open >= stop ? last.block : undefined;
      break;
    }
    const c = text.charCodeAt(i);
    if (c === 41 || c === 93 || c === 125) depth++;
    else if (c === 40 || c === 91 || c === 123) {
      if (depth === 0) {
        found = { open: i, char: text[i]! };
        break;
      }
      depth--;
    }
  }
  last.at = start;
  last.block = found;
  return found;
}

/**
 * The text that names a block: before its opening bracket on that line, back to the start of
 * the member or statement it opens (a `,`, `;`, `{` or `[` outside parentheses, so a one-line
 * `{"postmark": {…}, "redis": {` names the block `"redis":`), or the line above when the bracket
 * opens its line.
 */
export function headerBefore(doc: Document, open: number): string {
  return header(doc, open).text;
}

/**
 * headerBefore's text, and where its reading started: the character before its own line's
 * header (the separator, the line break, or the window's edge), or the line break before the
 * lines above it read for an empty head; -1 for the document's start. The incremental scan
 * keeps that bound (structure/site.ts).
 */
export function header(doc: Document, open: number): { text: string; lo: number } {
  const li = doc.lineIndexOf(open);
  const t = doc.text;
  const from = headerStart(doc, open, li);
  const head = t.slice(from, open).trim();
  if (head !== '' || li === 0) return { text: head, lo: from - 1 };
  for (let j = li - 1; j >= 0 && j >= li - 3; j--) {
    const prev = doc.line(j).trim();
    if (prev !== '') return { text: prev.slice(-160), lo: doc.lineStarts[j]! - 1 };
  }
  return { text: '', lo: doc.lineStarts[Math.max(0, li - 3)]! - 1 };
}

/**
 * Where the header of the block opening at `open` (on 0-based line `li`) starts on its own line:
 * past the last member or statement separator before it, at most 160 characters back.
 */
function headerStart(doc: Document, open: number, li: number): number {
  const t = doc.text;
  const from = Math.max(doc.lineStarts[li]!, open - 160);
  let depth = 0;
  for (let i = open - 1; i >= from; i--) {
    const c = t[i]!;
    if (c === ')' || c === ']' || c === '}') depth++;
    else if (c === '(' || ((c === '[' || c === '{') && depth > 0)) depth = Math.max(0, depth - 1);
    else if (depth === 0 && (c === ',' || c === ';' || c === '{' || c === '[')) return i + 1;
  }
  return from;
}

/** Where the member holding offset `at` starts: after the last `,` or `;` outside brackets since `from`. */
export function memberStart(text: string, from: number, at: number): number {
  let depth = 0;
  for (let i = at - 1; i >= from; i--) {
    const c = text[i]!;
    if (c in CLOSE) depth++;
    else if (OPEN.has(c)) depth = Math.max(0, depth - 1);
    else if (depth === 0 && (c === ',' || c === ';')) return i + 1;
  }
  return from;
}

/**
 * A block's members at its own depth, with every member that opens a nested object or list left
 * out (`"redis": {…}`, `'tags' => [...]`); members holding only calls stay (`env('MAIL_HOST', …)`).
 */
export function scalarMembers(text: string, b: Block): string {
  const limit = Math.min(text.length, b.open + 1 + MEMBERS_WINDOW);
  let end = limit;
  const out: string[] = [];
  let depth = 0;
  let memberStart = b.open + 1;
  let nested = false;
  const flush = (i: number) => {
    if (!nested) {
      const m = text.slice(memberStart, i).trim();
      if (m !== '') out.push(m);
    }
    memberStart = i + 1;
    nested = false;
  };
  for (let i = b.open + 1; i < limit; i++) {
    const c = text[i]!;
    if (OPEN.has(c)) {
      if (depth === 0 && c !== '(') nested = true;
      depth++;
    } else if (c in CLOSE) {
      if (depth === 0) {
        end = i;
        break;
      }
      depth--;
    } else if (depth === 0 && (c === ',' || c === ';' || c === '\n')) flush(i);
  }
  flush(end);
  return out.join('\n');
}
