/** The clean segments of two strings, as history's diff finds them between a record and a new version. */
import { cleanSegments as diff, type DiffLimits, lineBounds, lineHashes, type Segment } from '../../src/core/line-diff.js';

/** The clean segments of `a` → `b`, the old text read from a string instead of a record's line table; null past the edit bound. */
export function cleanSegments(a: string, b: string, limits?: DiffLimits): Segment[] | null {
  const la = lineBounds(a);
  const lb = lineBounds(b);
  const old = { bounds: la, hashes: lineHashes(a, la), line: (i: number) => a.slice(la[i], la[i + 1]), lines: (from: number, to: number) => a.slice(la[from], la[to]) };
  return diff(old, b, lb, lineHashes(b, lb), limits)?.segments ?? null;
}
