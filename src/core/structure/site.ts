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
 *
 * A site also keeps the span of text its answers were read from, [lo, hi): the match itself and
 * whatever each accessor it was asked read. lo = -1 means "read up to the start of the document"
 * and hi = text.length + 1 "up to its end", since a line at the start of a document reads
 * differently from the same line after another. Bounds are exact where cheap and conservative
 * (never too small) elsewhere: the incremental scan (core/incremental.ts) reuses a verdict only
 * when this span is unchanged in the new version of a document.
 */
import type { Document } from '../document.js';
import { argumentIndex, type Block, enclosingBlocks, header, innermostBlock, memberStart, scalarMembers } from './brackets.js';
import { indentationScope } from './indent.js';
import { extractKey, type KeyInfo } from './key.js';
import { BRACKET_WINDOW, INDENT_LINES, LINE_WINDOW, MAX_ANCESTORS, MEMBERS_WINDOW, SECTION_LINES } from './limits.js';
import { sectionHeaders, sectionScope } from './sections.js';
import { lastAtOrBefore } from '../sorted.js';

/**
 * How far the indentation scope reads from a value's line, in lines: its siblings and parent
 * within INDENT_LINES above and below, and the parent's siblings INDENT_LINES above the parent.
 * The Markdown list and table scopes read 41 lines each way, within these.
 */
const INDENT_ABOVE = 2 * INDENT_LINES;
const INDENT_BELOW = INDENT_LINES;

export interface CallInfo {
  header: string;
  /** 1-based position of the value among the call's arguments. */
  readonly arg: number;
}

export class Site {
  private _line: number | undefined;
  private _before: string | undefined;
  private _after: string | undefined;
  private _beforeStart: number | undefined;
  private _afterEnd: number | undefined;
  private _key: KeyInfo | null | undefined;
  private _call: CallInfo | null | undefined;
  private _scope: string | undefined;
  private _blocks: Block[] | undefined;
  private _arg: string | undefined;
  private _argAt = -1;
  /** The span read so far (see the top of this file). */
  lo: number;
  hi: number;

  constructor(
    readonly doc: Document,
    readonly start: number,
    readonly end: number,
  ) {
    this.lo = start;
    this.hi = end;
  }

  private cover(lo: number, hi: number): void {
    if (lo < this.lo) this.lo = lo;
    if (hi > this.hi) this.hi = hi;
  }

  /** Where reading back to `stop` (a window's floor clipped at 0) depends from. */
  private static floor(stop: number): number {
    return stop > 0 ? stop : -1;
  }

  /** The span start for reading 0-based line `li` from its beginning: its line break before, or the document start. */
  private lineLo(li: number): number {
    return this.doc.lineStarts[li]! - 1;
  }

  /** The span end for reading 0-based line `li` to its end: past its line break, or the document end. */
  private lineHi(li: number): number {
    const s = this.doc.lineStarts;
    return li + 1 < s.length ? s[li + 1]! : this.doc.text.length + 1;
  }

  /** The header of the block opening at `open` (brackets.ts headerBefore), its reading covered. */
  private headerOf(open: number): string {
    const h = header(this.doc, open);
    this.cover(h.lo, this.start);
    return h.text;
  }

  get lineIndex(): number {
    if (this._line === undefined) this._line = this.doc.lineIndexOf(this.start);
    return this._line;
  }

  private get lineStart(): number {
    return this.doc.lineStarts[this.lineIndex]!;
  }

  /** Where `before` starts; its reading covered. Read without slicing: most sites are ruled out by a character or two of it. */
  get beforeStart(): number {
    if (this._beforeStart === undefined) {
      this._beforeStart = beforeStart(this.doc, this.start);
      this.cover(Math.max(this.lineStart - 1, this.start - LINE_WINDOW), this.start);
    }
    return this._beforeStart;
  }

  /** Text before the match on its line (at most LINE_WINDOW characters). */
  get before(): string {
    return (this._before ??= this.doc.text.slice(this.beforeStart, this.start));
  }

  /**
   * Where `after` ends: at the line break after the match, at most LINE_WINDOW characters on; its
   * reading covered. The line break is found in the document's line starts, never by searching
   * the rest of a one-line (minified) file.
   */
  get afterEnd(): number {
    if (this._afterEnd === undefined) {
      const len = this.doc.text.length;
      this._afterEnd = afterEnd(this.doc, this.end);
      // Up to the line break, or the whole window (to the document's end: len + 1).
      this.cover(this.end, this._afterEnd < this.end + LINE_WINDOW && this._afterEnd < len ? this._afterEnd + 1 : this.end + LINE_WINDOW <= len ? this.end + LINE_WINDOW : len + 1);
    }
    return this._afterEnd;
  }

  /** Text after the match on its line (at most LINE_WINDOW characters). */
  get after(): string {
    return (this._after ??= this.doc.text.slice(this.end, this.afterEnd));
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
    if (this._arg !== undefined) return this._arg;
    const i = delimiterBefore(this.doc.text, this.start);
    if (i !== -1) {
      this.cover(i, this.start);
      this._argAt = i;
      return (this._arg = this.doc.text[i]!);
    }
    this.cover(Site.floor(Math.max(0, this.start - LINE_WINDOW)), this.start);
    return (this._arg = '');
  }

  /**
   * For a value right after a `(` (argDelimiter): the last character of the header of the call
   * that `(` opens (brackets.ts header), read without the header when it can be: the last
   * non-blank character before the `(` on its line, within the 160 characters a header reads,
   * unless it is a separator (`,` `;` `{` `[`, which would leave the header's own line empty and
   * send it to the line above). Undefined when it cannot be read so. The innermost block around
   * the value is that `(`: only blanks and quotes lie between.
   */
  get firstArgHeaderLast(): string | undefined {
    if (this.argDelimiter !== '(') return undefined;
    const t = this.doc.text;
    const open = this._argAt;
    const stop = Math.max(0, open - 160);
    for (let i = open - 1; i >= stop; i--) {
      const c = t.charCodeAt(i);
      if (c !== 10 && (c === 32 || (c >= 9 && c <= 13) || (c > 127 && /\s/.test(t[i]!)))) continue;
      this.cover(i, this.start);
      return c === 10 || c === 44 || c === 59 || c === 123 || c === 91 ? undefined : t[i]!;
    }
    this.cover(Site.floor(stop), this.start);
    return undefined;
  }

  get call(): CallInfo | null {
    if (this._call === undefined) {
      // Only the innermost block matters here: stop at the first unclosed bracket rather than
      // walking the whole window for ancestors, since this runs for every quoted literal.
      let inner: Block | undefined;
      if (this._blocks) inner = this._blocks[0];
      else {
        inner = innermostBlock(this.doc, this.start);
        this.cover(inner ? inner.open : Site.floor(this.start - BRACKET_WINDOW), this.start);
      }
      if (!inner || inner.char !== '(') this._call = null;
      else {
        const head = this.headerOf(inner.open);
        // The position is counted only when a context asks: it walks the whole argument list.
        const text = this.doc.text;
        const start = this.start;
        let arg: number | undefined;
        this._call = {
          header: head,
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
    if (!this._blocks) {
      const blocks = enclosingBlocks(this.doc.text, this.start);
      this.cover(blocks.length === MAX_ANCESTORS ? blocks[MAX_ANCESTORS - 1]!.open : Site.floor(this.start - BRACKET_WINDOW), this.start);
      this._blocks = blocks;
    }
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
      const len = this.doc.text.length;
      blocks.forEach((b, i) => {
        const header = this.headerOf(b.open);
        parts.push(header);
        // The parent's members count only when the parent is a named object, not a file's root
        // `{`: every value in a JSON file would otherwise share one scope.
        if (i === 0 || (i === 1 && (header !== '' || blocks.length > 2))) {
          parts.push(this.doc.memo(`m${b.open}`, () => scalarMembers(this.doc.text, b)));
          const limit = b.open + 1 + MEMBERS_WINDOW;
          this.cover(b.open, limit <= len ? limit : len + 1);
        }
      });
      const li = this.lineIndex;
      const last = this.doc.lineCount - 1;
      parts.push(...indentationScope(this.doc, li));
      this.cover(this.lineLo(Math.max(0, li - INDENT_ABOVE)), this.lineHi(Math.min(last, li + INDENT_BELOW)));
      parts.push(...sectionScope(this.doc, li));
      this.coverSection(li);
      this._scope = parts.join('\n');
    }
    return this._scope;
  }

  /**
   * What sectionScope read: from the nearest `[section]` header above (or the document start when
   * none is) down to the next header or SECTION_LINES below. A document with no header at all
   * reads nothing here; whether it has any is a fact of the whole document, which the
   * incremental scan compares between versions (core/incremental.ts).
   */
  private coverSection(li: number): void {
    const headers = sectionHeaders(this.doc);
    if (headers.length === 0) return;
    const at = lastAtOrBefore(headers, li);
    const last = this.doc.lineCount - 1;
    const next = at + 1 < headers.length ? headers[at + 1]! : last;
    this.cover(at === -1 ? -1 : this.lineLo(headers[at]!), this.lineHi(Math.min(next, li + SECTION_LINES, last)));
  }
}

/**
 * Where the character before a value is, past blanks and quotes, within LINE_WINDOW characters
 * (Site.argDelimiter), or -1.
 */
export function delimiterBefore(text: string, start: number): number {
  const stop = Math.max(0, start - LINE_WINDOW);
  for (let i = start - 1; i >= stop; i--) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 34 && c !== 39 && c !== 96) return i;
  }
  return -1;
}

/** Where the text before a value on its line starts, at most LINE_WINDOW characters back (Site.before). */
export function beforeStart(doc: Document, start: number): number {
  return Math.max(doc.lineStarts[doc.lineIndexOf(start)]!, start - LINE_WINDOW);
}

/**
 * Where the text after a value on its line ends (Site.after): at the line break after it, found
 * in the document's line starts (never by searching the rest of a one-line minified file), or
 * LINE_WINDOW characters on, or at the document's end.
 */
export function afterEnd(doc: Document, end: number): number {
  const starts = doc.lineStarts;
  const li = doc.lineIndexOf(end);
  const nl = li + 1 < starts.length ? starts[li + 1]! - 1 : -1;
  return nl !== -1 && nl < end + LINE_WINDOW ? nl : Math.min(doc.text.length, end + LINE_WINDOW);
}
