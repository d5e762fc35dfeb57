/**
 * The fixture corpus in every mode: all of fixtures/ in one repository (each case in its own
 * folder), scanned as a working tree, as staged changes and as history, must give the same
 * findings, and those must be each case's expected.json. History reports a secret once per path
 * (at the commit that introduced it), so its findings are compared with the working tree's first
 * finding of each secret in each file.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cliAsync } from './helpers/cli-async.js';
import { cleanupAll, makeRepo, type Files } from './helpers/repo.js';

afterAll(cleanupAll);

const ROOT = fileURLToPath(new URL('../fixtures/', import.meta.url));

interface Row {
  ruleId: string;
  file: string;
  line: number;
  severity: string;
}

interface Reported extends Row {
  column: number;
  /** The secret (--show-secrets); '' for a path finding. Suppressed findings are not in the report. */
  match?: string;
}

const cases = readdirSync(ROOT).filter((d) => statSync(join(ROOT, d)).isDirectory()).sort();

function allFixtures(): { files: Files; expected: Row[] } {
  const files: Files = {};
  const expected: Row[] = [];
  const walk = (dir: string, base: string, prefix: string) => {
    for (const name of readdirSync(dir)) {
      const abs = join(dir, name);
      if (statSync(abs).isDirectory()) walk(abs, base, prefix);
      else if (abs !== join(base, 'expected.json')) files[`${prefix}/${relative(base, abs).split(sep).join('/')}`] = readFileSync(abs);
    }
  };
  for (const c of cases) {
    walk(join(ROOT, c), join(ROOT, c), c);
    for (const e of JSON.parse(readFileSync(join(ROOT, c, 'expected.json'), 'utf8')) as Row[]) expected.push({ ...e, file: `${c}/${e.file}` });
  }
  return { files, expected };
}

const order = (a: Row, b: Row) => a.file.localeCompare(b.file) || a.line - b.line || a.ruleId.localeCompare(b.ruleId) || a.severity.localeCompare(b.severity);
const rows = (fs: Reported[]) => fs.map(({ ruleId, file, line, severity }) => ({ ruleId, file, line, severity })).sort(order);

/** The first finding of each secret in each file in text order, as history keeps it; path findings as they are. */
function firstPerSecret(fs: Reported[]): Reported[] {
  const seen = new Set<string>();
  return [...fs]
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column)
    .filter((f) => {
      if (!f.match) return true;
      const k = `${f.file}\0${f.match}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
}

async function scan(args: string[], dir: string): Promise<Reported[]> {
  const r = await cliAsync(['scan', ...args, '--format', 'json', '--show-secrets'], dir);
  expect(r.stderr).toBe('');
  expect(r.code).not.toBe(2);
  return (JSON.parse(r.stdout) as { findings: Reported[] }).findings;
}

describe('fixtures/ in every mode', () => {
  it('working tree, staged and history give the same findings, and each case its expected.json', async () => {
    const { files, expected } = allFixtures();
    const committed = makeRepo({ files });
    const staged = makeRepo();
    staged.commit({}, 'empty start');
    staged.write(files);
    staged.git('add', '-A');

    const [tree, index, history] = await Promise.all([scan([], committed.dir), scan(['--staged'], staged.dir), scan(['--history'], committed.dir)]);
    expect(rows(tree)).toEqual([...expected].sort(order));
    expect(rows(index)).toEqual(rows(tree));
    expect(rows(history)).toEqual(rows(firstPerSecret(tree)));
  }, 120_000);
});
