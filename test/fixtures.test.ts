/**
 * The fixture corpus, end to end: each folder of fixtures/ becomes a fresh git repository with
 * its files committed, the CLI scans it (`scan --format json`), and the findings must equal the
 * folder's expected.json exactly ({ruleId, file, line, severity}; [] for a negative case). The
 * exit code must follow from them, and no secret from the folder may appear in the report.
 *
 * Every case runs in-process through `run()` of the built CLI (dist/, the code bin/ loads, with
 * dist/rules.json; helpers/in-process.ts), so the corpus costs one git repository per case and no
 * node start-up. A few cases, together covering every rule, a warning-only case and a negative
 * one, also run through bin/ as a separate process, so the process boundary (streams, exit code)
 * is checked on the same expectations.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cliAsync, cliAsyncBin } from './helpers/cli-async.js';
import { cleanupAll, makeRepo, type Files } from './helpers/repo.js';
import type { JsonReport } from './helpers/report.js';
import { ruleSpecs } from './helpers/rules.mjs';

afterAll(cleanupAll);

const ROOT = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** Through bin/ as well: every rule, an error and a warning of the client rule, a negative case. */
const THROUGH_BIN = [
  'env-file-postmark-server-token', // dotenv-not-ignored, postmark-server-token
  'php-new-postmark-client', // postmark-account-token, postmark-hardcoded-client
  'k8s-secret-data-base64', // postmark-token-base64
  'smtp-token-pair-env', // postmark-smtp-token
  'placeholder-client-literals-are-warnings', // warnings only: findings, exit 0
  'negative-environment-references', // nothing
];

interface Expected {
  ruleId: string;
  file: string;
  line: number;
  severity: string;
}

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
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

const ARGS = ['scan', '--format', 'json'];

/** The built run() with what bin/ would be handed: not a terminal, no colour, git without system config. */
const inProcess = (cwd: string): Promise<Outcome> => cliAsync(ARGS, cwd);
const cases = readdirSync(ROOT).filter((d) => statSync(join(ROOT, d)).isDirectory()).sort();

async function check(name: string, scan: (cwd: string) => Promise<Outcome>, expect: typeof import('vitest').expect): Promise<void> {
  const files = filesOf(join(ROOT, name));
  const expected = (JSON.parse(readFileSync(join(ROOT, name, 'expected.json'), 'utf8')) as Expected[]).sort(order);
  const repo = makeRepo({ files });
  const r = await scan(repo.dir);
  expect(r.stderr).toBe('');
  const report = JSON.parse(r.stdout) as JsonReport;
  const got = report.findings.map(({ ruleId, file, line, severity }) => ({ ruleId, file, line, severity })).sort(order);
  expect(got).toEqual(expected);
  expect(r.code).toBe(expected.some((e) => e.severity === 'error') ? 1 : 0);
  const secrets = new Set(Object.values(files).flatMap((b) => b!.toString().match(SECRET_SHAPES) ?? []));
  for (const s of secrets) expect(r.stdout).not.toContain(s);
}

describe('fixtures/', () => {
  it('holds positive and negative cases, each with expected.json', () => {
    expect(cases.length).toBeGreaterThan(50);
    const expectations = cases.map((c) => JSON.parse(readFileSync(join(ROOT, c, 'expected.json'), 'utf8')) as Expected[]);
    expect(expectations.some((e) => e.length === 0)).toBe(true);
    expect(expectations.some((e) => e.length > 0)).toBe(true);
  });

  it('are run through bin/ for every rule, a warning-only case and a negative case', () => {
    const expectations = THROUGH_BIN.map((c) => JSON.parse(readFileSync(join(ROOT, c, 'expected.json'), 'utf8')) as Expected[]);
    expect(new Set(expectations.flat().map((e) => e.ruleId))).toEqual(new Set(ruleSpecs().map((s) => s.id)));
    expect(expectations.some((e) => e.length === 0)).toBe(true);
    expect(expectations.some((e) => e.length > 0 && e.every((f) => f.severity === 'warning'))).toBe(true);
  });

  for (const name of cases) {
    it.concurrent(name, ({ expect }) => check(name, inProcess, expect));
  }

  for (const name of THROUGH_BIN) {
    it.concurrent(`${name}, through bin/`, ({ expect }) => check(name, (cwd) => cliAsyncBin(ARGS, cwd), expect));
  }
});
