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
import type { Document } from '../document.js';
import { argumentIndex, type Block, enclosingBlocks, headerBefore, innermostBlock, memberStart, scalarMembers } from './brackets.js';
import { indentationScope } from './indent.js';
import { extractKey, type KeyInfo } from './key.js';
import { LINE_WINDOW } from './limits.js';
import { sectionScope } from './sections.js';

export interface CallInfo {
  header: string;
  /** 1-based position of the value among the call's arguments. */
  readonly arg: number;
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
