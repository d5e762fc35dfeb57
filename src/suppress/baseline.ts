/**
 * Baselines record today's findings by fingerprint so a scan reports only new ones. Sorted by
 * fingerprint, no timestamps and no secrets: the file only changes when findings do, and two
 * branches that add different findings merge line by line.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { ConfigError } from '../cli/errors.js';
import type { Finding } from '../core/types.js';

interface BaselineEntry {
  fingerprint: string;
  ruleId: string;
  file: string;
  line: number;
}

export function baselineOf(findings: Finding[]): string {
  const seen = new Set<string>();
  const entries: BaselineEntry[] = [];
  for (const f of findings) {
    if (f.suppressedBy || seen.has(f.fingerprint)) continue;
    seen.add(f.fingerprint);
    entries.push({ fingerprint: f.fingerprint, ruleId: f.ruleId, file: f.path, line: f.line });
  }
  entries.sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0));
  const body = entries.map((e) => `    ${JSON.stringify(e)}`).join(',\n');
  return `{\n  "version": 1,\n  "findings": [\n${body}${entries.length ? '\n' : ''}  ]\n}\n`;
}

export function writeBaseline(file: string, findings: Finding[]): number {
  const text = baselineOf(findings);
  writeFileSync(file, text);
  return (text.match(/"fingerprint"/g) ?? []).length;
}

export function readBaseline(file: string): Set<string> {
  if (!existsSync(file)) throw new ConfigError(`baseline ${file} does not exist`, 'Create it with `secret-guard scan --write-baseline FILE`.');
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`baseline ${file} is not valid JSON: ${(err as Error).message}`);
  }
  const list = (doc as { findings?: unknown }).findings;
  if ((doc as { version?: unknown }).version !== 1 || !Array.isArray(list)) throw new ConfigError(`baseline ${file}: expected { "version": 1, "findings": [...] }`);
  return new Set(list.map((e, i) => {
    const fp = (e as { fingerprint?: unknown }).fingerprint;
    if (typeof fp !== 'string') throw new ConfigError(`baseline ${file}: findings[${i}].fingerprint is missing`);
    return fp;
  }));
}
