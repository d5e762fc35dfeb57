/**
 * GitLab's Secret Detection report (gl-secret-detection-report.json). Vulnerability ids derive from
 * our fingerprint, so the same leak keeps its identity between pipelines.
 */
import type { Severity } from '../core/types.js';
import type { Reporter } from './types.js';
import { shownSecret } from './shown.js';
import { listed } from '../scan/passes.js';
import { changePrefix } from '../suppress/apply.js';

const SEVERITY: Record<Severity, string> = { error: 'Critical', warning: 'Medium', info: 'Info' };

/** `YYYY-MM-DDTHH:MM:SS`, the schema's date format (no zone, no fraction). */
const stamp = (d: Date) => d.toISOString().slice(0, 19);

/** A UUID-shaped id from the 32-hex fingerprint. */
const idOf = (fp: string) => `${fp.slice(0, 8)}-${fp.slice(8, 12)}-${fp.slice(12, 16)}-${fp.slice(16, 20)}-${fp.slice(20, 32)}`;

export const gitlabReport: Reporter = (result, opts) => {
  const end = new Date();
  const start = new Date(end.getTime() - result.stats.durationMs);
  const component = { id: 'secret-guard', name: 'secret-guard', version: opts.toolVersion, vendor: { name: 'secret-guard' } };
  const vulnerabilities = listed(result.findings)
    .map((f) => ({
      id: idOf(f.fingerprint),
      category: 'secret_detection',
      name: f.title,
      description: `${changePrefix(f)}${f.message}${f.secret ? ` Match: ${shownSecret(f, opts.showSecrets)}.` : ''}`,
      severity: SEVERITY[f.severity],
      solution: f.fix,
      identifiers: [{ type: 'secret_guard_rule_id', name: `secret-guard rule ${f.ruleId}`, value: f.ruleId }],
      location: {
        file: f.path,
        start_line: f.line,
        end_line: f.endLine,
        commit: { sha: f.commit?.sha ?? opts.headSha ?? '0000000000000000000000000000000000000000' },
      },
    }));
  const report = {
    version: '15.2.1',
    scan: { analyzer: component, scanner: component, type: 'secret_detection', start_time: stamp(start), end_time: stamp(end), status: 'success' },
    vulnerabilities,
  };
  return `${JSON.stringify(report, null, 2)}\n`;
};
