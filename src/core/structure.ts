/**
 * What surrounds a candidate secret. A UUID is a Postmark token only in a Postmark context, and
 * that context is often not on the token's line: a mail block whose host is smtp.postmarkapp.com,
 * an object whose `provider` is postmark, a Helm `postmark:` section, a call to a Postmark client.
 * So rather than a fixed keyword window, a site reads the structure the value sits in:
 *   - the key it is assigned to (and that key's dotted path),
 *   - the call whose argument list holds it, and which argument it is,
 *   - its scope: its own line up to the value; the enclosing bracket block's header and scalar
 *     members, the headers of the blocks above, and the parent block's scalar members; the
 *     indentation block's scalar siblings, parent lines and the parent's scalar siblings; the
 *     INI/TOML section header and its lines.
 * "Scalar" members leave out members that open a nested object or list: a sibling `postmark:`
 * section says nothing about a `password:` in a `redis:` section beside it.
 * Everything is computed lazily and every scan is bounded, so hostile input stays linear.
 */
import type { Document } from './document.js';

/** How far a site looks around itself, in characters or lines. */
const LINE_WINDOW = 300;
const BRACKET_WINDOW = 8000;
const MEMBERS_WINDOW = 4000;
const INDENT_LINES = 200;
const SECTION_LINES = 200;
const MAX_ANCESTORS = 4;
const MAX_KEY = 200;

const OPEN = new Set(['(', '[', '{']);
const CLOSE: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

export interface KeyInfo {
  key: string;
  path: string;
  /**
   * The other reading of an ambiguous `name: Word = "…"`: `Word` as the assigned key rather than
   * the declared type (`run: TOKEN="…" npm test`). A key context holds when either reading matches.
   */
  also?: string;
}

export interface CallInfo {
  header: string;
  /** 1-based position of the value among the call's arguments. */
  readonly arg: number;
}

export interface Block {
  open: number;
  char: string;
}

export class Site {
  private _line: number | undefined;
  private _before: string | undefined;
  private _after: string | undefined;
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
    if (this._before === undefined) this._before = this.doc.text.slice(Math.max(this.lineStart, this.start - LINE_WINDOW), this.start);
    return this._before;
  }

  /** Text after the match on its line (at most LINE_WINDOW characters). */
  get after(): string {
    if (this._after === undefined) {
      // Sliced first: indexOf over the rest of a one-line (minified) file would make every
      // candidate scan to its end.
      const window = this.doc.text.slice(this.end, this.end + LINE_WINDOW);
      const nl = window.indexOf('\n');
      this._after = nl === -1 ? window : window.slice(0, nl);
    }
    return this._after;
  }

  get key(): KeyInfo | null {
    if (this._key === undefined) this._key = extractKey(this.before, this.before + this.after);
    return this._key;
  }

  /**
   * The character before the value, past blanks and quotes: `(` for a first argument, `,` for a
   * later one. Checked before a call context computes anything, since most quoted literals in a
   * file (JSON values, map entries) are preceded by neither.
   */
  get argDelimiter(): string {
    const t = this.doc.text;
    const stop = Math.max(0, this.start - LINE_WINDOW);
    for (let i = this.start - 1; i >= stop; i--) {
      const c = t.charCodeAt(i);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 34 && c !== 39 && c !== 96) return t[i]!;
    }
    return '';
  }

  get call(): CallInfo | null {
    if (this._call === undefined) {
      // Only the innermost block matters here: stop at the first unclosed bracket rather than
      // walking the whole window for ancestors, since this runs for every quoted literal.
      const inner = this._blocks ? this._blocks[0] : innermostBlock(this.doc, this.start);
      if (!inner || inner.char !== '(') this._call = null;
      else {
        // The position is counted only when a context asks: it walks the whole argument list.
        const text = this.doc.text;
        const start = this.start;
        let arg: number | undefined;
        this._call = {
          header: headerBefore(this.doc, inner.open),
          get arg() {
            return (arg ??= argumentIndex(text, inner.open + 1, start));
          },
        };
      }
    }
    return this._call;
  }

  /** Innermost first: the unclosed brackets around the match. */
  get blocks(): Block[] {
    if (!this._blocks) this._blocks = enclosingBlocks(this.doc.text, this.start);
    return this._blocks;
  }

  get scope(): string {
    if (this._scope === undefined) {
      const parts: string[] = [];
      const k = this.key;
      if (k) parts.push(k.path);
      const blocks = this.blocks;
      // The value's own line. When its innermost block opens on the line, only its own member:
      // the block's header and scalar members are read below, and a one-line JSON object's
      // earlier members are siblings (`{"postmark": {…}, "token": "…"}` says nothing of the token).
      const inner = blocks[0];
      parts.push(inner && inner.open >= this.lineStart ? this.doc.text.slice(memberStart(this.doc.text, Math.max(inner.open + 1, this.start - LINE_WINDOW), this.start), this.start) : this.before);
      blocks.forEach((b, i) => {
        const header = headerBefore(this.doc, b.open);
        parts.push(header);
        // The parent's members count only when the parent is a named object, not a file's root
        // `{`: every value in a JSON file would otherwise share one scope.
        if (i === 0 || (i === 1 && (header !== '' || blocks.length > 2))) parts.push(this.doc.memo(`m${b.open}`, () => scalarMembers(this.doc.text, b)));
      });
      parts.push(...indentationScope(this.doc, this.lineIndex));
      parts.push(...sectionScope(this.doc, this.lineIndex));
      this._scope = parts.join('\n');
    }
    return this._scope;
  }
}

// Matched against the text before the value with trailing blanks and quotes removed.
const SPACED_KEY = /(?:^|[\s;&|(])(?:ENV|ARG|export|declare\s+-x|readonly|set|setx|setenv|SetEnv|SetEnvIf|set\s+-[gxU]{1,3})\s+([A-Za-z_][\w.-]{0,100})$/i;
const GH_SECRET_SET = /\bset\s+([A-Za-z_][\w-]{0,100})\s+(?:--body|-b)$/;
const CLI_FLAG = /(?:^|\s)--?([A-Za-z][\w-]{0,60})$/;
const CREDENTIAL_WORD = /(?:^|\s)(login|user|username|password|passwd|pass|token|secret|apikey|api_key)$/i;
const BARE_PAIR = /^\s*([A-Za-z_][\w.-]{0,100})$/;
const TYPED_NAME = /(?<![\w$])([A-Za-z_]\w{0,100})\s*:\s*&?(?:'\w{1,20}\s)?[A-Za-z_][\w.<>[\]|&]{0,60}$/;
const GO_VAR = /\b(?:var|const)\s+([A-Za-z_]\w{0,100})\s+\*?[A-Za-z_][\w.[\]]{0,60}$/;
const NAMED_VALUE = /\b(?:key|name)["']?\s*[:=]\s*["']([\w.:-]{1,100})["']/i;

/**
 * The key a value is assigned to, read from the text before it on its line:
 * `KEY=`, `KEY: `, `"key": "`, `'key' => '`, `key := `, `"key": ["` (a list value), `ENV KEY `,
 * `export KEY=`, `<Key>`, `setenv("KEY", "`, `--flag `, `login ` (netrc, msmtprc), and
 * name/value pairs on one line (`<add key="Name" value="`, `{"name": "X", "value": "`).
 * The path keeps the dotted chain (`config.postmark.token`, `Postmark__ServerToken`).
 */
export function extractKey(before: string, line: string): KeyInfo | null {
  let s = trimQuotesEnd(before);
  const quoted = /["'`]/.test(before.slice(s.length));
  const xml = /<([A-Za-z_][\w.:-]{0,100})(?:\s[^<>]{0,200})?>$/.exec(s);
  if (xml) return chain(xml[1]!);
  if (s.endsWith('|')) return tableKey(s);
  // Markdown emphasis around a label and its colon: `**SMTP User:** value`.
  if (/:(?:\*\*|__)$/.test(s)) s = s.slice(0, -2);
  if (/[:=]\s*\[$/.test(s)) s = s.slice(0, -1).replace(/[\s"'`]+$/, '');
  const op = /(=>|:=|\?\?=|\|\|=|\?=|\+=|=|:|,)$/.exec(s);
  if (!op) return spacedKey(s) ?? proseKey(s);
  s = s.slice(0, -op[1]!.length).trimEnd();
  if (op[1] === ',') {
    const arg = quotedNameAtEnd(s);
    return arg ? chain(arg) : null;
  }
  if (op[1] !== ':') {
    // A declared type between name and `=`: `token: string =`, `TOKEN: Final =`. The same text is
    // a label before a shell-style assignment (`debug: TOKEN=…` in a commit subject, `run: TOKEN=…`
    // in CI YAML). A typed declaration's value is an expression, so a bare token after the `=`
    // rules the type reading out; a quoted one keeps both readings.
    const go = GO_VAR.exec(s);
    if (go) return chain(go[1]!);
    const typed = quoted ? TYPED_NAME.exec(s) : null;
    if (typed) {
      const info = chain(typed[1]!);
      const assigned = trailingKey(s.replace(/["'`\]*]+$/, ''));
      const other = assigned === null ? null : chain(assigned);
      if (info && other && other.key !== info.key) info.also = other.key;
      return info;
    }
  }
  // Quotes, brackets and markdown emphasis around the key: `"key":`, `['key'] =`, `**KEY**:`.
  s = s.replace(/["'`\]*]+$/, '');
  const raw = trailingKey(s);
  if (!raw) return null;
  const info = chain(raw);
  if (info && /(^|_)value$/i.test(info.key)) {
    const named = NAMED_VALUE.exec(line);
    if (named) return chain(named[1]!);
  }
  if (info && op[1] === ':') {
    // A label of words (`SMTP User:`, `**Secret Key**:`, `- Server Token:`) names its value as a
    // whole: `Secret_Key` is the other reading of the key `Key`.
    const label = labelAtEnd(s);
    if (label) info.also = label;
  }
  return info;
}

/** Up to four words, no more: a label, not a sentence. */
const LABEL = /[A-Za-z][A-Za-z0-9]{0,40}(?:[ \t]+[A-Za-z][A-Za-z0-9]{0,40}){1,3}$/;
/** What may stand before a label: the line start, a list bullet, a quote, emphasis, a table bar. */
const LABEL_LEAD = /^[ \t]*(?:(?:[-*+>]|\d{1,3}[.)])[ \t]+)?[*_`|(]{0,3}[ \t]*$/;

/** The words of a label that ends `s` and starts its line or list item, joined by `_`, or undefined. */
function labelAtEnd(s: string): string | undefined {
  const m = LABEL.exec(s.slice(-200));
  if (!m) return undefined;
  const lead = s.slice(0, s.length - m[0].length);
  return LABEL_LEAD.test(lead.slice(-20)) && lead.length <= 20 ? m[0].split(/[ \t]+/).join('_') : undefined;
}

const CELL_NAME = /^[A-Za-z_][\w.:-]{0,100}$/;
const CELL_LABEL = /^[A-Za-z][A-Za-z0-9]{0,40}(?:[ \t]+[A-Za-z][A-Za-z0-9]{0,40}){1,3}$/;

/**
 * The key of a Markdown table cell: the cell before it (`| POSTMARK_SERVER_TOKEN | value |`), or
 * the row's first cell when the one before is a description (`| name | what it is | value |`).
 */
function tableKey(s: string): KeyInfo | null {
  const cells = s.split('|');
  const names = [cells[cells.length - 2], /^\s*$/.test(cells[0]!) ? cells[1] : undefined]
    .filter((c): c is string => c !== undefined)
    .map((c) => c.trim().replace(/^[`*_]{1,3}|[`*_]{1,3}$/g, ''));
  // A variable name in either cell first: a description's last word names nothing.
  const name = names.find((n) => CELL_NAME.test(n));
  if (name !== undefined) return chain(name);
  const label = names.find((n) => CELL_LABEL.test(n));
  if (label === undefined) return null;
  const words = label.split(/[ \t]+/);
  return { key: words[words.length - 1]!, path: words.join('.'), also: words.join('_') };
}

/**
 * A key named in a sentence: `the POSTMARK_SERVER_TOKEN is …`, `set your server token to …`.
 * The last word is the key, the last two its other reading (`server_token`).
 */
const PROSE_KEY = /(?:^|[\s(,;])((?:[A-Za-z][\w-]{0,40}[ \t]+)?[A-Za-z_][\w.-]{0,100})[ \t]+(?:is|was|to|as)$/i;

function proseKey(s: string): KeyInfo | null {
  // The verb first: most text before a value ends otherwise, and the pattern is tried per position.
  if (!/\s(?:is|was|to|as)$/i.test(s)) return null;
  const m = PROSE_KEY.exec(s.slice(-250));
  if (!m) return null;
  const words = m[1]!.split(/[ \t]+/);
  const info = chain(words[words.length - 1]!);
  if (info && words.length === 2) info.also = words.join('_');
  return info;
}

const QUOTES_AND_BLANKS = new Set([' ', '\t', '\r', '\n', '"', "'", '`']);

/** `s` without trailing blanks and quotes (a loop: `/[\s"'`]+$/` retries at every position). */
function trimQuotesEnd(s: string): string {
  let i = s.length;
  while (i > 0 && QUOTES_AND_BLANKS.has(s[i - 1]!)) i--;
  return s.slice(0, i);
}

/** The name in a quoted literal that ends `s` (`setenv("NAME"`), or null. */
function quotedNameAtEnd(s: string): string | null {
  const q = s[s.length - 1];
  if (q !== '"' && q !== "'") return null;
  const open = s.lastIndexOf(q, s.length - 2);
  if (open === -1 || s.length - open > 102) return null;
  const name = s.slice(open + 1, -1);
  return /^[A-Za-z_][\w.:-]*$/.test(name) ? name : null;
}

/** Keys written without an operator: `ENV KEY value`, `--token value`, `password value`. */
function spacedKey(s: string): KeyInfo | null {
  for (const re of [SPACED_KEY, GH_SECRET_SET, CLI_FLAG, CREDENTIAL_WORD, BARE_PAIR]) {
    const m = re.exec(s);
    if (m) return chain(m[1]!);
  }
  return null;
}

const KEY_CHAR = /[\w$@.:\-[\]'">]/;
const KEY_START = /[A-Za-z_$@]/;

/**
 * The key-like word that ends `s` (letters, digits and the separators of dotted, indexed and
 * arrow paths), found by walking back at most MAX_KEY characters: a regex anchored at `$` would
 * retry from every position of a long line.
 */
function trailingKey(s: string): string | null {
  let i = s.length;
  const stop = Math.max(0, s.length - MAX_KEY - 1);
  while (i > stop && KEY_CHAR.test(s[i - 1]!)) i--;
  while (i < s.length && !KEY_START.test(s[i]!)) i++;
  return i < s.length ? s.slice(i) : null;
}

function chain(raw: string): KeyInfo | null {
  const parts = raw.split(/->|__|[.:[\]'">]+/).filter(Boolean);
  const key = parts[parts.length - 1];
  return key ? { key, path: parts.join('.') } : null;
}

/** 1-based index of the argument that starts at `at`, counting commas at depth 0 from `from`. */
function argumentIndex(text: string, from: number, at: number): number {
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
function innermostBlock(doc: Document, start: number): Block | undefined {
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
function headerBefore(doc: Document, open: number): string {
  const li = doc.lineIndexOf(open);
  const lineStart = doc.lineStarts[li]!;
  const t = doc.text;
  let from = Math.max(lineStart, open - 160);
  let depth = 0;
  for (let i = open - 1; i >= from; i--) {
    const c = t[i]!;
    if (c === ')' || c === ']' || c === '}') depth++;
    else if (c === '(' || ((c === '[' || c === '{') && depth > 0)) depth = Math.max(0, depth - 1);
    else if (depth === 0 && (c === ',' || c === ';' || c === '{' || c === '[')) {
      from = i + 1;
      break;
    }
  }
  const head = t.slice(from, open).trim();
  if (head !== '' || li === 0) return head;
  for (let j = li - 1; j >= 0 && j >= li - 3; j--) {
    const prev = doc.line(j).trim();
    if (prev !== '') return prev.slice(-160);
  }
  return '';
}

/** Where the member holding offset `at` starts: after the last `,` or `;` outside brackets since `from`. */
function memberStart(text: string, from: number, at: number): number {
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

function indentOf(line: string): number {
  const m = /^[\t ]*(?:-[\t ]+)?/.exec(line)!;
  return m[0].length;
}

const isBlank = (line: string) => line.trim() === '';
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

/**
 * A Markdown list item that holds a setting: `*`, `+` and numbered bullets, or a `-` bullet whose
 * label is emphasised or has words (`- **SMTP Host**: …`, `- SMTP Host: …`). A YAML list item
 * (`- name: A`) is none of these and keeps its own scope.
 */
function isMarkdownItem(line: string): boolean {
  const m = /^[ \t]*([-*+]|\d{1,3}[.)])[ \t]+(\S.*)$/.exec(line);
  if (!m) return false;
  if (m[1] !== '-') return true;
  return /^(?:\*\*|__|`)/.test(m[2]!) || /^[A-Za-z][\w-]{0,40}(?:[ \t]+[A-Za-z][\w-]{0,40}){1,3}[ \t]*:/.test(m[2]!);
}

const leadingBlanks = (line: string) => /^[ \t]*/.exec(line)![0].length;
const LIST_LINES = 40;

/**
 * The items of the Markdown list around line `li` (a list of settings is one block: the host on
 * one bullet, the user on the next), and the line that introduces the list. Blank lines between
 * items are crossed; deeper lines are an item's continuation; anything else ends the list.
 */
function markdownListScope(doc: Document, li: number): string[] {
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
function tableScope(doc: Document, li: number): string[] {
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
function indentationScope(doc: Document, li: number): string[] {
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

const SECTION = /^\s*\[{1,2}[^\]\r\n=]{1,100}\]{1,2}\s*(?:[#;].*)?$/;

/** The nearest `[section]` line above (INI, TOML, git-config style files) and the section's lines. */
function sectionScope(doc: Document, li: number): string[] {
  const headers = doc.memo('sections', () => {
    const found: number[] = [];
    for (let j = 0; j < doc.lineCount; j++) {
      const l = doc.line(j);
      if (l.length < 120 && l.trimStart().startsWith('[') && SECTION.test(l)) found.push(j);
    }
    return found;
  });
  if (headers.length === 0) return [];
  let lo = 0;
  let hi = headers.length - 1;
  let at = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (headers[mid]! <= li) {
      at = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (at === -1) return [];
  const h = headers[at]!;
  const next = at + 1 < headers.length ? headers[at + 1]! : doc.lineCount;
  const out = [doc.line(h).trim()];
  for (let j = Math.max(h + 1, li - SECTION_LINES); j < next && j <= li + SECTION_LINES; j++) {
    if (j !== li) out.push(doc.line(j).slice(0, LINE_WINDOW));
  }
  return out;
}
