import type { Finding } from '../core/types.js';

/** Marks findings whose fingerprint is in `set`; earlier layers (inline) keep their mark. */
export function markSuppressed(findings: Finding[], set: Set<string>, by: NonNullable<Finding['suppressedBy']>): void {
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
