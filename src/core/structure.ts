/**
 * What surrounds a candidate secret. A UUID is a Postmark token only in a Postmark context, and
 * that context is often not on the token's line: a mail block whose host is smtp.postmarkapp.com,
 * an object whose `provider` is postmark, a Helm `postmark:` section, a call to a Postmark client.
 * So rather than a fixed keyword window, a site reads the structure the value sits in:
 *   - the key it is assigned to (and that key's dotted path),
 *   - the call whose argument list holds it,
 *   - its scope: the enclosing bracket block (siblings plus headers of the blocks above),
 *     the indentation block (siblings plus parent lines), and the INI/TOML section.
 * Everything is computed lazily and every scan is bounded, so hostile input stays linear.
 */
import type { Document } from './document.js';

/** How far a site looks around itself, in characters or lines. */
const LINE_WINDOW = 300;
const BRACKET_WINDOW = 8000;
const INDENT_LINES = 200;
const SECTION_LINES = 1000;
const MAX_ANCESTORS = 4;

const OPEN = new Set(['(', '[', '{']);
const CLOSE: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

export interface KeyInfo {
  key: string;
  path: string;
}

export interface CallInfo {
  header: string;
  firstArg: boolean;
}

interface Block {
  open: number;
  close: number;
  char: string;
}

export class Site {
  private _line: number | undefined;
  private _key: KeyInfo | null | undefined;
  private _call: CallInfo | null | undefined;
  private _scope: string | undefined;
  private _blocks: Block[] | undefined;

  constructor(
    readonly doc: Document,
    readonly start: number,
    readonly end: number,
  ) {}

  get lineIndex(): number {
    if (this._line === undefined) this._line = this.doc.lineIndexOf(this.start);
    return this._line;
  }

  private get lineStart(): number {
    return this.doc.lineStarts[this.lineIndex]!;
  }

  /** Text before the match on its line (at most LINE_WINDOW characters). */
  get before(): string {
    return this.doc.text.slice(Math.max(this.lineStart, this.start - LINE_WINDOW), this.start);
  }

  /** Text after the match on its line (at most LINE_WINDOW characters). */
  get after(): string {
    const t = this.doc.text;
    let nl = t.indexOf('\n', this.end);
    if (nl === -1 || nl - this.end > LINE_WINDOW) nl = Math.min(t.length, this.end + LINE_WINDOW);
    return t.slice(this.end, nl);
  }

  get key(): KeyInfo | null {
    if (this._key === undefined) this._key = extractKey(this.before, this.before + this.after);
    return this._key;
  }

  get call(): CallInfo | null {
    if (this._call === undefined) {
      const inner = this.blocks[0];
      if (!inner || inner.char !== '(') this._call = null;
      else {
        const between = this.doc.text.slice(inner.open + 1, this.start);
        this._call = { header: headerBefore(this.doc, inner.open), firstArg: /^[\s"'`]*$/.test(between) };
      }
    }
    return this._call;
  }

  /** Innermost first: the unclosed brackets around the match. */
  private get blocks(): Block[] {
    if (!this._blocks) this._blocks = enclosingBlocks(this.doc.text, this.start, this.end);
    return this._blocks;
  }

  get scope(): string {
    if (this._scope === undefined) {
      const parts: string[] = [];
      const k = this.key;
      if (k) parts.push(k.path);
      const t = this.doc.text;
      this.blocks.forEach((b, i) => {
        parts.push(headerBefore(this.doc, b.open));
        if (i === 0) parts.push(t.slice(b.open + 1, b.close === -1 ? Math.min(t.length, this.end + BRACKET_WINDOW) : b.close));
      });
      parts.push(...indentationScope(this.doc, this.lineIndex));
      const section = sectionHeader(this.doc, this.lineIndex);
      if (section) parts.push(section);
      this._scope = parts.join('\n');
    }
    return this._scope;
  }
}

/**
 * The key a value is assigned to, read from the text before it on its line:
 * `KEY=`, `KEY: `, `"key": "`, `'key' => '`, `key := `, `ENV KEY `, `<Key>`, `setenv("KEY", "`,
 * `<add key="Name" value="`. The path keeps the dotted chain (`config.postmark.token`).
 */
export function extractKey(before: string, line: string): KeyInfo | null {
  let s = before.replace(/[\s"'`]+$/, '');
  const xml = /<([A-Za-z_][\w.:-]{0,100})(?:\s[^<>]{0,200})?>$/.exec(s);
  if (xml) return chain(xml[1]!);
  const op = /(=>|:=|\?\?=|\|\|=|=|:|,)$/.exec(s);
  if (!op) {
    const spaced = /(?:^|\s)(?:ENV|ARG|export|set|setenv|SetEnv|SetEnvIf)\s+([A-Za-z_][\w.-]{0,100})$/i.exec(s);
    return spaced ? chain(spaced[1]!) : null;
  }
  s = s.slice(0, -op[1]!.length).trimEnd();
  if (op[1] === ',') {
    const arg = /(['"])([A-Za-z_][\w.:-]{0,100})\1$/.exec(s);
    return arg ? chain(arg[2]!) : null;
  }
  s = s.replace(/["'`\]]+$/, '');
  const m = /[A-Za-z_$@][\w$@.:\-[\]'">]{0,200}$/.exec(s);
  if (!m) return null;
  const info = chain(m[0]);
  if (info && /^value$/i.test(info.key)) {
    const named = /\b(?:key|name)\s*=\s*["']([\w.:-]{1,100})["']/i.exec(line);
    if (named) return chain(named[1]!);
  }
  return info;
}

function chain(raw: string): KeyInfo | null {
  const parts = raw.split(/->|__|[.:[\]'">]+/).filter(Boolean);
  const key = parts[parts.length - 1];
  return key ? { key, path: parts.join('.') } : null;
}

/**
 * The unclosed brackets around [start, end), innermost first, each with its closing offset
 * (-1 when not found within the window). Brackets inside strings are not told apart: config
 * and call sites rarely put brackets in the strings that matter, and a bounded scan is worth more.
 */
function enclosingBlocks(text: string, start: number, end: number): Block[] {
  const blocks: Block[] = [];
  let depth = 0;
  const stop = Math.max(0, start - BRACKET_WINDOW);
  for (let i = start - 1; i >= stop && blocks.length < MAX_ANCESTORS; i--) {
    const c = text[i]!;
    if (c in CLOSE) depth++;
    else if (OPEN.has(c)) {
      if (depth === 0) blocks.push({ open: i, close: -1, char: c });
      else depth--;
    }
  }
  const inner = blocks[0];
  if (inner) {
    depth = 0;
    const limit = Math.min(text.length, end + BRACKET_WINDOW);
    for (let i = end; i < limit; i++) {
      const c = text[i]!;
      if (OPEN.has(c)) depth++;
      else if (c in CLOSE) {
        if (depth === 0) {
          inner.close = i;
          break;
        }
        depth--;
      }
    }
  }
  return blocks;
}

/** The text that names a block: before its opening bracket on that line, or the line above. */
function headerBefore(doc: Document, open: number): string {
  const li = doc.lineIndexOf(open);
  const lineStart = doc.lineStarts[li]!;
  const head = doc.text.slice(Math.max(lineStart, open - 160), open).trim();
  if (head !== '' || li === 0) return head;
  for (let j = li - 1; j >= 0 && j >= li - 3; j--) {
    const prev = doc.line(j).trim();
    if (prev !== '') return prev.slice(-160);
  }
  return '';
}

function indentOf(line: string): number {
  const m = /^[\t ]*(?:-[\t ]+)?/.exec(line)!;
  return m[0].length;
}

const isBlank = (line: string) => line.trim() === '';

/**
 * Siblings at the same indentation and the parent lines above them. At indentation 0
 * (`.env` files, top-level statements) a blank line ends the block, since such files group
 * related settings in paragraphs; deeper down blank lines are skipped as YAML does.
 */
function indentationScope(doc: Document, li: number): string[] {
  const out: string[] = [];
  const own = doc.line(li);
  const ind = indentOf(own);
  const flat = ind === 0;
  let headerIndent = ind;
  for (let j = li - 1; j >= 0 && j >= li - INDENT_LINES; j--) {
    const l = doc.line(j);
    if (isBlank(l)) {
      if (flat) break;
      continue;
    }
    const k = indentOf(l);
    if (k < headerIndent) {
      out.push(l);
      headerIndent = k;
      if (k === 0) break;
    } else if (k === ind && headerIndent === ind) out.push(l);
  }
  for (let j = li + 1; j < doc.lineCount && j <= li + INDENT_LINES; j++) {
    const l = doc.line(j);
    if (isBlank(l)) {
      if (flat) break;
      continue;
    }
    const k = indentOf(l);
    if (k < ind) break;
    if (k === ind) out.push(l);
  }
  return out.map((l) => l.slice(0, LINE_WINDOW));
}

/** The nearest `[section]` line above (INI, TOML, git-config style files). */
function sectionHeader(doc: Document, li: number): string | null {
  for (let j = li; j >= 0 && j >= li - SECTION_LINES; j--) {
    const l = doc.line(j);
    if (l.length < 120 && /^\s*\[{1,2}[^\]\r\n=]{1,100}\]{1,2}\s*(?:[#;].*)?$/.test(l)) return l.trim();
  }
  return null;
}
