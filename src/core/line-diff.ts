/**
 * What two versions of a text have in common, as clean segments: ranges of the old text that the
 * new text holds unchanged, each at its own offset. Lines are matched first (Myers' diff over line
 * hashes, bounded), then each replaced run of lines is narrowed to the characters that changed
 * (common prefix and suffix, per line when the run keeps its line count), so a line that differs
 * only in a commit id leaves the rest of itself clean.
 *
 * The hash reads a line's length and a few dozen of its characters, not all of them (hashing
 * every character of both texts cost as much as the scan it saves). Lines it calls equal are
 * compared whole before they count as clean; those that differ are narrowed like replaced ones.
 * Only what is compared equal is ever a segment.
 */
import { lastAtOrBefore } from './sorted.js';

/** old [oldStart, oldEnd) is new [oldStart + delta, oldEnd + delta), character for character. */
export interface Segment {
  oldStart: number;
  oldEnd: number;
  delta: number;
}

export interface DiffLimits {
  /**
   * Most line edits (inserted plus deleted lines) worth diffing; past it, null. The walk back keeps
   * every step's diagonals, maxEdits² numbers, in an array each thread keeps for its next diff
   * (264 KB at the default): a bound of 1000 made a history scan's peak memory grow by 60 MB.
   */
  maxEdits: number;
}

export const DEFAULT_LIMITS: DiffLimits = { maxEdits: 256 };

/**
 * A text as its UTF-16 code units (offsets in it are string offsets) or as its UTF-8 bytes, which
 * a caller holds outside the JavaScript heap at one byte an ASCII character; offsets in bytes
 * become string offsets through utf16Segments.
 */
export type Units = Uint8Array | Uint16Array;

/** The code units of a string, copied natively and outside the JavaScript heap. */
export function unitsOf(text: string): Uint16Array {
  const b = Buffer.from(text, 'utf16le');
  // A small buffer is a slice of node's shared pool: one of its own is aligned for a UTF-16 view.
  const aligned = b.byteOffset % 2 === 0 ? b : Buffer.from(b);
  return new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.length >> 1);
}

/** The units as bytes, to be compared natively. */
const bytesOf = (u: Units) => Buffer.from(u.buffer, u.byteOffset, u.byteLength);

/**
 * Line starts of a text, a line being its characters and its `\n`, plus the text's length at the
 * end: from the line starts a Document already has (document.ts), or found in the units.
 */
export function lineBounds(t: Units, starts?: readonly number[]): Int32Array {
  if (starts) return boundsOf(starts, t.length);
  const s = [0];
  for (let i = t.indexOf(10); i !== -1; i = t.indexOf(10, i + 1)) s.push(i + 1);
  return boundsOf(s, t.length);
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
 * The clean segments of old → new in old order, adjacent ones with one offset merged; null when
 * the texts differ in more than `maxEdits` lines (a rewrite: scanning it whole is as cheap).
 * Both texts must be units of one width.
 */
export function cleanSegments(
  a: Units,
  b: Units,
  limits: DiffLimits = DEFAULT_LIMITS,
  la: Int32Array = lineBounds(a),
  lb: Int32Array = lineBounds(b),
  A: Int32Array = lineHashes(a, la),
  B: Int32Array = lineHashes(b, lb),
): Segment[] | null {
  const w = a.BYTES_PER_ELEMENT;
  if (b.BYTES_PER_ELEMENT !== w) throw new TypeError('texts of different unit widths');
  const ab = bytesOf(a);
  const bb = bytesOf(b);
  /** Whether old [oa, oa + n) equals new [na, na + n). */
  const same = (oa: number, na: number, n: number) => ab.compare(bb, na * w, (na + n) * w, oa * w, (oa + n) * w) === 0;
  const n = la.length - 1;
  const m = lb.length - 1;
  const runs = equalRuns(A, B, limits.maxEdits);
  if (!runs) return null;
  const out: Segment[] = [];
  const push = (oldStart: number, oldEnd: number, delta: number) => {
    if (oldEnd <= oldStart) return;
    const last = out[out.length - 1];
    if (last && last.oldEnd === oldStart && last.delta === delta) last.oldEnd = oldEnd;
    else out.push({ oldStart, oldEnd, delta });
  };
  const refine = (oa: number, ob: number, na: number, nb: number) => {
    const max = Math.min(ob - oa, nb - na);
    const p = commonPrefix(a, oa, b, na, max, same);
    const s = commonSuffix(a, ob, b, nb, max - p, same);
    push(oa, oa + p, na - oa);
    push(ob - s, ob, nb - ob);
  };
  // Walk the equal runs; between two, old lines [i0, i1) were replaced by new lines [j0, j1).
  let i0 = 0;
  let j0 = 0;
  const replaced = (i1: number, j1: number) => {
    if (i1 - i0 === j1 - j0) {
      for (let k = 0; k < i1 - i0; k++) refine(la[i0 + k]!, la[i0 + k + 1]!, lb[j0 + k]!, lb[j0 + k + 1]!);
    } else refine(la[i0]!, la[i1]!, lb[j0]!, lb[j1]!);
  };
  for (const [i, j, len] of runs) {
    replaced(i, j);
    const oa = la[i]!;
    const ob = la[i + len]!;
    if (ob - oa === lb[j + len]! - lb[j]! && same(oa, lb[j]!, ob - oa)) push(oa, ob, lb[j]! - oa);
    else {
      // The hash matched lines that differ: each line on its own.
      for (let k = 0; k < len; k++) {
        const lo = la[i + k]!;
        const hi = la[i + k + 1]!;
        const na = lb[j + k]!;
        const nb = lb[j + k + 1]!;
        if (hi - lo === nb - na && same(lo, na, hi - lo)) push(lo, hi, na - lo);
        else refine(lo, hi, na, nb);
      }
    }
    i0 = i + len;
    j0 = j + len;
  }
  replaced(n, m);
  return out;
}

/**
 * Each line's hash (sampleHash), by line bounds: the same for a text as bytes or as UTF-16 units,
 * so a version's hashes, kept, serve the diff with the next version.
 */
export function lineHashes(t: Units, lines: Int32Array): Int32Array {
  const h = new Int32Array(lines.length - 1);
  for (let i = 0; i < h.length; i++) h[i] = sampleHash(t, lines[i]!, lines[i + 1]!);
  return h;
}

/** A hash of a line from its length and at most 48 of its characters, spread over it. */
function sampleHash(t: Units, from: number, to: number): number {
  const len = to - from;
  let h = len | 0;
  const step = len <= 48 ? 1 : Math.floor(len / 48);
  for (let i = from; i < to; i += step) h = (Math.imul(h, 31) + t[i]!) | 0;
  // The last characters too: a line's tail is where a value changes most.
  for (let i = Math.max(from, to - 8); i < to; i++) h = (Math.imul(h, 31) + t[i]!) | 0;
  return h;
}

type Same = (oa: number, na: number, n: number) => boolean;

/** Length of the common prefix of a[oa..] and b[na..], at most max: halves compared natively. */
function commonPrefix(a: Units, oa: number, b: Units, na: number, max: number, same: Same): number {
  let lo = 0;
  let hi = max;
  while (hi - lo > 16) {
    const mid = (lo + hi) >> 1;
    if (same(oa + lo, na + lo, mid - lo)) lo = mid;
    else hi = mid;
  }
  while (lo < hi && a[oa + lo] === b[na + lo]) lo++;
  return lo;
}

function commonSuffix(a: Units, ob: number, b: Units, nb: number, max: number, same: Same): number {
  let lo = 0;
  let hi = max;
  while (hi - lo > 16) {
    const mid = (lo + hi) >> 1;
    if (same(ob - mid, nb - mid, mid - lo)) lo = mid;
    else hi = mid;
  }
  while (lo < hi && a[ob - 1 - lo] === b[nb - 1 - lo]) lo++;
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

/**
 * The diagonals myers keeps for its walk back, reused by every diff on this thread (myers runs to
 * its end before another can start). A diff of 256 edits keeps 66k numbers: as an array that grew
 * with each diff, it was the largest source of fresh memory pages after the texts themselves, a
 * tenth of postmark.js's history scan's page faults.
 */
let trace = new Int32Array(4096);

function myers(A: Int32Array, B: Int32Array, maxEdits: number): Array<[number, number, number]> | null {
  const n = A.length;
  const m = B.length;
  const max = Math.min(n + m, maxEdits);
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  // Step d's diagonals -d..d, one step after another: trace[d * d + d + k].
  if (trace.length < (max + 1) * (max + 1)) trace = new Int32Array((max + 1) * (max + 1));
  const t = trace;
  let dFound = -1;
  for (let d = 0; d <= max; d++) {
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
        dFound = d;
        break;
      }
    }
    for (let k = -d, at = d * d; k <= d; k++, at++) t[at] = v[off + k]!;
    if (dFound !== -1) break;
  }
  if (dFound === -1) return null;
  const runs: Array<[number, number, number]> = [];
  let x = n;
  let y = m;
  for (let d = dFound; d > 0; d--) {
    // Step d - 1 starts at (d - 1)^2 and holds diagonal k at k + d - 1.
    const base = (d - 1) * (d - 1) + d - 1;
    const k = x - y;
    const down = k === -d || (k !== d && t[base + k - 1]! < t[base + k + 1]!);
    const pk = down ? k + 1 : k - 1;
    const px = t[base + pk]!;
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

/**
 * A text given as its UTF-8 bytes: the bytes (the diff's units), their line bounds, and the line
 * bounds of the string (UTF-16 code units) it decodes to. `\n` is one byte and one unit, so line
 * `i` is bytes [bytes[i], bytes[i + 1]) and units [units[i], units[i + 1]).
 */
export interface Utf8Text {
  data: Uint8Array;
  bytes: Int32Array;
  units: Int32Array;
}

const continuation = (b: number) => (b & 0xc0) === 0x80;

/**
 * The string offset of byte offset `p` of `t`; inside a character, the offset after it (a
 * character's units are counted at its first byte).
 */
function unitOffset(t: Utf8Text, p: number): number {
  const i = lastAtOrBefore(t.bytes, p);
  let u = t.units[i]!;
  const from = t.bytes[i]!;
  // An ASCII line: a byte is a unit.
  if (i + 1 < t.bytes.length && t.bytes[i + 1]! - from === t.units[i + 1]! - u) return u + p - from;
  // Otherwise one unit a character, two for a character beyond the BMP (four bytes, a surrogate pair).
  const d = t.data;
  for (let k = from; k < p; k++) {
    const b = d[k]!;
    if (!continuation(b)) u += b >= 0xf0 ? 2 : 1;
  }
  return u;
}

/**
 * Clean segments found between two texts' UTF-8 bytes, as string offsets. A segment may begin or
 * end inside a character whose bytes the two texts share only in part (é and è share their first
 * byte, é and ũ their last): it is narrowed to whole characters, so what it says equal decodes
 * equal. Its start is, by unitOffset, the character after; its end is moved back here. Both texts
 * must be valid UTF-8.
 */
export function utf16Segments(segments: readonly Segment[], a: Utf8Text, b: Utf8Text): Segment[] {
  const out: Segment[] = [];
  const ad = a.data;
  const bd = b.data;
  for (const s of segments) {
    const start = s.oldStart;
    let end = s.oldEnd;
    const d = s.delta;
    while (end > start && ((end < ad.length && continuation(ad[end]!)) || (end + d < bd.length && continuation(bd[end + d]!)))) end--;
    if (end <= start) continue;
    const oldStart = unitOffset(a, start);
    out.push({ oldStart, oldEnd: unitOffset(a, end), delta: unitOffset(b, start + d) - oldStart });
  }
  return out;
}
