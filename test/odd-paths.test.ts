/**
 * Odd paths and odd repositories, in every mode: file names with spaces, quotes, newlines, tabs,
 * backslashes and non-ASCII (reported exactly in JSON; quoted in the text report so a name
 * cannot forge a line); symbolic links (their target text read, never followed, least of all
 * out of the repository);
 * submodules and Git LFS pointers (skipped, counted, named with --verbose); a linked worktree;
 * a detached HEAD.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliAsync } from './helpers/cli-async.js';
import { cleanupAll, fakeToken, gitIn, makeRepo, tempDir, type Repo } from './helpers/repo.js';
import type { JsonReport } from './helpers/report.js';

afterAll(cleanupAll);

type Mode = 'worktree' | 'staged' | 'history' | 'range';

function modeArgs(mode: Mode, base?: string): string[] {
  if (mode === 'staged') return ['--staged'];
  if (mode === 'history') return ['--history'];
  if (mode === 'range') return ['--range', `${base ?? 'HEAD~1'}..HEAD`];
  return [];
}

async function scanJson(cwd: string, mode: Mode, extra: string[] = [], base?: string): Promise<{ code: number; json: JsonReport }> {
  const r = await cliAsync(['scan', ...modeArgs(mode, base), '--format', 'json', '--show-secrets', ...extra], cwd);
  expect(r.code, `${mode}: ${r.stderr}`).not.toBe(2);
  return { code: r.code, json: JSON.parse(r.stdout) as JsonReport };
}

const env = (t: string) => `POSTMARK_SERVER_TOKEN=${t}\n`;
const contentFindings = (j: JsonReport) =>
  j.findings
    .filter((f) => f.kind === 'content')
    .map((f) => `${f.file}|${f.match}`)
    .sort();

describe('file names', () => {
  const NAMES = ['with space.txt', `quo"te's.txt`, 'new\nline.txt', 'tab\there.txt', 'back\\slash.txt', 'ünï cødé/ファイル.txt', ' leading space.txt', '-dash-first.txt', 'emoji 🚀.txt'];
  const tokens = Object.fromEntries(NAMES.map((n) => [n, fakeToken()]));
  const expected = NAMES.map((n) => `${n}|${tokens[n]}`).sort();

  it('are reported exactly, in the working tree, the index, a range and the history', async () => {
    const repo = makeRepo({ files: { 'README.md': '# app\n' } });
    const base = repo.git('rev-parse', 'HEAD').trim();
    repo.write(Object.fromEntries(NAMES.map((n) => [n, env(tokens[n]!)])));
    for (const mode of ['worktree', 'staged', 'range', 'history'] as Mode[]) {
      if (mode === 'staged') repo.git('add', '-A');
      if (mode === 'range') repo.git('commit', '-qm', 'odd names');
      const r = await scanJson(repo.dir, mode, [], base);
      expect(r.code, mode).toBe(1);
      expect(contentFindings(r.json), mode).toEqual(expected);
    }
  });

  it('can be named on the command line', async () => {
    const repo = makeRepo({ files: Object.fromEntries(NAMES.map((n) => [n, env(tokens[n]!)])) });
    const r = await scanJson(repo.dir, 'worktree', ['--', 'ünï cødé', 'new\nline.txt', `quo"te's.txt`, '-dash-first.txt']);
    expect(contentFindings(r.json)).toEqual(['-dash-first.txt', 'new\nline.txt', `quo"te's.txt`, 'ünï cødé/ファイル.txt'].map((n) => `${n}|${tokens[n]}`));
  });

  it('a newline in a name cannot forge a line of the text or GitHub report', async () => {
    const forged = 'x.txt\n  ::error file=ok.txt::forged\nfake.txt';
    const t = fakeToken();
    const repo = makeRepo({ files: { [forged]: env(t) } });
    const text = await cliAsync(['scan'], repo.dir);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain('"x.txt\\n  ::error file=ok.txt::forged\\nfake.txt"\n  1:23 ');
    expect(text.stdout.split('\n').some((l) => l.startsWith('  ::error'))).toBe(false);
    const gh = await cliAsync(['scan', '--format', 'github'], repo.dir);
    expect(gh.stdout.split('\n').filter((l) => l.startsWith('::'))).toHaveLength(1);
    expect(gh.stdout).toContain('::error file=x.txt%0A  %3A%3Aerror file=ok.txt%3A%3Aforged%0Afake.txt,line=1,');
  });
});

describe('names that are not UTF-8', () => {
  // Latin-1 names from old systems: bytes no string holds. Node's fs takes them as Buffers.
  const LATIN1 = [
    { raw: Buffer.from('caf\xe9.cfg', 'latin1'), shown: 'caf\\351.cfg' },
    { raw: Buffer.from('config/postm\xe4rk.yml', 'latin1'), shown: 'config/postm\\344rk.yml' },
  ];
  const writeRaw = (dir: string, raw: Buffer, text: string) => {
    const abs = Buffer.concat([Buffer.from(`${dir}/`), raw]);
    mkdirSync(dirname(abs.toString('latin1')), { recursive: true }); // the folders are ASCII
    writeFileSync(abs, text);
  };
  const secretOf = (shown: string, t: string) => (shown.endsWith('.yml') ? `postmark:\n  server_token: "${t}"\n` : env(t));

  it('are scanned in every mode, tracked and untracked, and reported in an escaped form that keeps their bytes', async () => {
    const repo = makeRepo({ files: { 'README.md': '# app\n' } });
    const base = repo.git('rev-parse', 'HEAD').trim();
    const tokens = LATIN1.map(() => fakeToken());
    LATIN1.forEach((n, i) => writeRaw(repo.dir, n.raw, secretOf(n.shown, tokens[i]!)));
    const expected = LATIN1.map((n, i) => `${n.shown}|${tokens[i]}`).sort();
    for (const mode of ['worktree', 'staged', 'range', 'history', 'worktree'] as Mode[]) {
      if (mode === 'staged') repo.git('add', '-A');
      if (mode === 'range') repo.git('commit', '-qm', 'latin-1 names');
      const r = await scanJson(repo.dir, mode, [], base);
      expect(r.code, mode).toBe(1);
      expect(contentFindings(r.json), mode).toEqual(expected);
    }
    // Outside a repository: the same files, found by walking the folders.
    const plain = tempDir('sg-latin1-');
    LATIN1.forEach((n, i) => writeRaw(plain, n.raw, secretOf(n.shown, tokens[i]!)));
    const r = await scanJson(plain, 'worktree');
    expect(r.code).toBe(1);
    expect(contentFindings(r.json)).toEqual(expected);
    expect(r.json.stats.skipped.missing ?? 0).toBe(0);
  });

  it('in a range, a merge of the base that brings a Latin-1 file in is not the change\'s leak', async () => {
    const repo = makeRepo({ files: { 'README.md': '# app\n' } });
    repo.git('checkout', '-qb', 'pr');
    repo.commit({ 'src/app.js': 'export {};\n' }, 'pr work');
    repo.git('checkout', '-q', 'main');
    const t = fakeToken();
    writeRaw(repo.dir, LATIN1[0]!.raw, env(t));
    repo.git('add', '-A');
    repo.git('commit', '-qm', 'main adds a secret');
    repo.git('checkout', '-q', 'pr');
    repo.git('merge', '-q', '--no-edit', 'main');
    const range = await scanJson(repo.dir, 'range', [], 'main');
    expect(contentFindings(range.json)).toEqual([]);
    expect(range.code).toBe(0);
    // The history still has it, at main's commit.
    expect(contentFindings((await scanJson(repo.dir, 'history')).json)).toEqual([`${LATIN1[0]!.shown}|${t}`]);
  });

  it('in a tree large enough for the reader worker, every one is read by whichever thread takes it', async () => {
    // Above WORKER_MIN_FILES (src/sources/worktree.ts); half the files give the engine work, so
    // the main thread is still busy when the worker starts and both read names passed as bytes.
    const repo = makeRepo({ files: { 'README.md': '# app\n' } });
    const mailer = (i: number) => `const client = new postmark.ServerClient(process.env.POSTMARK_SERVER_TOKEN);\n${'client.send({ n: 1 });\n'.repeat(40)}// ${i}\n`;
    const planted: string[] = [];
    for (let i = 0; i < 2400; i++) {
      const raw = Buffer.from(`pkg${Math.floor(i / 100)}/f${i}-caf\xe9.js`, 'latin1');
      const token = i % 100 === 37 ? fakeToken() : null;
      if (token) planted.push(`pkg${Math.floor(i / 100)}/f${i}-caf\\351.js|${token}`);
      writeRaw(repo.dir, raw, token ? `const client = new postmark.ServerClient('${token}');\n` : i % 2 ? mailer(i) : `export const n = ${i};\n`);
    }
    repo.git('add', '-A');
    repo.git('commit', '-qm', 'many latin-1 names');
    const r = await scanJson(repo.dir, 'worktree');
    expect(r.code).toBe(1);
    expect(contentFindings(r.json)).toEqual(planted.sort());
    expect(r.json.stats.filesScanned).toBe(2401);
  });
});

describe('symbolic links', () => {
  function linkedRepo() {
    const outside = tempDir('sg-outside-');
    const outsideToken = fakeToken();
    writeFileSync(join(outside, 'prod.env.txt'), env(outsideToken));
    mkdirSync(join(outside, 'dir'));
    writeFileSync(join(outside, 'dir', 'secrets.txt'), env(outsideToken));
    const insideToken = fakeToken();
    const repo = makeRepo({ files: { 'config/real.txt': env(insideToken), 'README.md': '# app\n' } });
    symlinkSync(join(outside, 'prod.env.txt'), join(repo.dir, 'out-file.txt'));
    symlinkSync(join(outside, 'dir'), join(repo.dir, 'out-dir'));
    symlinkSync('../../../../../../../../..' + outside + '/prod.env.txt', join(repo.dir, 'relative-out.txt'));
    symlinkSync('config/real.txt', join(repo.dir, 'in-link.txt'));
    symlinkSync('no/such/target', join(repo.dir, 'dangling.txt'));
    return { repo, outsideToken, insideToken };
  }

  it('are never followed: the outside token is never found, the inside one once, at its own path; the link text is read', async () => {
    const { repo, outsideToken, insideToken } = linkedRepo();
    for (const mode of ['worktree', 'staged', 'history'] as Mode[]) {
      if (mode === 'staged') repo.git('add', '-A');
      if (mode === 'history') repo.git('commit', '-qm', 'links');
      const r = await scanJson(repo.dir, mode);
      expect(contentFindings(r.json), mode).toEqual(mode === 'staged' ? [] : [`config/real.txt|${insideToken}`]);
      expect(JSON.stringify(r.json), mode).not.toContain(outsideToken);
      // The five links are read as files (their target text), never skipped.
      expect(r.json.stats.skipped.symlink ?? 0, mode).toBe(0);
      expect(r.json.stats.filesScanned, mode).toBe(mode === 'staged' ? 5 : 7);
    }
    const verbose = await cliAsync(['scan', '--verbose'], repo.dir);
    expect(verbose.stdout).not.toContain('skipped');
  });

  it('named on the command line, a link out of the repository is read as a link, not followed, and says so', async () => {
    const { repo, outsideToken } = linkedRepo();
    const r = await scanJson(repo.dir, 'worktree', ['out-file.txt', 'out-dir']);
    expect(r.code).toBe(0);
    expect(JSON.stringify(r.json)).not.toContain(outsideToken);
    expect(r.json.stats.filesScanned).toBe(2);
    const text = await cliAsync(['scan', 'out-file.txt'], repo.dir);
    expect(text.stdout).toContain('out-file.txt is a symbolic link: its target text was scanned, the file it points to was not');
  });

  it('outside a repository, links are not followed either', async () => {
    const { repo, outsideToken } = linkedRepo();
    const plain = tempDir('sg-plain-');
    symlinkSync(join(repo.dir, 'out-file.txt'), join(plain, 'link.txt'));
    symlinkSync(join(repo.dir, 'out-dir'), join(plain, 'link-dir'));
    const r = await scanJson(plain, 'worktree');
    expect(r.json.mode).toBe('files');
    expect(JSON.stringify(r.json)).not.toContain(outsideToken);
    expect(r.json.stats.filesScanned).toBe(2);
  });
});

describe('submodules and Git LFS pointers', () => {
  const pointer = (oid: string, size: number) => `version https://git-lfs.github.com/spec/v1\noid sha256:${oid}\nsize ${size}\n`;

  function repoWithSubmodule(): { repo: Repo; subToken: string } {
    const subToken = fakeToken();
    const sub = makeRepo({ files: { 'lib.env.txt': env(subToken) } });
    const repo = makeRepo({ files: { 'README.md': '# app\n' } });
    gitIn(repo.dir, ['-c', 'protocol.file.allow=always', 'submodule', 'add', '-q', sub.dir, 'vendor/lib']);
    return { repo, subToken };
  }

  it('a submodule is skipped (its own repository), counted, and named with --verbose, in every mode', async () => {
    const { repo, subToken } = repoWithSubmodule();
    for (const mode of ['worktree', 'staged', 'history'] as Mode[]) {
      if (mode === 'history') repo.git('commit', '-qm', 'submodule');
      const [r, v] = await Promise.all([scanJson(repo.dir, mode), cliAsync(['scan', ...modeArgs(mode), '--verbose'], repo.dir)]);
      expect(JSON.stringify(r.json), mode).not.toContain(subToken);
      expect(r.json.stats.skipped.submodule, mode).toBe(1);
      expect(v.stdout, mode).toContain('skipped vendor/lib: submodule (scan it on its own)');
      expect(v.stdout, mode).toMatch(/1 submodule/);
    }
  });

  it('an LFS pointer is skipped as such and counted; a file that only starts like one is scanned', async () => {
    const hidden = fakeToken();
    const repo = makeRepo({ files: { '.gitattributes': '*.psd filter=lfs diff=lfs merge=lfs -text\n' } });
    repo.write({
      'art/cover.psd': pointer('4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393', 123456),
      'art/with-ext.psd': `version https://git-lfs.github.com/spec/v1\next-0-foo sha256:${'a'.repeat(64)}\noid sha256:${'b'.repeat(64)}\nsize 10\n`,
      'fake-pointer.txt': `${pointer('4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393', 1)}${env(hidden)}`,
    });
    for (const mode of ['worktree', 'staged', 'history'] as Mode[]) {
      if (mode === 'staged') repo.git('add', '-A');
      if (mode === 'history') repo.git('commit', '-qm', 'lfs');
      const [r, v] = await Promise.all([scanJson(repo.dir, mode), cliAsync(['scan', ...modeArgs(mode), '--verbose'], repo.dir)]);
      expect(r.json.stats.skipped.lfsPointer, mode).toBe(2);
      expect(contentFindings(r.json), mode).toEqual([`fake-pointer.txt|${hidden}`]);
      expect(v.stdout, mode).toContain('skipped art/cover.psd: Git LFS pointer (content lives outside the repository)');
    }
  });
});

describe('linked worktrees and a detached HEAD', () => {
  it('from inside a linked worktree, every mode reads that worktree', async () => {
    const main = makeRepo({ files: { 'README.md': '# app\n' } });
    const wt = join(tempDir('sg-wt-'), 'feature');
    main.git('worktree', 'add', '-q', '-b', 'feature', wt);
    const committed = fakeToken();
    const staged = fakeToken();
    const untracked = fakeToken();
    writeFileSync(join(wt, 'committed.env.txt'), env(committed));
    gitIn(wt, ['add', '-A']);
    gitIn(wt, ['commit', '-qm', 'feature']);
    writeFileSync(join(wt, 'staged.env.txt'), env(staged));
    gitIn(wt, ['add', 'staged.env.txt']);
    writeFileSync(join(wt, 'untracked.env.txt'), env(untracked));
    const expected: Record<Mode, string[]> = {
      worktree: [`committed.env.txt|${committed}`, `staged.env.txt|${staged}`, `untracked.env.txt|${untracked}`],
      staged: [`staged.env.txt|${staged}`],
      range: [`committed.env.txt|${committed}`],
      history: [`committed.env.txt|${committed}`],
    };
    for (const mode of ['worktree', 'staged', 'range', 'history'] as Mode[]) {
      const r = await scanJson(wt, mode, [], 'main');
      expect(contentFindings(r.json), mode).toEqual(expected[mode]);
    }
    // The main checkout sees none of the feature's staged or untracked files.
    expect(contentFindings((await scanJson(main.dir, 'worktree')).json)).toEqual([]);
    expect(contentFindings((await scanJson(main.dir, 'staged')).json)).toEqual([]);
  });

  it('on a detached HEAD, every mode works', async () => {
    const first = fakeToken();
    const second = fakeToken();
    const repo = makeRepo({ files: { 'a.env.txt': env(first) } });
    repo.commit({ 'b.env.txt': env(second) }, 'second');
    repo.git('checkout', '-q', '--detach', 'HEAD');
    const staged = fakeToken();
    repo.write({ 'c.env.txt': env(staged) });
    repo.git('add', 'c.env.txt');
    const expected: Record<Mode, string[]> = {
      worktree: [`a.env.txt|${first}`, `b.env.txt|${second}`, `c.env.txt|${staged}`],
      staged: [`c.env.txt|${staged}`],
      range: [`b.env.txt|${second}`],
      history: [`a.env.txt|${first}`, `b.env.txt|${second}`],
    };
    for (const mode of ['worktree', 'staged', 'range', 'history'] as Mode[]) {
      const r = await scanJson(repo.dir, mode);
      expect(r.code, mode).toBe(1);
      expect(contentFindings(r.json), mode).toEqual(expected[mode]);
    }
    // A commit made on the detached HEAD, reachable from no branch, is still in the history scan.
    const orphan = fakeToken();
    repo.git('commit', '-qm', 'detached');
    repo.commit({ 'd.env.txt': env(orphan) }, 'detached work');
    expect(contentFindings((await scanJson(repo.dir, 'history')).json)).toContain(`d.env.txt|${orphan}`);
  });
});
