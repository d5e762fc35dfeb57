/**
 * A differential for the pre-commit hook (`scan --staged`): whatever the commit makes must be
 * reported. The oracle scans HEAD's tree and the index's tree as plain folders (checkout-index
 * into temp folders, `scan` in each, the working tree's config for both: the hook's config is the
 * user's own) and takes, per staged path, the (rule, secret) pairs that fail in the index's
 * version and fail nowhere in the previous version (HEAD's file at the rename source `git diff
 * --cached -M` names, else at the same path). The hook must fail on at least every such pair.
 * Cases are drawn from a seed (SEED=n replays one): tokens added, moved, copied, renamed into a
 * Postmark-named path, a context changed lines above an old token, partial staging, mode changes,
 * delete-and-add, UTF-16 and CRLF files, .env files, config that ignores paths.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { seeded, runSeed, type Random } from './helpers/random.js';
import { cleanupAll, fakeToken, gitIn, makeRepo, renameSources, tempDir, type Repo } from './helpers/repo.js';
import type { JsonReport } from './helpers/report.js';
import { EXAMPLE_TOKEN, EXAMPLES, NEUTRAL } from './helpers/leak-examples.js';

afterAll(cleanupAll);


type Pair = string; // `${path}\0${ruleId}\0${secret}`
/** The JSON report's `match` is the secret (with --show-secrets). */
const failing = (f: { severity: string; suppressedBy?: string; match?: string; kind?: string }) => f.severity === 'error' && !f.suppressedBy && f.kind !== 'path' && Boolean(f.match);

function scanJson(args: string[], cwd: string): JsonReport {
  const r = cli([...args, '--format', 'json', '--show-secrets'], cwd);
  if (r.code === 2) throw new Error(`scan ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as JsonReport;
}

/** A tree (HEAD's, or the index's when `tree` is undefined) as a plain folder without its config file. */
function materialize(repo: Repo, tree: string | undefined): string {
  const dir = tempDir('sg-oracle-');
  if (tree) {
    const index = join(dir, '..', `${dir.split('/').pop()}.index`);
    gitIn(repo.dir, ['read-tree', tree], { GIT_INDEX_FILE: index });
    gitIn(repo.dir, ['checkout-index', '--all', `--prefix=${dir}/`], { GIT_INDEX_FILE: index });
    rmSync(index, { force: true });
  } else {
    gitIn(repo.dir, ['checkout-index', '--all', `--prefix=${dir}/`]);
  }
  rmSync(join(dir, '.secret-guard.json'), { force: true });
  return dir;
}

function pairsOf(report: JsonReport): Map<string, Set<string>> {
  const byPath = new Map<string, Set<string>>();
  for (const f of report.findings) {
    if (!failing(f)) continue;
    const set = byPath.get(f.file) ?? new Set<string>();
    set.add(`${f.ruleId}\0${f.match}`);
    byPath.set(f.file, set);
  }
  return byPath;
}

/** The pairs the commit makes, by the oracle. */
function oracle(repo: Repo): Set<Pair> {
  const config = join(repo.dir, '.secret-guard.json');
  const configArgs = existsSync(config) ? ['--config', config] : ['--no-config'];
  const hasHead = gitIn(repo.dir, ['rev-parse', '--verify', '-q', 'HEAD^{tree}']).trim();
  const before = pairsOf(hasHead ? scanJson(['scan', '.', ...configArgs], materialize(repo, 'HEAD')) : ({ findings: [] } as unknown as JsonReport));
  const after = pairsOf(scanJson(['scan', '.', ...configArgs], materialize(repo, undefined)));
  const source = renameSources(repo.dir, ['--cached']);
  const out = new Set<Pair>();
  for (const [path, pairs] of after) {
    const old = before.get(source.get(path) ?? path) ?? new Set();
    for (const p of pairs) if (!old.has(p)) out.add(`${path}\0${p}`);
  }
  return out;
}

function hook(repo: Repo): { code: number; pairs: Set<Pair> } {
  const r = cli(['scan', '--staged', '--format', 'json', '--show-secrets'], repo.dir);
  if (r.code === 2) throw new Error(`scan --staged failed: ${r.stderr}`);
  const json = JSON.parse(r.stdout) as JsonReport;
  return { code: r.code, pairs: new Set(json.findings.filter(failing).map((f) => `${f.file}\0${f.ruleId}\0${f.match}`)) };
}

const utf16 = (s: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
const crlf = (s: string) => s.replace(/\n/g, '\r\n');

/** Stages `content` at `path` without touching the working tree (a `git add -p` that took part of a file). */
function stageOnly(repo: Repo, path: string, content: string | Buffer, mode = '100644'): void {
  const tmp = join(tempDir('sg-blob-'), 'blob');
  writeFileSync(tmp, content);
  const id = gitIn(repo.dir, ['hash-object', '-w', '--no-filters', tmp]).trim();
  gitIn(repo.dir, ['update-index', '--add', '--cacheinfo', `${mode},${id},${path}`]);
}

/** A HEAD commit and a staged change drawn from `r`; returns a description of what was done. */
function buildCase(r: Random): { repo: Repo; did: string[] } {
  const did: string[] = [];
  const files: Record<string, string> = {};
  const withToken = new Map<string, string>(); // path → its token, for the ops
  const n = 2 + r.int(3);
  for (let i = 0; i < n; i++) {
    const ex = r.pick(EXAMPLES);
    const t = fakeToken();
    const path = `h${i}/${ex.path}`;
    files[path] = ex.text.split(EXAMPLE_TOKEN).join(t);
    withToken.set(path, t);
  }
  for (const [i, ne] of NEUTRAL.entries()) {
    if (!r.chance(0.6)) continue;
    const t = r.chance(0.3) && withToken.size ? r.pick([...withToken.values()]) : fakeToken();
    files[`n${i}/${ne.path}`] = ne.text(t);
    withToken.set(`n${i}/${ne.path}`, t);
  }
  if (r.chance(0.5)) {
    // The same secret under another rule in the same file: an account client, then a server client.
    const t = fakeToken();
    files['k/client.js'] = `import * as postmark from "postmark";\nconst a = new postmark.AccountClient("${t}");\n`;
    withToken.set('k/client.js', t);
  }
  if (r.chance(0.4)) files['.secret-guard.json'] = JSON.stringify({ ignorePaths: [r.pick(['h0/**', 'n0/**', 'n1/**', 'x/**'])] });
  const repo = makeRepo({ files });
  const paths = () => [...withToken.keys()];
  const ops = 1 + r.int(4);
  for (let k = 0; k < ops; k++) {
    const op = r.int(14);
    const from = r.pick(paths());
    const text = () => readFileSync(join(repo.dir, from), 'utf8');
    const fresh = (p: string) => !existsSync(join(repo.dir, p)) && !withToken.has(p);
    try {
      switch (op) {
        case 0: {
          const ex = r.pick(EXAMPLES);
          const p = `a${k}/${ex.path}`;
          if (!fresh(p)) break;
          repo.write({ [p]: ex.text.split(EXAMPLE_TOKEN).join(fakeToken()) });
          repo.git('add', '--', p);
          did.push(`add ${p}`);
          break;
        }
        case 1: {
          // A token moved from one file to another.
          const t = withToken.get(from)!;
          const ex = r.pick(EXAMPLES);
          const p = `m${k}/${ex.path}`;
          if (!existsSync(join(repo.dir, from)) || !fresh(p)) break;
          repo.write({ [from]: text().split(t).join('REMOVED'), [p]: ex.text.split(EXAMPLE_TOKEN).join(t) });
          repo.git('add', '--', from, p);
          did.push(`move token ${from} -> ${p}`);
          break;
        }
        case 2: {
          const ne = NEUTRAL.find((x) => from.endsWith(x.path) && x.postmarkPath);
          const p = ne ? from.replace(ne.path, ne.postmarkPath!) : `${from}.postmark`;
          if (!existsSync(join(repo.dir, from)) || !fresh(p)) break;
          repo.git('mv', from, p);
          if (r.chance(0.5)) {
            repo.write({ [p]: `${readFileSync(join(repo.dir, p), 'utf8')}# touched\n` });
            repo.git('add', '--', p);
          }
          withToken.set(p, withToken.get(from)!);
          did.push(`mv ${from} ${p}`);
          break;
        }
        case 3: {
          const ne = NEUTRAL.find((x) => from.endsWith(x.path) && x.context);
          if (!ne || !existsSync(join(repo.dir, from))) break;
          repo.write({ [from]: ne.context!(text()) });
          repo.git('add', '--', from);
          did.push(`context above ${from}`);
          break;
        }
        case 4: {
          const p = `c${k}/${from.split('/').slice(1).join('/')}`;
          if (!existsSync(join(repo.dir, from)) || !fresh(p)) break;
          repo.write({ [p]: text() });
          repo.git('add', '--', p);
          withToken.set(p, withToken.get(from)!);
          did.push(`copy ${from} ${p}`);
          break;
        }
        case 5: {
          // Partial staging: the index gets a token the working tree does not hold.
          const ex = r.pick(EXAMPLES);
          const p = r.chance(0.5) && existsSync(join(repo.dir, from)) ? from : `p${k}/${ex.path}`;
          const t = r.chance(0.5) ? withToken.get(from)! : fakeToken();
          stageOnly(repo, p, ex.text.split(EXAMPLE_TOKEN).join(t));
          did.push(`stage-only ${p}`);
          break;
        }
        case 6: {
          if (!existsSync(join(repo.dir, from))) break;
          if (r.chance(0.5)) {
            repo.write({ [from]: text().replace(/\n/, '\n\n') });
            repo.git('add', '--', from);
          }
          repo.git('update-index', '--chmod=+x', '--', from);
          did.push(`chmod ${from}`);
          break;
        }
        case 7: {
          const p = `d${k}/${r.chance(0.5) ? 'postmark.yml' : from.split('/').pop()}`;
          if (!existsSync(join(repo.dir, from)) || !fresh(p)) break;
          const body = text();
          repo.git('rm', '-q', '-f', '--', from);
          repo.write({ [p]: body });
          repo.git('add', '--', p);
          withToken.set(p, withToken.get(from)!);
          withToken.delete(from);
          did.push(`rm ${from}, add ${p}`);
          break;
        }
        case 8: {
          const ex = r.pick(EXAMPLES);
          const p = `u${k}/${ex.path}`;
          if (!fresh(p)) break;
          const body = ex.text.split(EXAMPLE_TOKEN).join(r.chance(0.5) ? withToken.get(from)! : fakeToken());
          repo.write({ [p]: r.chance(0.5) ? utf16(body) : crlf(body) });
          repo.git('add', '--', p);
          did.push(`encoded ${p}`);
          break;
        }
        case 9: {
          const p = `e${k}/.env`;
          if (!fresh(p)) break;
          repo.write({ [p]: `APP=shop\nPOSTMARK_SERVER_TOKEN=${r.chance(0.5) ? withToken.get(from)! : fakeToken()}\n` });
          repo.git('add', '-f', '--', p);
          did.push(`dotenv ${p}`);
          break;
        }
        case 10: {
          // The working tree's config (the hook's) changes; staged or not.
          const ignore = r.pick([[], ['h1/**'], ['n0/**'], ['c*/**']]);
          repo.write({ '.secret-guard.json': JSON.stringify({ ignorePaths: ignore }) });
          if (r.chance(0.5)) repo.git('add', '--', '.secret-guard.json');
          did.push(`config ignores ${JSON.stringify(ignore)}`);
          break;
        }
        case 11: {
          // A file rewritten to UTF-16 or CRLF with its token kept.
          if (!existsSync(join(repo.dir, from))) break;
          const body = text();
          repo.write({ [from]: r.chance(0.5) ? utf16(body) : crlf(body) });
          repo.git('add', '--', from);
          did.push(`re-encode ${from}`);
          break;
        }
        case 12: {
          const p = 'k/client.js';
          if (!withToken.has(p) || !existsSync(join(repo.dir, p))) break;
          repo.write({ [p]: `${readFileSync(join(repo.dir, p), 'utf8')}const s = new postmark.ServerClient("${withToken.get(p)!}");\n` });
          repo.git('add', '--', p);
          did.push(`same token, another rule in ${p}`);
          break;
        }
        default: {
          if (!existsSync(join(repo.dir, from))) break;
          repo.git('rm', '-q', '-f', '--', from);
          withToken.delete(from);
          did.push(`rm ${from}`);
        }
      }
    } catch (e) {
      throw new Error(`building op ${op} (${did.join('; ')}): ${String(e)}`);
    }
    if (!withToken.size) break;
  }
  return { repo, did };
}

describe('scan --staged reports every (rule, secret) the commit makes (differential against two tree scans)', () => {
  const seed = runSeed();
  it(`seeded cases (SEED=${seed})`, () => {
    const r = seeded(seed);
    let withNew = 0;
    for (let c = 0; c < 12; c++) {
      const { repo, did } = buildCase(r);
      const want = oracle(repo);
      const got = hook(repo);
      const missing = [...want].filter((p) => !got.pairs.has(p));
      const where = `SEED=${seed} case ${c}: ${did.join('; ')}`;
      expect(missing.map((p) => p.replace(/\0/g, ' ')), where).toEqual([]);
      if (want.size) expect(got.code, where).toBe(1);
      if (want.size) withNew++;
    }
    expect(withNew).toBeGreaterThan(0);
  });
});

describe('scan --staged: the differential on fixed cases, each one a way to lose a finding', () => {
  const cases: Array<{ name: string; head: Record<string, string>; change: (repo: Repo, t: string) => void }> = [
    {
      name: 'a pure rename into a Postmark-named path (judged under the source path, not the new one)',
      head: { 'config/mail.yml': 'api_token: TOKEN\nfrom: ops@example.com\n' },
      change: (repo) => void repo.git('mv', 'config/mail.yml', 'config/postmark.yml'),
    },
    {
      name: 'the same secret under another rule in the same file (same secret is not same finding)',
      head: { 'src/client.js': 'import * as postmark from "postmark";\nconst a = new postmark.AccountClient("TOKEN");\n' },
      change: (repo, t) => {
        repo.write({ 'src/client.js': `import * as postmark from "postmark";\nconst a = new postmark.AccountClient("${t}");\nconst s = new postmark.ServerClient("${t}");\n` });
        repo.git('add', '-A');
      },
    },
    {
      name: 'an inline allow dropped above an old token',
      head: { 'src/mail.js': '// secret-guard:allow\nconst c = new postmark.ServerClient("TOKEN");\n' },
      change: (repo, t) => {
        repo.write({ 'src/mail.js': `const c = new postmark.ServerClient("${t}");\n` });
        repo.git('add', '-A');
      },
    },
    {
      name: 'a section header renamed lines above an old token, staged apart from the working tree',
      head: { 'settings.ini': '[other]\nserver_token = TOKEN\ntimeout = 30\n' },
      change: (repo, t) => stageOnly(repo, 'settings.ini', `[postmark]\nserver_token = ${t}\ntimeout = 30\n`),
    },
    {
      name: 'a token already in HEAD at another path, copied to a UTF-16 file',
      head: { '.env': 'POSTMARK_SERVER_TOKEN=TOKEN\n' },
      change: (repo, t) => {
        repo.write({ 'deploy/app.env': utf16(`POSTMARK_SERVER_TOKEN=${t}\r\n`) });
        repo.git('add', '-A');
      },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const t = fakeToken();
      const repo = makeRepo({ files: Object.fromEntries(Object.entries(c.head).map(([p, s]) => [p, s.split('TOKEN').join(t)])) });
      c.change(repo, t);
      const want = oracle(repo);
      expect(want.size).toBeGreaterThan(0);
      const got = hook(repo);
      expect([...want].filter((p) => !got.pairs.has(p))).toEqual([]);
      expect(got.code).toBe(1);
    });
  }
});
