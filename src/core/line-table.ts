/**
 * The lines of the texts incremental records keep, each held once however many records hold it.
 * A record keeps its text as line ids (incremental.ts), and a diff against it reads the old lines
 * from here. Generated pages repeat most of their lines across files (a navigation tree on every
 * page): postmark.js's 140 to 300 live docs pages held 42–48 MB of text in 1.4–6 MB of distinct
 * lines, so a budget that kept a quarter of them as text keeps them all as ids.
 *
 * Lines are keyed by their whole content (a Map of strings): two lines share an id only when they
 * are equal, never by a hash that the text under scan could be made to collide with.
 */
export class LineTable {
  private readonly ids = new Map<string, number>();
  private readonly contents: Array<string | undefined> = [];
  private refs = new Int32Array(1024);
  private readonly free: number[] = [];
  private held = 0;

  /** About what the distinct lines take in memory, in bytes. */
  get bytes(): number {
    return this.held;
  }

  /**
   * The ids of the lines of `text` (line `i` is [lines[i], lines[i + 1])), each held once more.
   * `from`: new line `i` equals old line `from.same[i]` (when not -1), whose id is in `from.ids`.
   */
  intern(text: string, lines: Int32Array, from?: { same: Int32Array; ids: Int32Array }): Int32Array {
    const out = new Int32Array(lines.length - 1);
    for (let i = 0; i < out.length; i++) {
      const was = from ? from.same[i]! : -1;
      let id: number | undefined = was === -1 ? undefined : from!.ids[was]!;
      if (id === undefined) {
        const line = text.slice(lines[i]!, lines[i + 1]!);
        id = this.ids.get(line) ?? this.add(line);
      }
      this.refs[id]!++;
      out[i] = id;
    }
    return out;
  }

  /** Lets go of the lines `ids` held (as intern gave them); a line no record holds leaves the table. */
  release(ids: Int32Array): void {
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (--this.refs[id]! > 0) continue;
      const line = this.contents[id]!;
      this.ids.delete(line);
      this.contents[id] = undefined;
      this.free.push(id);
      this.held -= costOf(line);
    }
  }

  /** The line of id `id`. */
  line(id: number): string {
    return this.contents[id]!;
  }

  /** The text whose lines are `ids`. */
  text(ids: Int32Array): string {
    if (ids.length === 1) return this.contents[ids[0]!]!;
    const parts = new Array<string>(ids.length);
    for (let i = 0; i < ids.length; i++) parts[i] = this.contents[ids[i]!]!;
    return parts.join('');
  }

  private add(line: string): number {
    // A slice of the text keeps all of the text alive: the table keeps a copy of its own.
    const own = Buffer.from(line, 'utf16le').toString('utf16le');
    const id = this.free.pop() ?? this.contents.length;
    if (id === this.contents.length) this.contents.push(own);
    else this.contents[id] = own;
    if (id >= this.refs.length) {
      const grown = new Int32Array(2 * this.refs.length);
      grown.set(this.refs);
      this.refs = grown;
    }
    this.ids.set(own, id);
    this.held += costOf(own);
    return id;
  }
}

/** A line's characters (one byte each in V8 when all are latin-1, else two), and about what its entry costs beside them. */
const costOf = (line: string) => (/[^\0-\xff]/.test(line) ? 2 : 1) * line.length + 64;
