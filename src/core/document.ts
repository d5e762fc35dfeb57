/**
 * A fragment's text with lazily built line offsets, shared by every rule and candidate in it,
 * so line and column are computed once per finding rather than by each rule.
 */
export class Document {
  private starts: number[] | undefined;
  private fileTests = new Map<RegExp, boolean>();

  constructor(readonly text: string) {}

  get lineStarts(): number[] {
    if (!this.starts) {
      const s = [0];
      const t = this.text;
      for (let i = t.indexOf('\n'); i !== -1; i = t.indexOf('\n', i + 1)) s.push(i + 1);
      this.starts = s;
    }
    return this.starts;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** 0-based line index of an offset. */
  lineIndexOf(offset: number): number {
    const s = this.lineStarts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
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
