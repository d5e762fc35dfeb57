/**
 * The human report: grouped by file, `file:line:col`, severity, rule, the redacted secret and a
 * one-line fix; then a summary that counts what was scanned, skipped and suppressed.
 */
import type { Finding } from '../core/types.js';
import { formatBytes } from '../config/size.js';
import type { FailOn } from '../core/types.js';
import { active, failing, listed, suppressedCounts } from '../scan/passes.js';
import { changeMarker } from '../suppress/apply.js';
import type { ScanResult } from '../scan/result.js';
import type { Reporter, ReportOptions } from './types.js';
import { oneLine, shownPath, shownSecret, shownText } from './shown.js';

type Paint = (s: string) => string;
interface Palette {
  red: Paint;
  yellow: Paint;
  blue: Paint;
  dim: Paint;
  bold: Paint;
  underline: Paint;
}
const plain: Palette = { red: (s) => s, yellow: (s) => s, blue: (s) => s, dim: (s) => s, bold: (s) => s, underline: (s) => s };

async function palette(color: boolean): Promise<Palette> {
  if (!color) return plain;
  const { Chalk } = await import('chalk');
  const c = new Chalk({ level: 1 });
  return { red: c.red, yellow: c.yellow, blue: c.blue, dim: c.dim, bold: c.bold, underline: c.underline };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function where(f: Finding, showSecrets: boolean): string {
  if (!f.commit) return '';
  return ` in ${f.commit.sha.slice(0, 12)} (${shownText(f.commit.author, showSecrets)}, ${f.commit.date.slice(0, 10)})`;
}

export function summary(result: ScanResult): string {
  const s = result.stats;
  const shown = active(result.findings);
  const errors = shown.filter((f) => f.severity === 'error').length;
  const warnings = shown.filter((f) => f.severity === 'warning').length;
  const parts: string[] = [];
  parts.push(shown.length === 0 ? 'no findings' : `${plural(shown.length, 'finding')} (${plural(errors, 'error')}, ${plural(warnings, 'warning')})`);
  if (s.commitsScanned !== undefined) parts.push(`${plural(s.commitsScanned, 'commit')} scanned`);
  const unit = s.blobsScanned !== undefined ? 'blob' : 'file';
  parts.push(`${plural(s.blobsScanned ?? s.filesScanned, unit)} scanned (${formatBytes(s.bytesScanned)})`);
  const skipped = Object.entries(s.skipped).filter(([, n]) => n > 0);
  if (skipped.length) {
    const total = skipped.reduce((a, [, n]) => a + n, 0);
    const names: Record<string, string> = { binary: 'binary', tooLarge: 'over --max-file-size', ignoredByConfig: 'ignored by config', symlink: 'symlink', submodule: 'submodule', lfsPointer: 'LFS pointer', missing: 'deleted' };
    parts.push(`${total} skipped (${skipped.map(([k, n]) => `${n} ${names[k] ?? k}`).join(', ')})`);
  }
  const sup = Object.entries(suppressedCounts(result.findings));
  if (sup.length) parts.push(`${sup.reduce((a, [, n]) => a + n, 0)} suppressed (${sup.map(([k, n]) => `${n} ${k}`).join(', ')})`);
  return parts.join(' · ');
}

/**
 * The hook's first line: whether the commit is blocked, by what. A secrets file is not a
 * credential, so it is counted on its own.
 */
export function verdict(result: ScanResult, failOn: FailOn): string | undefined {
  if (result.mode !== 'staged') return undefined;
  const shown = active(result.findings);
  if (!shown.length) return undefined;
  const blocking = failing(result.findings, failOn);
  const what = (list: Finding[]) => {
    const files = list.filter((f) => f.kind === 'path').length;
    const creds = list.length - files;
    return [creds ? plural(creds, 'credential') : '', files ? plural(files, 'secrets file') : ''].filter(Boolean).join(' and ');
  };
  if (blocking.length) {
    const rest = shown.length - blocking.length;
    return `secret-guard: commit blocked — ${what(blocking)} in the staged change${rest ? ` (and ${plural(rest, 'warning')})` : ''}`;
  }
  return `secret-guard: the commit goes ahead — ${plural(shown.length, shown.every((f) => f.severity === 'warning') ? 'warning' : 'finding')} in the staged change, below --fail-on ${failOn}`;
}

/** After a blocked commit: what to do next, the false-positive way out included. */
const PROCEED = [
  'To commit: fix each finding as its fix line says, `git add` the change, and commit again.',
  'A false positive: add a `secret-guard:allow` comment on its line (or the line above), or run `secret-guard ignore <fingerprint>` (it appends to .secret-guard-ignore: commit that file too).',
];

export const textReport: Reporter = async (result: ScanResult, opts: ReportOptions) => {
  const p = await palette(opts.color);
  const lines: string[] = [];
  const failOn = opts.failOn ?? 'error';
  const head = verdict(result, failOn);
  if (head) lines.push(p.bold(head), '');
  const byFile = new Map<string, Finding[]>();
  for (const f of listed(result.findings)) {
    const list = byFile.get(f.path) ?? [];
    list.push(f);
    byFile.set(f.path, list);
  }
  for (const [file, list] of byFile) {
    // The path once, as a heading; each finding under it by line:column.
    lines.push(p.underline(shownPath(file)));
    const at = (f: Finding) => `${f.line}:${f.column}`;
    const width = Math.max(...list.map((f) => at(f).length));
    const pad = ' '.repeat(width + 4);
    for (const f of list) {
      const sev = f.severity === 'error' ? p.red('error  ') : f.severity === 'warning' ? p.yellow('warning') : p.blue('info   ');
      const secret = f.secret ? `  ${p.bold(shownSecret(f, opts.showSecrets))}` : '';
      lines.push(`  ${at(f).padEnd(width)}  ${sev}  ${f.title} ${p.dim(`[${f.ruleId}]`)}${secret}${where(f, opts.showSecrets)}`);
      const mark = changeMarker(f);
      if (mark) lines.push(p.yellow(`${pad}${mark}`));
      if (f.holders) lines.push(p.dim(`${pad}${heldBy(f, opts.showSecrets)}`));
      if (!opts.quiet) {
        lines.push(p.dim(`${pad}fix: ${oneLine(f.fix)}`));
        lines.push(p.dim(`${pad}fingerprint: ${f.fingerprint}`));
      }
    }
    lines.push('');
  }
  for (const n of result.notes) lines.push(oneLine(shownText(n, opts.showSecrets)));
  if (opts.verbose) {
    for (const s of result.stats.skippedPaths) lines.push(p.dim(`skipped ${shownPath(s.path)}: ${shownText(s.reason, opts.showSecrets)}`));
  }
  if (!opts.quiet || byFile.size) lines.push(summary(result));
  if (head && !opts.quiet && failing(result.findings, failOn).length) lines.push('', ...PROCEED);
  return lines.length ? `${lines.join('\n')}\n` : '';
};

/**
 * What still holds a leak found in history. A content leak is held where a ref's tip tree has it;
 * an empty list means it was removed since, not that its commits are unreachable: a history scan
 * reads only commits that some ref reaches.
 */
function heldBy(f: Finding, showSecrets: boolean): string {
  const h = f.holders!;
  // A blob that only a ref names (a tag of a blob or tree) is held by no commit at all.
  const commits = h.commits ? `still held by ${plural(h.commits, 'commit')}` : 'held by no commit';
  const refs = h.refs.length ? shownText(h.refs.join(', '), showSecrets) : null;
  // A commit or tag message (history-tags) is held by the refs whose history or tag it is.
  if (f.kind === 'message') {
    return `${commits}; ${refs ? `reachable from ${refs}` : 'reachable from no ref (old clones and reflogs only)'}; ${h.inHead ? "in HEAD's history" : "not in HEAD's history"}`;
  }
  return `${commits}${refs ? `; at the tip of ${refs}` : h.commits ? ", reachable from the refs scanned; removed since: no ref's tip holds it" : ''}; ${h.inHead ? 'still in HEAD' : 'not in HEAD'}`;
}
