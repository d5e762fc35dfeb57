import type { Finding } from '../core/types.js';

export type ScanMode = 'worktree' | 'files' | 'staged' | 'history' | 'range';

/** What a source read and what it passed over, so a skip is never silent. */
export interface ScanStats {
  filesScanned: number;
  bytesScanned: number;
  commitsScanned?: number;
  blobsScanned?: number;
  skipped: {
    binary: number;
    tooLarge: number;
    ignoredByConfig: number;
    symlink: number;
    submodule: number;
    lfsPointer: number;
    missing: number;
  };
  /** Paths passed over, with why (and which count they are in), for --verbose and the hook. */
  skippedPaths: Array<{ path: string; reason: string; kind: keyof ScanStats['skipped'] }>;
  durationMs: number;
}

export interface ScanResult {
  mode: ScanMode;
  root: string;
  findings: Finding[];
  stats: ScanStats;
  /** Plain notes for the report (an empty repository, a range with no commits). */
  notes: string[];
}

export function emptyStats(): ScanStats {
  return {
    filesScanned: 0,
    bytesScanned: 0,
    skipped: { binary: 0, tooLarge: 0, ignoredByConfig: 0, symlink: 0, submodule: 0, lfsPointer: 0, missing: 0 },
    skippedPaths: [],
    durationMs: 0,
  };
}

export function skip(stats: ScanStats, key: keyof ScanStats['skipped'], path: string, reason: string): void {
  stats.skipped[key]++;
  if (stats.skippedPaths.length < 10000) stats.skippedPaths.push({ path, reason, kind: key });
}
