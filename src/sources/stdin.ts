/**
 * `scan -`: standard input, read whole and scanned as one file, as gitleaks' `stdin` reads it.
 * The bytes come through the CLI context (bin/ supplies the reader); nothing here touches the process.
 */
import type { StdinReader } from '../cli/context.js';
import { UsageError } from '../errors.js';
import type { CompiledRule } from '../core/engine.js';
import { record, scanContent } from '../scan/content.js';
import { emptyStats, type ScanResult } from '../scan/result.js';
import { keywordGate } from './gate.js';

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
  const findings = record(stats, STDIN_PATH, scanContent(buf, STDIN_PATH, { rules: opts.rules, maxFileSize: opts.maxFileSize, gate: keywordGate(opts.rules) }));
  stats.durationMs = Date.now() - started;
  return { mode: 'files', root: opts.cwd, findings, stats, notes: [] };
}
