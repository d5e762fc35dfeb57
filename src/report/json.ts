/**
 * The JSON report, version 1. Its shape is documented in the README and only grows: a field's
 * meaning never changes within a version.
 */
import type { Reporter } from './types.js';
import { shownSecret, shownText } from './shown.js';
import { listed, suppressedCounts } from '../scan/passes.js';
import { changeMarker } from '../suppress/apply.js';
import { isUnread } from '../scan/unread.js';

export const jsonReport: Reporter = (result, opts) => {
  const findings = listed(result.findings)
    .map((f) => ({
      ruleId: f.ruleId,
      severity: f.severity,
      message: f.message,
      fix: f.fix,
      file: f.path,
      line: f.line,
      column: f.column,
      endLine: f.endLine,
      endColumn: f.endColumn,
      ...(f.commit ? { commit: f.commit.sha, author: shownText(`${f.commit.author} <${f.commit.email}>`, opts.showSecrets), date: f.commit.date } : {}),
      ...(f.holders ? { holders: { ...f.holders, refs: f.holders.refs.map((r) => shownText(r, opts.showSecrets)) } } : {}),
      kind: f.kind,
      match: shownSecret(f, opts.showSecrets),
      fingerprint: f.fingerprint,
      ...(f.suppressedByChange ? { suppressedByChange: { by: f.suppressedByChange, approved: Boolean(f.suppressedBy), note: changeMarker(f) } } : {}),
    }));
  const doc = {
    version: 1,
    tool: { name: 'secret-guard', version: opts.toolVersion },
    mode: result.mode,
    findings,
    suppressed: suppressedCounts(result.findings),
    stats: { ...result.stats, skippedPaths: opts.verbose ? result.stats.skippedPaths.map((p) => ({ ...p, reason: shownText(p.reason, opts.showSecrets) })) : undefined },
    // The files that make the scan exit 2 unless accepted unread, without --verbose too: a job that
    // reads only this report must be able to say which files its check did not read.
    unread: result.stats.skippedPaths.filter((p) => isUnread(p.kind)).map((p) => ({ file: p.path, reason: shownText(p.reason, opts.showSecrets) })),
    notes: result.notes.map((n) => shownText(n, opts.showSecrets)),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
};
