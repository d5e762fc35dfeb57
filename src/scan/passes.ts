/**
 * Small named passes between detection and reporting: sort, count, decide the exit code.
 * Suppression passes (ignore file, baseline) live in src/suppress and mark findings the same way
 * the inline pass in the core does, so reports can say what was suppressed and by what.
 */
import type { Config } from '../config/load.js';
import { SEVERITY_RANK, type FailOn, type Finding } from '../core/types.js';

export function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) =>
      (a.path < b.path ? -1 : a.path > b.path ? 1 : 0) ||
      a.line - b.line ||
      a.column - b.column ||
      (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0),
  );
}

export function active(findings: Finding[]): Finding[] {
  return findings.filter((f) => !f.suppressedBy);
}

/** What reports list: active findings, and those a suppression added by the scanned range would hide (approved or not). */
export function listed(findings: Finding[]): Finding[] {
  return findings.filter((f) => !f.suppressedBy || f.suppressedByChange);
}

export function suppressedCounts(findings: Finding[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of findings) if (f.suppressedBy) counts[f.suppressedBy] = (counts[f.suppressedBy] ?? 0) + 1;
  return counts;
}

export function failing(findings: Finding[], failOn: FailOn): Finding[] {
  if (failOn === 'none') return [];
  return active(findings).filter((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[failOn]);
}

/**
 * The findings less those of the config's own custom rules in the config file itself: each rule
 * carries examples that match it by design. Every other finding there is kept: a token pasted
 * into the active config is a leak like any other (another file that shares its name,
 * `deploy/.secret-guard.yml`, is not the active config and keeps all of its findings).
 */
export function withoutConfigExamples(findings: Finding[], config: Config): Finding[] {
  if (config.repoPath === undefined || !config.rules.length) return findings;
  const custom = new Set(config.rules.map((r) => r.id));
  return findings.filter((f) => f.path !== config.repoPath || !custom.has(f.ruleId));
}
