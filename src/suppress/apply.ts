/**
 * Suppression, in one place: every command marks its findings here, after the engine's inline
 * pass (`secret-guard:allow`, marked where the line is read). The layers, in order: the ignore
 * file, then a baseline; in a range scan both come from the base commit, and what the range adds
 * is marked as suppressed by this change instead (src/suppress/range.ts). Where each layer is read
 * from is the caller's choice, made on the trusted side: the work tree, the server's git
 * directory, the base commit; never the commits under scan.
 */
import { resolve } from 'node:path';
import type { Finding } from '../core/types.js';
import type { ScanResult } from '../scan/result.js';
import type { RangeSides } from './range.js';

/** A baseline named on the command line, resolved against `cwd`. */
export interface BaselineChoice {
  file: string;
  cwd: string;
}

export type SuppressionOptions =
  /** The caller's own checkout (or a server's git directory): the ignore file in `ignoreFileDir`. */
  | { from: 'checkout'; ignoreFileDir: string; baseline?: BaselineChoice }
  /** A range: the base's ignore file and baseline; the range's own additions count until `approved`. */
  | { from: 'range'; sides: RangeSides; baseline?: BaselineChoice; approved: boolean };

export interface Applied {
  /** Fingerprints in the ignore file that was read (remediate's plan names the file when it holds any). */
  ignoreFileEntries: number;
}

/**
 * Marks `result`'s findings as suppressed by the layers after the inline one, and in a range
 * notes how many findings a suppression added by the change would hide. The modules are loaded
 * here, when needed: the reporters import this file for changeMarker, and the hook's path stays
 * light.
 */
export async function applySuppressions(result: ScanResult, options: SuppressionOptions): Promise<Applied> {
  if (options.from === 'range') {
    const { markRange, readRangeSuppressions } = await import('./range.js');
    const sup = await readRangeSuppressions(options.sides, options.baseline);
    markRange(result.findings, sup, options.approved);
    const pending = result.findings.filter((f) => f.suppressedByChange && !f.suppressedBy).length;
    if (pending) {
      result.notes.push(
        `${pending} finding(s) would be hidden by a suppression this change adds; such a suppression takes effect once it is on the base branch, or when a reviewer approves it (the job passes --approve-suppressions)`,
      );
    }
    return { ignoreFileEntries: [...sup.trusted.values()].filter((layer) => layer === 'ignore-file').length };
  }
  const { readIgnoreFile } = await import('./ignore-file.js');
  const ignored = readIgnoreFile(options.ignoreFileDir);
  markSuppressed(result.findings, ignored, 'ignore-file');
  if (options.baseline !== undefined) {
    const { readBaseline } = await import('./baseline.js');
    markSuppressed(result.findings, readBaseline(resolve(options.baseline.cwd, options.baseline.file)), 'baseline');
  }
  return { ignoreFileEntries: ignored.size };
}

/** Marks findings whose fingerprint is in `set`; earlier layers (inline) keep their mark. */
function markSuppressed(findings: Finding[], set: Set<string>, by: NonNullable<Finding['suppressedBy']>): void {
  if (set.size === 0) return;
  for (const f of findings) if (!f.suppressedBy && set.has(f.fingerprint)) f.suppressedBy = by;
}

const ADDED: Record<NonNullable<Finding['suppressedByChange']>, string> = {
  inline: 'a secret-guard:allow comment',
  'ignore-file': 'a .secret-guard-ignore entry',
  baseline: 'a baseline entry',
};

/**
 * The marker every report format puts on a finding that a suppression added in the scanned range
 * would hide: `suppressed by this change (a .secret-guard-ignore entry added in the range; not
 * approved, so it counts)`. Undefined for any other finding.
 */
export function changeMarker(f: Finding): string | undefined {
  if (!f.suppressedByChange) return undefined;
  const state = f.suppressedBy ? 'approved with --approve-suppressions' : 'not approved, so it counts';
  return `suppressed by this change (${ADDED[f.suppressedByChange]} added in the range; ${state})`;
}

/** changeMarker as the bracketed prefix of a one-line message (SARIF, GitLab), or ''. */
export function changePrefix(f: Finding): string {
  const mark = changeMarker(f);
  return mark ? `[${mark}] ` : '';
}
