/**
 * The fixture corpus, end to end: each folder of fixtures/ becomes a fresh git repository with
 * its files committed, the real CLI scans it (`--format json`), and the findings must equal the
 * folder's expected.json exactly ({ruleId, file, line, severity}; [] for a negative case). The
 * exit code must follow from them, and no secret from the folder may appear in the report.
 * Cases run concurrently (the CLI is spawned asynchronously), each in its own repository.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cliAsync } from './helpers/cli-async.js';
import { cleanupAll, makeRepo, type Files } from './helpers/repo.js';

afterAll(cleanupAll);

const ROOT = fileURLToPath(new URL('../fixtures/', import.meta.url));

interface Expected {
  ruleId: string;
  file: string;
  line: number;
  severity: string;
}

function filesOf(dir: string, base = dir, out: Files = {}): Files {
  for (const name of readdirSync(dir)) {
    const abs = join(dir, name);
    if (statSync(abs).isDirectory()) filesOf(abs, base, out);
    else if (abs !== join(base, 'expected.json')) out[relative(base, abs).split(sep).join('/')] = readFileSync(abs);
  }
  return out;
}

const order = (a: Expected, b: Expected) =>
  a.file.localeCompare(b.file) || a.line - b.line || a.ruleId.localeCompare(b.ruleId) || a.severity.localeCompare(b.severity);

// UUIDs, SMTP keys, and base64-encoded UUIDs (Kubernetes Secret data).
const SECRET_SHAPES = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|PM-T-[\w-]{24,}|\b[A-Za-z0-9_-]{36}\b|\b[A-Za-z0-9+/]{48}/gi;

const cases = readdirSync(ROOT).filter((d) => statSync(join(ROOT, d)).isDirectory()).sort();

describe('fixtures/', () => {
  it('holds positive and negative cases, each with expected.json', () => {
    expect(cases.length).toBeGreaterThan(50);
    const expectations = cases.map((c) => JSON.parse(readFileSync(join(ROOT, c, 'expected.json'), 'utf8')) as Expected[]);
    expect(expectations.some((e) => e.length === 0)).toBe(true);
    expect(expectations.some((e) => e.length > 0)).toBe(true);
  });

  for (const name of cases) {
    it.concurrent(name, async ({ expect }) => {
      const files = filesOf(join(ROOT, name));
      const expected = (JSON.parse(readFileSync(join(ROOT, name, 'expected.json'), 'utf8')) as Expected[]).sort(order);
      const repo = makeRepo({ files });
      const r = await cliAsync(['scan', '--format', 'json'], repo.dir);
      expect(r.stderr).toBe('');
      const report = JSON.parse(r.stdout) as { findings: Expected[] };
      const got = report.findings.map(({ ruleId, file, line, severity }) => ({ ruleId, file, line, severity })).sort(order);
      expect(got).toEqual(expected);
      expect(r.code).toBe(expected.some((e) => e.severity === 'error') ? 1 : 0);
      const secrets = new Set(Object.values(files).flatMap((b) => b!.toString().match(SECRET_SHAPES) ?? []));
      for (const s of secrets) expect(r.stdout).not.toContain(s);
    });
  }
});
