/**
 * GitHub Actions workflow commands: one annotation per finding, escaped as the actions toolkit
 * escapes them, so a path holding `,` or `:` cannot break out of its property.
 */
import type { Severity } from '../core/types.js';
import type { Reporter } from './types.js';
import { shownSecret } from './shown.js';
import { summary } from './text.js';
import { changeMarker } from '../suppress/apply.js';
import { listed } from '../scan/passes.js';

const COMMAND: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice' };

export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One workflow command, `::error file=…,line=…::message`, each part escaped. */
export function annotation(severity: Severity, props: Array<[string, string | number]>, message: string): string {
  return `::${COMMAND[severity]} ${props.map(([k, v]) => `${k}=${escapeProperty(String(v))}`).join(',')}::${escapeData(message)}`;
}

export const githubReport: Reporter = (result, opts) => {
  const lines: string[] = [];
  for (const f of listed(result.findings)) {
    const props: Array<[string, string | number]> = [];
    if (f.kind !== 'message') {
      props.push(['file', f.path], ['line', f.line], ['endLine', f.endLine]);
      if (f.kind === 'content') props.push(['col', f.column], ['endColumn', f.endColumn]);
    }
    props.push(['title', `${f.title} [${f.ruleId}]`]);
    const secret = f.secret ? ` (${shownSecret(f, opts.showSecrets)})` : '';
    const where = f.commit ? ` Introduced in ${f.commit.sha.slice(0, 12)}${f.kind === 'message' ? ' (commit message)' : ''}.` : '';
    const mark = changeMarker(f);
    const message = `${mark ? `${mark[0]!.toUpperCase()}${mark.slice(1)}. ` : ''}${f.message}${secret}${where}\nFix: ${f.fix}`;
    lines.push(annotation(f.severity, props, message));
  }
  lines.push(`secret-guard: ${summary(result)}`);
  return `${lines.join('\n')}\n`;
};
