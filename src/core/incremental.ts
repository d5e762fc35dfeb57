/**
 * Scanning a new version of a text at the cost of what changed, with exactly the findings a full
 * `detect` gives. A run keeps a record: for every shape match, where it is, the span of text its
 * verdict read (structure/site.ts) and the candidates it gave. The next version is diffed against
 * the text of the record (line-diff.ts); each shape still runs over the whole new text, so every
 * match is found as before, but a match whose old twin lies with its whole span inside one clean
 * segment takes the twin's candidates, moved, instead of being judged again. Overlaps, positions,
 * inline allows and fingerprints are then worked out on the final candidates as `detect` does.
 *
 * What a verdict reads beyond its span is a fact of the whole document: which rules and contexts
 * are live (keywords, paths, `file` patterns), the literals tested once per document, whether the
 * document has `[section]` headers. If any of those differs from the recorded version, nothing is
 * reused.
 */
import { Document, occurrences } from './document.js';
import { type Candidate, type CompiledRule, detectIn, type ShapeHooks } from './engine.js';
import { ChunkStore } from './chunk-store.js';
import { boundsOf, cleanSegments, type DiffLimits, DEFAULT_LIMITS, lineBounds, lineHashes, type Segment, type Units, unitsOf, utf16Segments } from './line-diff.js';
import { REACH } from './shapes.js';
import type { LiteralSet } from './prefilter.js';
import { lastAtOrBefore } from './sorted.js';
import { sectionHeaders } from './structure/sections.js';
import type { Finding, Fragment } from './types.js';

interface ShapeRecord {
  starts: Int32Array;
  ends: Int32Array;
  los: Int32Array;
  his: Int32Array;
  /** Candidates by match index, for the few matches that gave any. */
  cands: Map<number, Candidate[]>;
}

export interface ScanRecord {
  /**
   * The text as the diff reads it, in chunks held in `store` (chunk-store.ts, where pages that
   * repeat each other's lines share them): its UTF-16 code units (`width` 2), or its UTF-8 bytes
   * (1: half the memory for a text that is not ASCII). Its line bounds are in those units.
   */
  readonly chunks: Int32Array;
  readonly store: ChunkStore;
  readonly width: 1 | 2;
  readonly lines: Int32Array;
  /** When its units are UTF-8 bytes of a text that is not ASCII: its line bounds in the string. */
  readonly unitLines?: Int32Array;
  /** The text's length in the string. */
  readonly length: number;
  /** Its lines' hashes, where its chunks end: the next diff takes them as they are. */
  readonly hashes: Int32Array;
  readonly rules: CompiledRule[];
  readonly live: string;
  /** Every whole-document test and its answer. */
  readonly tested: ReadonlyMap<RegExp, boolean>;
  /**
   * Every literal of the rules' set asked about (Document.has) and its answer. Most answers also
   * show in `live`, but not all: a `file` pattern's alternative is tried at a site only where the
   * document holds its literals (engine.ts fileHolds), so `import` appearing lines away turns
   * `new Client('…')` into a finding with no other fact changed.
   */
  readonly asked: ReadonlyMap<string, boolean>;
  /** Whether the document has no `[section]` header; undefined when no verdict read sections. */
  readonly noSections: boolean | undefined;
  /** The document literals found, each at one of its offsets, when the engine asked for them. */
  readonly literals?: Literals;
  /** Every occurrence of each literal the engine asked about near a match (Document.hasWithin), by regex source. */
  readonly occurrences?: ReadonlyMap<string, Int32Array>;
  readonly shapes: ShapeRecord[];
  /** About what the record holds in memory, in bytes, beside its chunks in the store. */
  readonly bytes: number;
}

interface Literals {
  set: LiteralSet;
  at: Map<string, number>;
}

/**
 * A document that remembers which whole-document facts were read, and finds which of the rules'
 * literals it holds from the previous version where it can (carryLiterals).
 */
class TrackedDocument extends Document {
  readonly tested = new Map<RegExp, boolean>();
  readonly asked = new Map<string, boolean>();
  sectionsRead = false;
  /** The previous version's literals and occurrence lists, and the clean segments from it, when there is a diff. */
  from: { literals?: Literals; occurrences?: ReadonlyMap<string, Int32Array>; segments: Segment[] } | undefined;

  protected override literalsOf(set: LiteralSet): Map<string, number> {
    const from = this.from;
    return from?.literals?.set === set ? carryLiterals(set, from.literals.at, from.segments, this.text) : super.literalsOf(set);
  }

  protected override occurrencesOf(source: string, length: number): number[] {
    const before = this.from?.occurrences?.get(source);
    return before ? carryOccurrences(source, length, before, this.from!.segments, this.text) : super.occurrencesOf(source, length);
  }

  override has(set: LiteralSet, literal: string): boolean {
    const r = super.has(set, literal);
    if (!this.asked.has(literal)) this.asked.set(literal, r);
    return r;
  }

  override test(re: RegExp): boolean {
    const r = super.test(re);
    if (!this.tested.has(re)) this.tested.set(re, r);
    return r;
  }

  override memo<T>(key: string, compute: () => T): T {
    if (key === 'sections') this.sectionsRead = true;
    return super.memo(key, compute);
  }
}

/**
 * A candidate as a record keeps it. Its secret was cut from the text, and V8 keeps a cut string as
 * a view of the whole text: a record holding one kept its version's text in the heap, two bytes a
 * character for a page that is not ASCII, beside the units it was meant to keep instead.
 */
const kept = (c: Candidate): Candidate => ({ ...c, secret: Buffer.from(c.secret, 'utf16le').toString('utf16le') });

/**
 * A shape's matches as they are found, in a plain array (growing typed arrays allocated outside
 * the heap a dozen times a document, and their freed pieces stayed in the process), and runs of
 * the previous record's matches taken whole, packed into one typed array at the end. Most of a
 * version's matches are such runs: taken one by one, they cost the keyword-dense history as much
 * as its shapes' regexes.
 */
class Recorder {
  private n = 0;
  private flat: number[] = [];
  /** Old matches [first, last) of `from`, moved by `d`, at index `at` of this record. */
  private runs: Array<{ at: number; from: ShapeRecord; first: number; last: number; d: number }> = [];
  private cands = new Map<number, Candidate[]>();

  add(start: number, end: number, lo: number, hi: number, cands: Candidate[] | null): void {
    if (cands) this.cands.set(this.n, cands);
    this.flat.push(start, end, lo, hi);
    this.n++;
  }

  /** Takes the old matches [first, last) of `from`, moved by `d`; their candidates, moved, go to `out` in order. */
  addRun(from: ShapeRecord, first: number, last: number, d: number, out: Candidate[]): void {
    if (from.cands.size) {
      for (let k = first; k < last; k++) {
        const cands = from.cands.get(k);
        if (!cands) continue;
        const moved = cands.map((c) => ({ ...c, start: c.start + d, end: c.end + d }));
        for (const c of moved) out.push(c);
        this.cands.set(this.n + k - first, moved);
      }
    }
    const prev = this.runs[this.runs.length - 1];
    if (prev && prev.from === from && prev.last === first && prev.d === d && prev.at + (prev.last - prev.first) === this.n) prev.last = last;
    else this.runs.push({ at: this.n, from, first, last, d });
    this.n += last - first;
  }

  done(): ShapeRecord {
    const n = this.n;
    const all = new Int32Array(4 * n);
    const f = this.flat;
    let i = 0;
    let j = 0;
    for (let r = 0; r <= this.runs.length; r++) {
      const run = this.runs[r];
      for (const stop = run ? run.at : n; i < stop; i++, j++) {
        all[i] = f[4 * j]!;
        all[n + i] = f[4 * j + 1]!;
        all[2 * n + i] = f[4 * j + 2]!;
        all[3 * n + i] = f[4 * j + 3]!;
      }
      if (!run) break;
      const { from, first, last, d } = run;
      for (let k = first; k < last; k++, i++) {
        all[i] = from.starts[k]! + d;
        all[n + i] = from.ends[k]! + d;
        all[2 * n + i] = from.los[k]! + d;
        all[3 * n + i] = from.his[k]! + d;
      }
    }
    return { starts: all.subarray(0, n), ends: all.subarray(n, 2 * n), los: all.subarray(2 * n, 3 * n), his: all.subarray(3 * n), cands: this.cands };
  }
}

export interface IncrementalStats {
  /** Matches whose verdict was taken from the previous version. */
  reused: number;
  /** Matches judged. */
  judged: number;
  /** Why nothing was reused, when nothing could be. */
  full?: 'no previous' | 'diff too large' | 'encodings differ' | 'rules changed' | 'document facts changed';
}

class Run implements ShapeHooks {
  readonly recorders: Recorder[] = [];
  private reusable = false;
  live = '';
  readonly stats: IncrementalStats = { reused: 0, judged: 0 };
  private readonly segments: Segment[] | null;
  /** Clean segments: where each starts in the new text, its old bounds (-1 and length + 1 for the text's ends), its offset. */
  private segNew: Int32Array = new Int32Array(0);
  private segNewEnd: Int32Array = new Int32Array(0);
  private segLo: Int32Array = new Int32Array(0);
  private segHi: Int32Array = new Int32Array(0);
  private segDelta: Int32Array = new Int32Array(0);

  constructor(
    private readonly doc: TrackedDocument,
    private readonly previous: ScanRecord | undefined,
    segments: Segment[] | null | 'encodings differ',
    private readonly rules: CompiledRule[],
  ) {
    this.segments = Array.isArray(segments) ? segments : null;
    if (!previous) this.stats.full = 'no previous';
    else if (segments === 'encodings differ') this.stats.full = segments;
    else if (!segments) this.stats.full = 'diff too large';
  }

  begin(live: string): void {
    this.live = live;
    const prev = this.previous;
    if (!prev || !this.segments) return;
    if (prev.rules !== this.rules || prev.live !== live) return void (this.stats.full = 'rules changed');
    for (const [re, v] of prev.tested) if (this.doc.test(re) !== v) return void (this.stats.full = 'document facts changed');
    // Anything asked was asked of the rules' one literal set, which the record holds with its answers.
    const set = prev.literals?.set;
    if (set) for (const [l, v] of prev.asked) if (this.doc.has(set, l) !== v) return void (this.stats.full = 'document facts changed');
    if (prev.noSections !== undefined && (sectionHeaders(this.doc).length === 0) !== prev.noSections) return void (this.stats.full = 'document facts changed');
    // A span may reach the document's start (-1) or end (length + 1): only a segment that starts
    // both texts, or ends both, holds those.
    const oldLen = prev.length;
    const newLen = this.doc.text.length;
    const n = this.segments.length;
    this.segNew = new Int32Array(n);
    this.segNewEnd = new Int32Array(n);
    this.segLo = new Int32Array(n);
    this.segHi = new Int32Array(n);
    this.segDelta = new Int32Array(n);
    this.segments.forEach((s, i) => {
      this.segNew[i] = s.oldStart + s.delta;
      this.segNewEnd[i] = s.oldEnd + s.delta;
      this.segLo[i] = s.oldStart === 0 && s.delta === 0 ? -1 : s.oldStart;
      this.segHi[i] = s.oldEnd === oldLen && s.oldEnd + s.delta === newLen ? oldLen + 1 : s.oldEnd;
      this.segDelta[i] = s.delta;
    });
    this.reusable = true;
  }

  matches(group: number, rule: CompiledRule, text: string, out: Candidate[]): Resumed | null {
    if (!this.reusable || rule.spec.tags?.includes('custom')) return null;
    const reach = rule.spec.secret === undefined ? undefined : REACH[rule.spec.secret];
    const shape = this.previous!.shapes[group];
    if (!reach || !shape) return null;
    return new Resumed(this, group, rule, text, out, shape, reach);
  }

  /** Takes the old matches [first, last) of `shape`, moved by `d`, with their candidates. */
  take(group: number, shape: ShapeRecord, first: number, last: number, d: number, out: Candidate[]): void {
    this.stats.reused += last - first;
    this.recorder(group).addRun(shape, first, last, d, out);
  }

  /** Segments, for the resumed scans. */
  get segs() {
    return { news: this.segNew, newEnds: this.segNewEnd, los: this.segLo, his: this.segHi, deltas: this.segDelta, oldEnd: this.previous!.length + 1 };
  }

  reuse(group: number, start: number, end: number, out: Candidate[]): boolean {
    if (!this.reusable) return false;
    const shape = this.previous!.shapes[group];
    if (!shape) return false;
    // The segment holding `start` in the new text: the last whose new start is at or before it.
    const news = this.segNew;
    const lo = this.segLo;
    const hi = this.segHi;
    const delta = this.segDelta;
    const at = lastAtOrBefore(news, start);
    if (at === -1) return false;
    const d = delta[at]!;
    const oldStart = start - d;
    // The old match at the same place: match starts are strictly increasing.
    const k = lastAtOrBefore(shape.starts, oldStart);
    if (k === -1 || shape.starts[k] !== oldStart || shape.ends[k] !== end - d) return false;
    const spanLo = shape.los[k]!;
    const spanHi = shape.his[k]!;
    if (spanLo < lo[at]! || spanHi > hi[at]!) return false;
    this.take(group, shape, k, k + 1, d, out);
    return true;
  }

  judged(group: number, start: number, end: number, lo: number, hi: number, out: Candidate[], from: number): void {
    this.stats.judged++;
    this.recorder(group).add(start, end, lo, hi, out.length > from ? out.slice(from).map(kept) : null);
  }

  private recorder(group: number): Recorder {
    let r = this.recorders[group];
    if (!r) {
      for (let i = this.recorders.length; i <= group; i++) this.recorders[i] = new Recorder();
      r = this.recorders[group]!;
    }
    return r;
  }
}

/**
 * A shape's scan over the new text that runs the regex only near what changed. A global regex
 * scan is a series of attempts, each at the position after the previous match (or the previous
 * failed attempt), and an attempt at q reads only text[q - back, q + ahead) (shapes.ts REACH).
 * An attempt whose window lies in one clean segment, at a position the old scan also attempted
 * (one no old match strictly contains), fails or matches as its old twin did. So from such a
 * position the scan is in step with the old one: it takes the old matches, and skips the failed
 * attempts between them, until the next attempt would read changed text; from there the regex
 * runs for real, on the changed text plus its reach, until the scan is back at such a position.
 */
class Resumed {
  private cursor = 0;
  private seg = 0;
  private k = 0;
  private readonly len: number;

  constructor(
    private readonly run: Run,
    private readonly group: number,
    private readonly rule: CompiledRule,
    private readonly text: string,
    private readonly out: Candidate[],
    private readonly old: ShapeRecord,
    private readonly reach: { back: number; ahead: number },
  ) {
    this.len = text.length;
  }

  next(): RegExpExecArray | null {
    const { news, newEnds, los, his, deltas, oldEnd } = this.run.segs;
    const { back, ahead } = this.reach;
    const { starts, ends } = this.old;
    for (;;) {
      const c = this.cursor;
      // No named shape matches the empty string: nothing starts at the end.
      if (c >= this.len) return null;
      while (this.seg < news.length && newEnds[this.seg]! <= c) this.seg++;
      const j = this.seg;
      let clean = false;
      if (j < news.length && news[j]! <= c) {
        const d = deltas[j]!;
        const oc = c - d;
        while (this.k < starts.length && starts[this.k]! < oc) this.k++;
        clean = (los[j] === -1 || oc - back >= los[j]!) && (his[j] === oldEnd || oc + ahead <= his[j]!) && !(this.k > 0 && ends[this.k - 1]! > oc);
        if (clean) {
          const toEnd = his[j] === oldEnd;
          const k = this.k;
          if (k < starts.length && (toEnd || starts[k]! + ahead <= his[j]!)) {
            // Every attempt from here to the old match reads clean text: the old match it is.
            this.k++;
            if (this.old.los[k]! >= los[j]! && this.old.his[k]! <= his[j]!) {
              // So are the old matches after it, as long as each would be the next one taken here:
              // within the segment, every attempt up to it clean, its span within the clean text.
              let last = k + 1;
              const segEnd = newEnds[j]! - d;
              const { los: spanLos, his: spanHis } = this.old;
              while (last < starts.length && ends[last - 1]! < segEnd && (toEnd || starts[last]! + ahead <= his[j]!) && spanLos[last]! >= los[j]! && spanHis[last]! <= his[j]!) last++;
              this.run.take(this.group, this.old, k, last, d, this.out);
              this.k = last;
              this.cursor = ends[last - 1]! + d;
              continue;
            }
            // Its verdict read changed text: judged again, on the regex's own match.
            const shape = this.rule.shape!;
            shape.lastIndex = starts[k]! + d;
            const m = shape.exec(this.text);
            if (!m || m.index !== starts[k]! + d || m.index + m[0].length !== ends[k]! + d) throw new Error('incremental scan out of step with its record');
            this.cursor = ends[k]! + d;
            return m;
          }
          // No old match before the attempts stop being clean: they all failed.
          if (toEnd) return null;
          this.cursor = his[j]! - ahead + 1 + d;
          continue;
        }
      }
      // Changed text: run the regex from here to the next position where the scan is in step
      // again (z), on a slice holding everything those attempts read.
      const z = this.resumeAt(c + 1);
      const from = Math.max(0, c - back);
      const to = z >= this.len ? this.len : Math.min(this.len, z + ahead);
      const slice = from === 0 && to === this.len ? this.text : this.text.slice(from, to);
      const shape = this.rule.shape!;
      shape.lastIndex = c - from;
      let m: RegExpExecArray | null = null;
      if (this.rule.seek) {
        const at = this.rule.seek(slice, shape.lastIndex);
        if (at !== -1) {
          shape.lastIndex = at;
          m = shape.exec(slice);
        }
      } else m = shape.exec(slice);
      if (m && m.index + from < z) {
        m.index += from;
        this.cursor = m.index + m[0].length;
        return m;
      }
      if (z >= this.len) return null;
      this.cursor = z;
    }
  }

  /** The first position at or after `c` where an attempt is in step with the old scan, or the text's length. */
  private resumeAt(c: number): number {
    const { news, newEnds, los, his, deltas, oldEnd } = this.run.segs;
    const { back, ahead } = this.reach;
    const { starts, ends } = this.old;
    for (let j = this.seg; j < news.length; j++) {
      const d = deltas[j]!;
      let q = Math.max(c, los[j] === -1 ? news[j]! : news[j]! + back);
      const fits = (p: number) => p < newEnds[j]! && (his[j] === oldEnd || p - d + ahead <= his[j]!);
      if (!fits(q)) continue;
      // Not strictly inside an old match: the old scan never attempted there.
      const oq = q - d;
      let a = 0;
      let b = starts.length - 1;
      let last = -1;
      while (a <= b) {
        const mid = (a + b) >> 1;
        if (starts[mid]! < oq) {
          last = mid;
          a = mid + 1;
        } else b = mid - 1;
      }
      if (last !== -1 && ends[last]! > oq) {
        q = ends[last]! + d;
        if (!fits(q)) continue;
      }
      return q;
    }
    return this.len;
  }
}

/**
 * The literals of `set` in `text`, each at one of its offsets, from where they were in the previous
 * version (`before`) and the clean segments from it to `text`; the same set as
 * `set.positionsIn(text)` finds, only cheaper. An occurrence that lies within one clean segment
 * is in both versions, so:
 * - a literal whose recorded occurrence lies within a clean segment is there still, moved;
 * - a literal the previous version did not hold can occur now only across text that changed: its
 *   occurrences overlap a position no clean segment covers, or a point where two segments meet
 *   (text deleted between them); they are looked for within the literal length around those;
 * - a literal whose recorded occurrence was changed may still occur elsewhere: the whole text is
 *   searched for it.
 */
export function carryLiterals(set: LiteralSet, before: ReadonlyMap<string, number>, segments: readonly Segment[], text: string): Map<string, number> {
  const at = new Map<string, number>();
  const lost = new Set<string>();
  for (const [l, p] of before) {
    const k = segmentOf(segments, p);
    if (k !== -1 && p + l.length <= segments[k]!.oldEnd) at.set(l, p + segments[k]!.delta);
    else lost.add(l);
  }
  const absent = new Set(set.all.filter((l) => !before.has(l)));
  if (absent.size) {
    const windows = changedWindows(segments, set.longest, text.length);
    if (!windows) for (const [l, p] of set.positionsIn(text, absent)) at.set(l, p);
    else for (const [a, b] of windows) for (const [l, p] of set.positionsIn(text.slice(a, b), absent)) if (!at.has(l)) at.set(l, a + p);
  }
  if (lost.size) for (const [l, p] of set.positionsIn(text, lost)) at.set(l, p);
  return at;
}

/**
 * Every occurrence of the literal regex `source` (`length` characters) in `text`, from the previous
 * version's (`before`, in order) and the clean segments from it; the same list a search of the
 * whole text gives (Document.occurrencesOf), only cheaper. An occurrence wholly within a clean
 * segment is in both versions, moved; any other overlaps changed text or spans the point where two
 * segments meet, and is looked for within the literal's length around those places.
 */
export function carryOccurrences(source: string, length: number, before: Int32Array, segments: readonly Segment[], text: string): number[] {
  const windows = changedWindows(segments, length - 1, text.length);
  if (!windows) return occurrences(source, text);
  const out: number[] = [];
  let k = 0;
  for (const s of segments) {
    while (k < before.length && before[k]! < s.oldStart) k++;
    for (; k < before.length && before[k]! + length <= s.oldEnd; k++) out.push(before[k]! + s.delta);
  }
  const found: number[] = [];
  for (const [a, b] of windows) for (const p of occurrences(source, text, a, b)) found.push(p);
  if (!found.length) return out;
  // Both lists are in order; an occurrence found near a change may also be a carried one.
  const all: number[] = [];
  let i = 0;
  let j = 0;
  while (i < out.length || j < found.length) {
    const p = j >= found.length || (i < out.length && out[i]! <= found[j]!) ? out[i++]! : found[j++]!;
    if (all[all.length - 1] !== p) all.push(p);
  }
  return all;
}

/**
 * The changed places of a new text of `length` characters, each widened by `reach` on both sides,
 * merged where they meet: the gaps between clean segments (in new offsets) and the points where two
 * segments meet (text deleted between them). Null when they add up to more than a quarter of the
 * text: one search of the whole text then costs less than many of pieces of it.
 */
function changedWindows(segments: readonly Segment[], reach: number, length: number): Array<[number, number]> | null {
  const windows: Array<[number, number]> = [];
  let searched = 0;
  const add = (a: number, b: number) => {
    const last = windows[windows.length - 1];
    if (last && a <= last[1]) {
      searched += Math.max(0, b - last[1]);
      last[1] = Math.max(last[1], b);
    } else {
      searched += b - a;
      windows.push([a, b]);
    }
  };
  let end = 0;
  for (const s of segments) {
    const start = s.oldStart + s.delta;
    add(Math.max(0, end - reach), Math.min(length, start + reach));
    end = s.oldEnd + s.delta;
  }
  add(Math.max(0, end - reach), length);
  return searched * 4 > length ? null : windows;
}

/** The index of the segment whose old range holds old offset `p`, or -1. */
function segmentOf(segments: readonly Segment[], p: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (segments[mid]!.oldStart <= p) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found !== -1 && p < segments[found]!.oldEnd ? found : -1;
}

export interface IncrementalResult {
  findings: Finding[];
  record: ScanRecord;
  stats: IncrementalStats;
}

/**
 * `detect(fragment, rules, kind)`, reusing what `previous` (the record of an earlier version of
 * the text) says still holds, and recording this version for the next one. The findings are
 * always those of `detect`. `units` may be the text's UTF-8 bytes, exactly those it was decoded
 * from (valid UTF-8, no byte-order mark); otherwise its UTF-16 units are taken. The record's text
 * goes into `store`, by default the previous record's (or a new one).
 */
export function detectIncremental(
  fragment: Fragment,
  rules: CompiledRule[],
  previous?: ScanRecord,
  options: { kind?: Finding['kind']; limits?: DiffLimits; units?: Units; store?: ChunkStore } = {},
): IncrementalResult {
  const kind = options.kind ?? 'content';
  const store = options.store ?? previous?.store ?? new ChunkStore();
  const doc = new TrackedDocument(fragment.text);
  // A text may come as its UTF-8 bytes (one unit a byte for ASCII); as its UTF-16 units otherwise.
  const units = options.units ?? unitsOf(fragment.text);
  const width = units.BYTES_PER_ELEMENT === 1 ? 1 : 2;
  const utf8 = width === 1 && units.length !== fragment.text.length;
  // The document's own line starts: a text's lines are found once (in bytes too when they differ).
  const lines = utf8 ? lineBounds(units) : lineBounds(units, doc.lineStarts);
  const unitLines = utf8 ? boundsOf(doc.lineStarts, fragment.text.length) : undefined;
  // Hashed once a version: they cut the text into chunks, and the next version is diffed on them.
  const hashes = lineHashes(units, lines);
  let segments: Segment[] | null | 'encodings differ' = null;
  if (previous) {
    const wasUtf8 = previous.unitLines !== undefined;
    const narrow = previous.width === width;
    if (!narrow && (utf8 || wasUtf8)) {
      // UTF-8 bytes beside UTF-16 units (a file whose encoding changed): nothing to line up.
      segments = 'encodings differ';
    } else {
      const before = previous.store.units(previous.chunks, previous.width);
      // ASCII bytes widen to the UTF-16 units they are.
      const wide = (u: Units) => (u.BYTES_PER_ELEMENT === 2 ? u : Uint16Array.from(u));
      const old = narrow ? before : wide(before);
      segments = cleanSegments(old, narrow ? units : wide(units), options.limits ?? DEFAULT_LIMITS, previous.lines, lines, previous.hashes, hashes);
      if (segments && (utf8 || wasUtf8)) {
        segments = utf16Segments(
          segments,
          { data: before as Uint8Array, bytes: previous.lines, units: previous.unitLines ?? previous.lines },
          { data: units as Uint8Array, bytes: lines, units: unitLines ?? lines },
        );
      }
    }
  }
  if (previous && Array.isArray(segments) && (previous.literals || previous.occurrences)) {
    doc.from = { ...(previous.literals ? { literals: previous.literals } : {}), ...(previous.occurrences ? { occurrences: previous.occurrences } : {}), segments };
  }
  const run = new Run(doc, previous, segments, rules);
  const findings = detectIn(doc, fragment, rules, kind, run);
  // A reused verdict may have read the absence of sections in the earlier version: the fact
  // carries over, so the version after this one is compared on it too.
  const sectionsRead = doc.sectionsRead || previous?.noSections !== undefined;
  let matches = 0;
  const shapes = run.recorders.map((r) => {
    const s = r.done();
    matches += s.starts.length;
    return s;
  });
  let occurrenceBytes = 0;
  const lists = doc.occurrenceLists.size ? new Map<string, Int32Array>() : undefined;
  for (const [source, at] of doc.occurrenceLists) {
    const kept = Int32Array.from(at);
    occurrenceBytes += kept.byteLength;
    lists!.set(source, kept);
  }
  const chunks = store.put(units, lines, hashes);
  const record: ScanRecord = {
    chunks,
    store,
    width,
    lines,
    ...(unitLines ? { unitLines } : {}),
    length: fragment.text.length,
    hashes,
    rules,
    live: run.live,
    tested: doc.tested,
    asked: doc.asked,
    noSections: sectionsRead ? sectionHeaders(doc).length === 0 : undefined,
    ...(doc.literals ? { literals: doc.literals } : {}),
    ...(lists ? { occurrences: lists } : {}),
    shapes,
    bytes: chunks.byteLength + lines.byteLength + (unitLines?.byteLength ?? 0) + hashes.byteLength + occurrenceBytes + 16 * matches + 256,
  };
  return { findings, record, stats: run.stats };
}
