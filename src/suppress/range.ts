/**
 * Suppressions in a range scan come from the base, the side the change is checked against:
 * `.secret-guard-ignore` as the base commit holds it, and a baseline as the base holds it when it
 * is a file in the repository (a file from outside, given by the CI job, is trusted as given).
 * What the change itself adds (new ignore-file or baseline entries, and any inline
 * `secret-guard:allow` on a finding the range introduces) hides nothing: the finding stays in the
 * report, marked as suppressed by this change, and counts until approved.
 */
import { resolve } from 'node:path';
import type { Finding } from '../core/types.js';
import { atCommit, readAtCommit, trackedInRange } from '../config/from-commit.js';
import { IGNORE_FILE, parseIgnoreFile } from './ignore-file.js';
import { parseBaseline, readBaseline } from './baseline.js';

type Layer = 'ignore-file' | 'baseline';

export interface RangeSuppressions {
  /** Fingerprint → the base's layer that suppresses it. */
  trusted: Map<string, Layer>;
  /** Fingerprint → the layer that the range adds it to. */
  added: Map<string, Layer>;
}

export interface RangeSides {
  root: string;
  base: string;
  head: string;
}

async function bothSides(s: RangeSides, path: string, parse: (text: string, shown: string) => Set<string>, what: string): Promise<[Set<string>, Set<string>]> {
  const side = async (commit: string) => {
    const text = await readAtCommit(s.root, commit, path, what);
    return text === null ? new Set<string>() : parse(text, atCommit(commit, path));
  };
  return Promise.all([side(s.base), side(s.head)]);
}

export async function readRangeSuppressions(s: RangeSides, baseline: { file: string; cwd: string } | undefined): Promise<RangeSuppressions> {
  const trusted = new Map<string, Layer>();
  const added = new Map<string, Layer>();
  const take = (layer: Layer, atBase: Set<string>, atHead: Set<string>) => {
    for (const fp of atBase) if (!trusted.has(fp)) trusted.set(fp, layer);
    for (const fp of atHead) if (!atBase.has(fp) && !added.has(fp)) added.set(fp, layer);
  };
  const [ignoreBase, ignoreHead] = await bothSides(s, IGNORE_FILE, parseIgnoreFile, 'ignore file');
  take('ignore-file', ignoreBase, ignoreHead);
  if (baseline) {
    const rel = await trackedInRange(s, baseline.cwd, baseline.file, 'baseline');
    if (rel !== undefined) {
      const [atBase, atHead] = await bothSides(s, rel, parseBaseline, 'baseline');
      take('baseline', atBase, atHead);
    } else {
      take('baseline', readBaseline(resolve(baseline.cwd, baseline.file)), new Set());
    }
  }
  return { trusted, added };
}

/**
 * Marks the range's findings: suppressed by a base layer, or suppressed by this change (an
 * entry the range adds, or an inline allow: every finding a range scan reports is one the range
 * introduces), approved or not.
 */
export function markRange(findings: Finding[], sup: RangeSuppressions, approved: boolean): void {
  for (const f of findings) {
    const byBase = sup.trusted.get(f.fingerprint);
    if (byBase) {
      f.suppressedBy = byBase;
      continue;
    }
    const byChange = f.suppressedBy === 'inline' ? 'inline' : sup.added.get(f.fingerprint);
    if (!byChange) continue;
    f.suppressedByChange = byChange;
    if (approved) f.suppressedBy = byChange;
    else delete f.suppressedBy;
  }
}
