/**
 * The JSON report (`--format json`, version 1) as the tests read it, and the history/range
 * runner the git tests share. The shape is src/report/json.ts's; fields a mode does not fill are
 * optional here, and the history-side ones are required in HistoryFinding.
 */
import { expect } from 'vitest';
import type { Finding } from '../../src/index.js';
import { cli } from './cli.js';
import { cliAsync } from './cli-async.js';

/** The library's own type of a JSON finding: the tests read the report the package documents. */
export type JsonFinding = Finding;

/** A finding of `--history` or `--range`: where it came in, and what still holds it. */
export interface HistoryFinding extends JsonFinding {
  commit: string;
  author: string;
  date: string;
  holders: { commits: number; refs: string[]; inHead: boolean };
}

export interface JsonReport<F extends JsonFinding = JsonFinding> {
  version: number;
  tool: { name: string; version: string };
  mode: string;
  findings: F[];
  suppressed: Record<string, number>;
  stats: {
    filesScanned: number;
    bytesScanned: number;
    commitsScanned?: number;
    blobsScanned?: number;
    skipped: Record<string, number>;
    skippedPaths?: Array<{ path: string; reason: string; kind: string }>;
    durationMs: number;
  };
  notes: string[];
}

/**
 * `scan <--history | --range A..B> --format json <extra…>` through bin/, proving on every run that
 * none of `tokens` reached stdout or stderr. `json` is null when the scan failed (exit 2), and
 * findings are [].
 */
export function scanHistoryJson(dir: string, mode: string[], tokens: string[], extra: string[] = []) {
  const r = cli(['scan', ...mode, '--format', 'json', ...extra], dir);
  for (const t of tokens) expect(r.stdout + r.stderr).not.toContain(t);
  // Exit 2 prints a report only when the scan ran and left a file unread.
  const json = r.stdout.startsWith('{') ? JSON.parse(r.stdout) : null;
  return { ...r, json, findings: (json?.findings ?? []) as HistoryFinding[] };
}

/**
 * `scan --history --format json` on 1, 2 and 3 threads at once: each must exit 1 with the same
 * findings and stats (durationMs aside); the report, once.
 */
export async function historyOnEveryThreadCount(dir: string): Promise<{ findings: HistoryFinding[]; stats: Record<string, unknown> }> {
  const runs = await Promise.all(['1', '2', '3'].map((t) => cliAsync(['scan', '--history', '--format', 'json', '--threads', t], dir)));
  const [one, ...rest] = runs.map((r) => {
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    delete json.stats.durationMs;
    return json;
  });
  for (const other of rest) {
    expect(other.findings).toEqual(one.findings);
    expect(other.stats).toEqual(one.stats);
  }
  return one;
}
