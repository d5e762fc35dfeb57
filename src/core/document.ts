/**
 * A fragment's text with lazily built line offsets, shared by every rule and candidate in it,
 * so line and column are computed once per finding rather than by each rule. Offsets, lines and
 * columns count UTF-16 code units (what JavaScript strings index and SARIF expects); a line break
 * is `\n`, and a `\r` before it belongs to no line.
 */
import type { LiteralSet } from './prefilter.js';
import { firstAtOrAfter, lastAtOrBefore } from './sorted.js';

export class Document {
  private starts: number[] | undefined;
  private fileTests = new Map<RegExp, boolean>();
  private memos = new Map<string, unknown>();
  private occurrences = new Map<string, number[]>();
  private present: { set: LiteralSet; at: Map<string, number> } | undefined;

  constructor(readonly text: string) {}

  get lineStarts(): number[] {
    return (this.starts ??= lineStartsOf(this.text));
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** 0-based line index of an offset. */
  lineIndexOf(offset: number): number {
    return Math.max(0, lastAtOrBefore(this.lineStarts, offset));
  }

  /** 1-based line and column (UTF-16 code units) of an offset. */
  position(offset: number): { line: number; column: number } {
    const i = this.lineIndexOf(offset);
    return { line: i + 1, column: offset - this.lineStarts[i]! + 1 };
  }

  /** Text of the 0-based line `i`, without its line break. */
  line(i: number): string {
    const s = this.lineStarts;
    const start = s[i]!;
    let end = i + 1 < s.length ? s[i + 1]! - 1 : this.text.length;
    if (end > start && this.text.charCodeAt(end - 1) === 13) end--;
    return this.text.slice(start, end);
  }

  /**
   * A value computed once per document and shared by every candidate in it (a block's members,
   * the file's INI section lines), so many secrets in one block do not each rescan it.
   */
  memo<T>(key: string, compute: () => T): T {
    if (this.memos.has(key)) return this.memos.get(key) as T;
    const v = compute();
    this.memos.set(key, v);
    return v;
  }

  /**
   * Whether a match of the literal regex `re` (a plain case-insensitive literal of `length`
   * characters) lies wholly within [from, to). Every occurrence is listed once per document
   * (overlapping ones too), so the many line windows of one document each cost a binary search
   * instead of a search of the window: 270k quoted literals in a generated page, each asking
   * whether its line mentions `postmark`.
   */
  hasWithin(re: RegExp, length: number, from: number, to: number): boolean {
    let at = this.occurrences.get(re.source);
    if (!at) {
      at = this.occurrencesOf(re.source, length);
      this.occurrences.set(re.source, at);
    }
    const lo = firstAtOrAfter(at, from);
    return lo < at.length && at[lo]! + length <= to;
  }

  /** Where the literal regex `source` (of `length` characters) matches, overlapping matches too, in order. */
  protected occurrencesOf(source: string, _length: number): number[] {
    return occurrences(source, this.text);
  }

  /** The occurrence lists hasWithin made, by regex source. */
  get occurrenceLists(): ReadonlyMap<string, number[]> {
    return this.occurrences;
  }

  /**
   * Whether the text holds `literal` (lower-cased, one of `set`'s), case-insensitively. The whole
   * set is looked for in one pass, the first time any of it is asked.
   */
  has(set: LiteralSet, literal: string): boolean {
    if (this.present?.set !== set) this.present = { set, at: this.literalsOf(set) };
    return this.present.at.has(literal);
  }

  /** The literals `has` found, each at one of its offsets, once it was asked. */
  get literals(): { set: LiteralSet; at: Map<string, number> } | undefined {
    return this.present;
  }

  /** Which of the set's literals the text holds, each at one of its offsets. */
  protected literalsOf(set: LiteralSet): Map<string, number> {
    return set.positionsIn(this.text);
  }

  /** Whether `re` matches anywhere in the text; cached per regex. */
  test(re: RegExp): boolean {
    let r = this.fileTests.get(re);
    if (r === undefined) {
      re.lastIndex = 0;
      r = re.test(this.text);
      this.fileTests.set(re, r);
    }
    return r;
  }
}

/** Every offset of `text` (from `from`, before `to`) where the case-insensitive literal regex `source` matches, overlapping matches too. */
export function occurrences(source: string, text: string, from = 0, to = text.length): number[] {
  const at: number[] = [];
  const g = new RegExp(source, 'gi');
  const t = from === 0 && to === text.length ? text : text.slice(from, to);
  for (let m = g.exec(t); m; m = g.exec(t)) {
    at.push(m.index + from);
    g.lastIndex = m.index + 1;
  }
  return at;
}

/**
 * Where each line of `text` starts. Apart from the getter: V8 compiled the getter's loop on the
 * stack of a long text, before the store after it had run, and threw that code away when the
 * store came (31 times in postmark.js's history).
 */
function lineStartsOf(text: string): number[] {
  const s = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) s.push(i + 1);
  return s;
}
