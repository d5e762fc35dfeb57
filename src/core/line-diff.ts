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

/** old [oldStart, oldEnd) is new [oldStart + delta, oldEnd + delta), character for character. */
export interface Segment {
  oldStart: number;
  oldEnd: number;
  delta: number;
}

export interface DiffLimits {
  /** Most line edits (inserted plus deleted lines) worth diffing; past it, null. */
  maxEdits: number;
}

export const DEFAULT_LIMITS: DiffLimits = { maxEdits: 2000 };

/** Line starts of `t`, a line being its text and its `\n`; plus t.length at the end. */
function lineBounds(t: string): number[] {
  const s = [0];
  for (let i = t.indexOf('\n'); i !== -1; i = t.indexOf('\n', i + 1)) s.push(i + 1);
  if (s[s.length - 1] !== t.length) s.push(t.length);
  return s;
}

/**
 * The clean segments of old → new in old order, adjacent ones with one offset merged; null when
 * the texts differ in more than `maxEdits` lines (a rewrite: scanning it whole is as cheap).
 */
export function cleanSegments(a: string, b: string, limits: DiffLimits = DEFAULT_LIMITS): Segment[] | null {
  const la = lineBounds(a);
  const lb = lineBounds(b);
  const n = la.length - 1;
  const m = lb.length - 1;
  const A = new Int32Array(n);
  const B = new Int32Array(m);
  for (let i = 0; i < n; i++) A[i] = sampleHash(a, la[i]!, la[i + 1]!);
  for (let j = 0; j < m; j++) B[j] = sampleHash(b, lb[j]!, lb[j + 1]!);
  const runs = equalRuns(A, B, limits.maxEdits);
  if (!runs) return null;
  const out: Segment[] = [];
  const push = (oldStart: number, oldEnd: number, delta: number) => {
    if (oldEnd <= oldStart) return;
    const last = out[out.length - 1];
    if (last && last.oldEnd === oldStart && last.delta === delta) last.oldEnd = oldEnd;
    else out.push({ oldStart, oldEnd, delta });
  };
  // Walk the equal runs; between two, old lines [i0, i1) were replaced by new lines [j0, j1).
  let i0 = 0;
  let j0 = 0;
  const replaced = (i1: number, j1: number) => {
    if (i1 - i0 === j1 - j0) {
      for (let k = 0; k < i1 - i0; k++) refine(a, la[i0 + k]!, la[i0 + k + 1]!, b, lb[j0 + k]!, lb[j0 + k + 1]!, push);
    } else refine(a, la[i0]!, la[i1]!, b, lb[j0]!, lb[j1]!, push);
  };
  for (const [i, j, len] of runs) {
    replaced(i, j);
    if (a.slice(la[i], la[i + len]) === b.slice(lb[j], lb[j + len])) push(la[i]!, la[i + len]!, lb[j]! - la[i]!);
    else {
      // The hash matched lines that differ: each line on its own.
      for (let k = 0; k < len; k++) {
        const oa = la[i + k]!;
        const ob = la[i + k + 1]!;
        const na = lb[j + k]!;
        if (a.slice(oa, ob) === b.slice(na, lb[j + k + 1])) push(oa, ob, na - oa);
        else refine(a, oa, ob, b, na, lb[j + k + 1]!, push);
      }
    }
    i0 = i + len;
    j0 = j + len;
  }
  replaced(n, m);
  return out;
}

/** A hash of a line from its length and at most 48 of its characters, spread over it. */
function sampleHash(t: string, from: number, to: number): number {
  const len = to - from;
  let h = len | 0;
  const step = len <= 48 ? 1 : Math.floor(len / 48);
  for (let i = from; i < to; i += step) h = (Math.imul(h, 31) + t.charCodeAt(i)) | 0;
  // The last characters too: a line's tail is where a value changes most.
  for (let i = Math.max(from, to - 8); i < to; i++) h = (Math.imul(h, 31) + t.charCodeAt(i)) | 0;
  return h;
}

/** Length of the common prefix of a[oa..] and b[na..], at most max: halves compared natively. */
function commonPrefix(a: string, oa: number, b: string, na: number, max: number): number {
  let lo = 0;
  let hi = max;
  while (hi - lo > 16) {
    const mid = (lo + hi) >> 1;
    if (a.slice(oa + lo, oa + mid) === b.slice(na + lo, na + mid)) lo = mid;
    else hi = mid;
  }
  while (lo < hi && a.charCodeAt(oa + lo) === b.charCodeAt(na + lo)) lo++;
  return lo;
}

function commonSuffix(a: string, ob: number, b: string, nb: number, max: number): number {
  let lo = 0;
  let hi = max;
  while (hi - lo > 16) {
    const mid = (lo + hi) >> 1;
    if (a.slice(ob - mid, ob - lo) === b.slice(nb - mid, nb - lo)) lo = mid;
    else hi = mid;
  }
  while (lo < hi && a.charCodeAt(ob - 1 - lo) === b.charCodeAt(nb - 1 - lo)) lo++;
  return lo;
}

/** The common prefix and suffix of old [oa, ob) and new [na, nb), pushed as clean segments. */
function refine(a: string, oa: number, ob: number, b: string, na: number, nb: number, push: (s: number, e: number, d: number) => void): void {
  const max = Math.min(ob - oa, nb - na);
  const p = commonPrefix(a, oa, b, na, max);
  const s = commonSuffix(a, ob, b, nb, max - p);
  push(oa, oa + p, na - oa);
  push(ob - s, ob, nb - ob);
}

/**
 * Equal runs [oldLine, newLine, length] of two id sequences in order, by Myers' O((N+M)D)
 * algorithm with the common prefix and suffix taken first; null past `maxEdits` edits.
 */
export function equalRuns(A: Int32Array, B: Int32Array, maxEdits: number): Array<[number, number, number]> | null {
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
  const trace: Int32Array[] = [];
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
        trace.push(v.slice(off - d, off + d + 1));
        dFound = d;
        break outer;
      }
    }
    trace.push(v.slice(off - d, off + d + 1));
  }
  if (dFound === -1) return null;
  const runs: Array<[number, number, number]> = [];
  let x = n;
  let y = m;
  for (let d = dFound; d > 0; d--) {
    const prev = trace[d - 1]!;
    const at = (k: number) => prev[k + d - 1]!;
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
