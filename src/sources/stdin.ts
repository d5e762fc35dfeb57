/**
 * `scan -`: standard input, read whole and scanned as one file, as gitleaks' `stdin` reads it.
 * The bytes come through the CLI context (bin/ supplies the reader); nothing here touches the process.
 */
import type { StdinReader } from '../cli/context.js';
import { IncompleteScanError, UsageError } from '../errors.js';
import type { CompiledRule } from '../core/engine.js';
import { emptyStats, skip, type ScanResult } from '../scan/result.js';
import { keywordGate } from './gate.js';
import { contentOutcome } from './worktree-read.js';

/** The path findings on standard input carry. */
export const STDIN_PATH = '<stdin>';

export interface StdinOptions {
  cwd: string;
  rules: CompiledRule[];
  maxFileSize: number;
  stdin?: StdinReader;
}

export async function scanStdin(opts: StdinOptions): Promise<ScanResult> {
  const started = Date.now();
  if (!opts.stdin) throw new UsageError('`scan -` reads standard input, and none was handed to this command');
  if (opts.stdin.isTTY()) {
    throw new UsageError('`scan -` reads standard input, and it is a terminal: pipe the text in (`cat file | secret-guard scan -`), or name a file to scan');
  }
  const buf = await opts.stdin.read();
  const stats = emptyStats();
  if (buf.length > opts.maxFileSize) {
    skip(stats, 'tooLarge', STDIN_PATH, `${buf.length} bytes, over --max-file-size`);
    return { mode: 'files', root: opts.cwd, findings: [], stats, notes: [] };
  }
  const o = contentOutcome({ path: STDIN_PATH, abs: STDIN_PATH }, buf, { rules: opts.rules, maxFileSize: opts.maxFileSize, gate: keywordGate(opts.rules) });
  if ('failed' in o) throw o.failed;
  if ('unreadable' in o) throw new IncompleteScanError(`could not read standard input (${o.unreadable})`);
  const findings = 'scanned' in o ? o.findings : [];
  if ('skip' in o) skip(stats, o.skip, STDIN_PATH, o.reason);
  else if ('scanned' in o) {
    stats.filesScanned = 1;
    stats.bytesScanned = o.scanned;
  }
  stats.durationMs = Date.now() - started;
  return { mode: 'files', root: opts.cwd, findings, stats, notes: [] };
}
