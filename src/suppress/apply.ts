import type { Finding } from '../core/types.js';

/** Marks findings whose fingerprint is in `set`; earlier layers (inline) keep their mark. */
export function markSuppressed(findings: Finding[], set: Set<string>, by: NonNullable<Finding['suppressedBy']>): void {
  if (set.size === 0) return;
  for (const f of findings) if (!f.suppressedBy && set.has(f.fingerprint)) f.suppressedBy = by;
}
