/**
 * Baselines record today's findings by fingerprint so a scan reports only new ones. Sorted by
 * fingerprint, no timestamps and no secrets: the file only changes when findings do, and two
 * branches that add different findings merge line by line.
 */
import { ConfigError } from '../errors.js';
import { jsonProblem } from '../config/load.js';
import { repeatedJsonKey } from '../config/json-keys.js';
import { readSettingsFile } from '../config/settings-file.js';
import type { Finding } from '../core/types.js';
import { shownPath } from '../report/shown.js';
import { RefusedWrite, writeOutputFile } from '../report/output-file.js';

interface BaselineEntry {
  fingerprint: string;
  ruleId: string;
  file: string;
  line: number;
}

function baselineOf(findings: Finding[]): string {
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

/**
 * Writes the baseline `name` (relative to `cwd`), to a regular file only, and never through a link
 * in the repository at `root` (report/output-file.ts): a cloned repository's
 * `.secret-guard-baseline.json` committed as a link to `~/.ssh/authorized_keys` would otherwise have
 * `--write-baseline` overwrite that file.
 */
export function writeBaseline(cwd: string, name: string, root: string, findings: Finding[]): number {
  const text = baselineOf(findings);
  try {
    writeOutputFile(cwd, name, text, root, { regularOnly: true });
  } catch (err) {
    const why = err instanceof RefusedWrite ? err.why : `cannot be written (${(err as NodeJS.ErrnoException).code ?? 'error'})`;
    throw new ConfigError(`baseline ${shownPath(name)} ${why}, so it was not written`, 'Remove it, or name another file with --write-baseline.');
  }
  return (text.match(/"fingerprint"/g) ?? []).length;
}

/** The fingerprints of a baseline's text; `shown` names it in errors, which never quote it. */
export function parseBaseline(text: string, shown: string): Set<string> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`baseline ${shown} is not valid JSON: ${jsonProblem(text, (err as Error).message)}`);
  }
  // JSON.parse keeps the last of a key written twice: `"findings": [...]` then `"findings": []`
  // would read as an empty baseline, and a reader sees the first.
  const twice = repeatedJsonKey(text);
  if (twice) throw new ConfigError(`baseline ${shown}:${twice.line}: \`${twice.path.join('.')}\` is given twice; JSON would keep the last one silently`);
  const list = (doc as { findings?: unknown } | null)?.findings;
  if ((doc as { version?: unknown } | null)?.version !== 1 || !Array.isArray(list)) throw new ConfigError(`baseline ${shown}: expected { "version": 1, "findings": [...] }`);
  return new Set(
    list.map((e, i) => {
      const fp = (e as { fingerprint?: unknown } | null)?.fingerprint;
      if (typeof fp !== 'string' || !/^[0-9a-f]{32}$/.test(fp)) throw new ConfigError(`baseline ${shown}: findings[${i}].fingerprint is missing or not 32 hex characters`);
      return fp;
    }),
  );
}

export function readBaseline(file: string): Set<string> {
  const text = readSettingsFile(file, 'baseline');
  if (text === null) throw new ConfigError(`baseline ${shownPath(file)} does not exist`, 'Create it with `secret-guard scan --write-baseline FILE`.');
  return parseBaseline(text, shownPath(file));
}
