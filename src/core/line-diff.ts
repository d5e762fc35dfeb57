/**
 * What two versions of a text have in common, as clean segments: ranges of the old text that the
 * new text holds unchanged, each at its own offset, in string offsets. Lines are matched first
 * (Myers' diff over line hashes, bounded), then each replaced run of lines is narrowed to the
 * characters that changed (common prefix and suffix, per line when the run keeps its line count),
 * so a line that differs only in a commit id leaves the rest of itself clean.
 *
 * The hash reads a line's length and a few dozen of its characters, not all of them (hashing
 * every character of both texts cost as much as the scan it saves). Lines it calls equal are
 * compared whole before they count as clean; those that differ are narrowed like replaced ones.
 * Only what is compared equal is ever a segment, and never half a surrogate pair.
 *
 * The old version is read line by line (OldText): a record keeps its text as line ids in a table
 * (line-table.ts), and only the lines a diff narrows are put back together.
 */

/** old [oldStart, oldEnd) is new [oldStart + delta, oldEnd + delta), character for character. */
export interface Segment {
  oldStart: number;
  oldEnd: number;
  delta: number;
}

export interface DiffLimits {
  /**
   * Most line edits (inserted plus deleted lines) worth diffing; past it, null. The walk back keeps
   * every step's diagonals, maxEdits² numbers: a bound of 1000 made a history scan's peak memory
   * grow by 60 MB.
   */
  maxEdits: number;
}

export const DEFAULT_LIMITS: DiffLimits = { maxEdits: 256 };

/** The old version of a text, as the diff reads it. */
export interface OldText {
  /** Its line starts, and its length after them (lineBounds). */
  readonly bounds: Int32Array;
  /** Its lines' hashes (lineHashes). */
  readonly hashes: Int32Array;
  /** Its line `i`. */
  line(i: number): string;
  /** The text of its lines [from, to). */
  lines(from: number, to: number): string;
}

/** The clean segments of an old text to a new one, and for each new line the old line it equals (-1 for none). */
export interface Diff {
  segments: Segment[];
  same: Int32Array;
}

/**
 * Line starts of a text, a line being its characters and its `\n`, plus the text's length at the
 * end: from the line starts a Document already has (document.ts), or found in the text.
 */
export function lineBounds(text: string, starts?: readonly number[]): Int32Array {
  if (starts) return boundsOf(starts, text.length);
  const s = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) s.push(i + 1);
  return boundsOf(s, text.length);
}

/** Line starts with the text's `length` after them (once: a text ending in `\n` has it as its last start). */
export function boundsOf(starts: readonly number[], length: number): Int32Array {
  const ends = starts[starts.length - 1] === length;
  const b = new Int32Array(starts.length + (ends ? 0 : 1));
  b.set(starts);
  if (!ends) b[starts.length] = length;
  return b;
}

/**
 * The clean segments of `old` → `text` (its line `bounds` and `hashes`) in old order, adjacent ones
 * with one offset merged; null when the texts differ in more than `maxEdits` lines (a rewrite:
 * scanning it whole is as cheap).
 */
export function cleanSegments(old: OldText, text: string, bounds: Int32Array, hashes: Int32Array, limits: DiffLimits = DEFAULT_LIMITS): Diff | null {
  const la = old.bounds;
  const n = la.length - 1;
  const m = bounds.length - 1;
  const runs = equalRuns(old.hashes, hashes, limits.maxEdits);
  if (!runs) return null;
  const same = new Int32Array(m).fill(-1);
  const out: Segment[] = [];
  const push = (oldStart: number, oldEnd: number, delta: number) => {
    if (oldEnd <= oldStart) return;
    const last = out[out.length - 1];
    if (last && last.oldEnd === oldStart && last.delta === delta) last.oldEnd = oldEnd;
    else out.push({ oldStart, oldEnd, delta });
  };
  /** Old text `was` (at old offset `oa`) replaced by new [na, nb): its common prefix and suffix are clean. */
  const refine = (oa: number, was: string, na: number, nb: number) => {
    const max = Math.min(was.length, nb - na);
    let p = commonPrefix(was, text, na, max);
    let s = commonSuffix(was, text, nb, max - p);
    // Whole characters: a prefix ending in the first half of a pair whose second half changed, or
    // a suffix starting with the second half of one whose first half changed, gives that half up.
    if (p > 0 && isHighSurrogate(was.charCodeAt(p - 1))) p--;
    if (s > 0 && isLowSurrogate(was.charCodeAt(was.length - s))) s--;
    push(oa, oa + p, na - oa);
    push(oa + was.length - s, oa + was.length, nb - oa - was.length);
  };
  // Walk the equal runs; between two, old lines [i0, i1) were replaced by new lines [j0, j1).
  let i0 = 0;
  let j0 = 0;
  const replaced = (i1: number, j1: number) => {
    if (i1 === i0 && j1 === j0) return;
    if (i1 - i0 === j1 - j0) {
      for (let k = 0; k < i1 - i0; k++) refine(la[i0 + k]!, old.line(i0 + k), bounds[j0 + k]!, bounds[j0 + k + 1]!);
    } else refine(la[i0]!, old.lines(i0, i1), bounds[j0]!, bounds[j1]!);
  };
  for (const [i, j, len] of runs) {
    replaced(i, j);
    // Each line the hash matched: clean when its text is the same.
    for (let k = 0; k < len; k++) {
      const was = old.line(i + k);
      const na = bounds[j + k]!;
      const nb = bounds[j + k + 1]!;
      // A slice and `===` (compared natively) cost a tenth of `startsWith` (a builtin that first
      // asks whether its argument is a RegExp).
      if (nb - na === was.length && was === text.slice(na, nb)) {
        push(la[i + k]!, la[i + k + 1]!, na - la[i + k]!);
        same[j + k] = i + k;
      } else refine(la[i + k]!, was, na, nb);
    }
    i0 = i + len;
    j0 = j + len;
  }
  replaced(n, m);
  return { segments: out, same };
}

const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/**
 * Each line's hash (sampleHash), by line bounds: a line's hash is its own, wherever it stands, so
 * a version's hashes, kept, serve the diff with the next version.
 */
export function lineHashes(text: string, lines: Int32Array): Int32Array {
  const h = new Int32Array(lines.length - 1);
  for (let i = 0; i < h.length; i++) h[i] = sampleHash(text, lines[i]!, lines[i + 1]!);
  return h;
}

/** A hash of a line from its length and at most 48 of its characters, spread over it. */
export function sampleHash(t: string, from: number, to: number): number {
  const len = to - from;
  let h = len | 0;
  const step = len <= 48 ? 1 : Math.floor(len / 48);
  for (let i = from; i < to; i += step) h = (Math.imul(h, 31) + t.charCodeAt(i)) | 0;
  // The last characters too: a line's tail is where a value changes most.
  for (let i = Math.max(from, to - 8); i < to; i++) h = (Math.imul(h, 31) + t.charCodeAt(i)) | 0;
  return h;
}

/** Length of the common prefix of a and b[nb..], at most max: halves compared natively. */
function commonPrefix(a: string, b: string, nb: number, max: number): number {
  let lo = 0;
  let hi = max;
  while (hi - lo > 16) {
    const mid = (lo + hi) >> 1;
    if (a.slice(lo, mid) === b.slice(nb + lo, nb + mid)) lo = mid;
    else hi = mid;
  }
  while (lo < hi && a.charCodeAt(lo) === b.charCodeAt(nb + lo)) lo++;
  return lo;
}

/** Length of the common suffix of a and b[..nb), at most max. */
function commonSuffix(a: string, b: string, nb: number, max: number): number {
  let lo = 0;
  let hi = max;
  const al = a.length;
  while (hi - lo > 16) {
    const mid = (lo + hi) >> 1;
    if (a.slice(al - mid, al - lo) === b.slice(nb - mid, nb - lo)) lo = mid;
    else hi = mid;
  }
  while (lo < hi && a.charCodeAt(al - 1 - lo) === b.charCodeAt(nb - 1 - lo)) lo++;
  return lo;
}

/**
 * Equal runs [oldLine, newLine, length] of two id sequences in order, by Myers' O((N+M)D)
 * algorithm with the common prefix and suffix taken first; null past `maxEdits` edits.
 */
function equalRuns(A: Int32Array, B: Int32Array, maxEdits: number): Array<[number, number, number]> | null {
  let pre = 0;
  while (pre < A.length && pre < B.length && A[pre] === B[pre]) pre++;
  let suf = 0;
  while (suf < A.length - pre && suf < B.length - pre && A[A.length - 1 - suf] === B[B.length - 1 - suf]) suf++;
  const n = A.length - pre - suf;
  const m = B.length - pre - suf;
  const runs: Array<[number, number, number]> = [];
  if (pre) runs.push([0, 0, pre]);
  if (n > 0 && m > 0) {
    const middle = myers(A.subarray(pre, pre + n), B.subarray(pre, pre + m), maxEdits);
    if (!middle) return null;
    for (const [i, j, len] of middle) runs.push([i + pre, j + pre, len]);
  } else if (n + m > maxEdits) return null;
  if (suf) runs.push([A.length - suf, B.length - suf, suf]);
  return runs;
}

function myers(A: Int32Array, B: Int32Array, maxEdits: number): Array<[number, number, number]> | null {
  const n = A.length;
  const m = B.length;
  const max = Math.min(n + m, maxEdits);
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  // Step d's diagonals -d..d, one step after another: trace[d * d + d + k] (plain numbers: many
  // small typed arrays a diff would leave the process's memory fragmented).
  const trace: number[] = [];
  const keep = (d: number) => {
    for (let k = -d; k <= d; k++) trace.push(v[off + k]!);
  };
  let dFound = -1;
  outer: for (let d = 0; d <= max; d++) {
    // Only the diagonals -d..d matter at step d: keep that slice for the walk back.
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1]! < v[off + k + 1]!) ? v[off + k + 1]! : v[off + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && A[x] === B[y]) {
        x++;
        y++;
      }
      v[off + k] = x;
      if (x >= n && y >= m) {
        keep(d);
        dFound = d;
        break outer;
      }
    }
    keep(d);
  }
  if (dFound === -1) return null;
  const runs: Array<[number, number, number]> = [];
  let x = n;
  let y = m;
  for (let d = dFound; d > 0; d--) {
    // Step d - 1 starts at (d - 1)^2 and holds diagonal k at k + d - 1.
    const base = (d - 1) * (d - 1);
    const at = (k: number) => trace[base + k + d - 1]!;
    const k = x - y;
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1));
    const pk = down ? k + 1 : k - 1;
    const px = at(pk);
    const py = px - pk;
    // The snake after the edit: from (px, py) plus the edit's one step, to (x, y).
    const sx = down ? px : px + 1;
    const sy = sx - k;
    if (x > sx) runs.push([sx, sy, x - sx]);
    x = px;
    y = py;
  }
  if (x > 0) runs.push([0, 0, x]);
  return runs.reverse();
}
