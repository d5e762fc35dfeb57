import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, realpathSync, rmSync, symlinkSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findRepo } from '../src/sources/git.js';
import { cli } from './helpers/cli.js';
import { cleanupAll, fakeToken, makeRepo, tempDir, type Repo } from './helpers/repo.js';
import type { JsonReport } from './helpers/report.js';

afterAll(cleanupAll);

function staged(repo: Repo, ...extra: string[]) {
  const r = cli(['scan', '--staged', '--format', 'json', ...extra], repo.dir);
  if (r.code === 2) throw new Error(`scan --staged failed: ${r.stderr}`);
  const json = JSON.parse(r.stdout) as JsonReport;
  return { code: r.code, json, findings: json.findings.map((f) => `${f.file}:${f.line}:${f.ruleId}`) };
}

const env = (token: string) => `POSTMARK_SERVER_TOKEN=${token}\n`;
const smtp = (password: string) => `mail:\n  host: smtp.postmarkapp.com\n  port: 587\n  user: apikey\n  password: ${password}\n`;

describe('scan --staged judges the index, not the working tree', () => {
  it('passes when the token is only in the working tree', () => {
    const repo = makeRepo({ files: { 'app.cfg': 'DEBUG=1\n' } });
    repo.write({ 'app.cfg': 'DEBUG=0\n' });
    repo.git('add', 'app.cfg');
    repo.write({ 'app.cfg': `DEBUG=0\n${env(fakeToken())}` });
    const r = staged(repo);
    expect(r.code).toBe(0);
    expect(r.findings).toEqual([]);
  });

  it('fails when the token is in the index even if the working tree no longer has it', () => {
    const repo = makeRepo({ files: { 'app.cfg': 'DEBUG=1\n' } });
    repo.write({ 'app.cfg': `DEBUG=1\n${env(fakeToken())}` });
    repo.git('add', 'app.cfg');
    repo.write({ 'app.cfg': 'DEBUG=1\n' });
    const r = staged(repo);
    expect(r.code).toBe(1);
    expect(r.findings).toEqual(['app.cfg:2:postmark-server-token']);
  });

  it('honours hunk-level partial staging (git add -p) both ways', () => {
    const token = fakeToken();
    const body = Array.from({ length: 20 }, (_, i) => `LINE_${i + 1}=x\n`);
    const repo = makeRepo({ files: { 'app.cfg': body.join('') } });
    const edited = [...body];
    edited[1] = env(token);
    edited[18] = 'LINE_19=changed\n';
    repo.write({ 'app.cfg': edited.join('') });
    const addPatch = (answers: string) => execFileSync('git', ['add', '-p', 'app.cfg'], { cwd: repo.dir, input: answers, stdio: ['pipe', 'ignore', 'ignore'] });
    addPatch('n\ny\n'); // stage only the harmless second hunk
    expect(repo.git('diff', '--cached', '--stat')).toMatch(/1 insertion/);
    expect(staged(repo).code).toBe(0);
    repo.git('reset', '-q');
    addPatch('y\nn\n'); // stage only the token's hunk
    const r = staged(repo);
    expect(r.code).toBe(1);
    expect(r.findings).toEqual(['app.cfg:2:postmark-server-token']);
  });

  it('reports line numbers of the staged file, not of the working tree', () => {
    const repo = makeRepo({ files: { 'app.cfg': 'A=1\nB=2\n' } });
    repo.write({ 'app.cfg': `A=1\nB=2\n${env(fakeToken())}` });
    repo.git('add', 'app.cfg');
    repo.write({ 'app.cfg': `# ten\n# more\n# lines\nA=1\nB=2\n${env(fakeToken())}` });
    expect(staged(repo).findings).toEqual(['app.cfg:3:postmark-server-token']);
  });

  it('works for the first commit of a repository (no HEAD)', () => {
    const repo = makeRepo();
    repo.write({ 'src/mail.yml': smtp(fakeToken()), 'README.md': '# hello\n' });
    repo.git('add', '-A');
    const r = staged(repo);
    expect(r.code).toBe(1);
    expect(r.findings).toEqual(['src/mail.yml:5:postmark-server-token']);
    expect(r.json.mode).toBe('staged');
    expect(r.json.stats.filesScanned).toBe(2);
  });

  it('passes an empty index and a clean first commit', () => {
    const repo = makeRepo();
    expect(staged(repo).code).toBe(0);
    repo.write({ 'README.md': '# hello\n' });
    repo.git('add', '-A');
    expect(staged(repo).code).toBe(0);
  });

  it('never reports a staged deletion', () => {
    const repo = makeRepo({ files: { 'old.cfg': env(fakeToken()), '.env': 'A=1\n' } });
    repo.git('rm', '-q', 'old.cfg', '.env');
    const r = staged(repo);
    expect(r.code).toBe(0);
    expect(r.findings).toEqual([]);
  });

  it('ignores an old token on an untouched line of a modified file', () => {
    const old = env(fakeToken());
    const repo = makeRepo({ files: { 'app.cfg': `A=1\n${old}B=2\n` } });
    repo.write({ 'app.cfg': `A=1\n${old}B=3\nC=4\n` });
    repo.git('add', 'app.cfg');
    const r = staged(repo);
    expect(r.code).toBe(0);
    expect(r.json.stats.filesScanned).toBe(1);
  });

  it('finds a token added inside an existing SMTP block whose host line is untouched', () => {
    const repo = makeRepo({ files: { 'config/mail.yml': smtp('${SMTP_PASSWORD}') } });
    repo.write({ 'config/mail.yml': smtp(fakeToken()) });
    repo.git('add', '-A');
    const r = staged(repo);
    expect(r.code).toBe(1);
    expect(r.json.findings).toMatchObject([{ ruleId: 'postmark-server-token', file: 'config/mail.yml', line: 5, column: 13 }]);
  });

  it('reports nothing for a pure rename between neutral names, and what a rename adds', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'a.cfg': `A=1\n${env(token)}B=2\nC=3\nD=4\n` } });
    repo.git('mv', 'a.cfg', 'b.cfg');
    expect(staged(repo).code).toBe(0);
    repo.write({ 'b.cfg': `A=1\n${env(token)}B=2\nC=3\nD=4\nPOSTMARK_API_KEY=${fakeToken()}\n` });
    repo.git('add', 'b.cfg');
    expect(repo.git('diff', '--cached', '--name-status', '-M')).toMatch(/^R\d+\ta\.cfg\tb\.cfg/);
    expect(staged(repo).findings).toEqual(['b.cfg:6:postmark-server-token']);
  });

  it('treats a mode change as no new line', () => {
    const repo = makeRepo({ files: { 'deploy.sh': `#!/bin/sh\nexport POSTMARK_SERVER_TOKEN=${fakeToken()}\n` } });
    repo.git('update-index', '--chmod=+x', 'deploy.sh');
    expect(repo.git('diff', '--cached', '--raw')).toMatch(/100644 100755/);
    const r = staged(repo);
    expect(r.code).toBe(0);
    expect(r.json.stats.filesScanned).toBe(0);
  });

  it('makes a staged .env an error even when empty, and lets .env.example through', () => {
    const repo = makeRepo({ files: { 'README.md': '# x\n' } });
    repo.write({ '.env': '', '.env.example': 'POSTMARK_SERVER_TOKEN=\n' });
    repo.git('add', '.env', '.env.example');
    const r = staged(repo);
    expect(r.code).toBe(1);
    expect(r.json.findings).toMatchObject([{ ruleId: 'dotenv-not-ignored', file: '.env', kind: 'path', severity: 'error' }]);
  });

  it('reports a force-added .env that .gitignore lists, but not one that is only ignored on disk', () => {
    const repo = makeRepo({ files: { '.gitignore': '.env\n' } });
    repo.write({ '.env': 'A=1\n' });
    expect(staged(repo).code).toBe(0);
    repo.git('add', '-f', '.env');
    expect(staged(repo).findings).toEqual(['.env:1:dotenv-not-ignored']);
  });

  it('reads paths with spaces, quotes, newlines and non-ASCII characters', () => {
    const repo = makeRepo({ files: { 'plain.txt': 'x\n' } });
    const odd = ['dir with space/a "quoted" file.cfg', 'new\nline.cfg', 'café/ünï.cfg', 'tab\there.cfg'];
    repo.write(Object.fromEntries(odd.map((p) => [p, env(fakeToken())])));
    repo.git('add', '-A');
    const r = staged(repo);
    expect(r.json.findings.map((f) => f.file).sort()).toEqual([...odd].sort());
    expect(r.json.findings.every((f) => f.line === 1)).toBe(true);
  });

  it('reads a modified file with an odd path at the right lines', () => {
    const repo = makeRepo({ files: { 'we "ird"\n.cfg': 'A=1\nB=2\n' } });
    repo.write({ 'we "ird"\n.cfg': `A=1\n${env(fakeToken())}B=2\n` });
    repo.git('add', '-A');
    expect(staged(repo).findings).toEqual(['we "ird"\n.cfg:2:postmark-server-token']);
  });

  it('reads a latin-1 file and a 2 MB single-line file from the index', () => {
    const repo = makeRepo({ files: { 'README.md': '# x\n' } });
    const pad = 'var a=function(b){return b+1};'.repeat(35000);
    const prefix = `${pad}var c=new postmark.ServerClient("`;
    repo.write({
      'legacy.cfg': Buffer.concat([Buffer.from('caf\xe9 r\xe9sum\xe9\n', 'latin1'), Buffer.from(env(fakeToken()))]),
      'dist/app.min.js': `${prefix}${fakeToken()}");${pad}`,
    });
    repo.git('add', '-A');
    const r = staged(repo);
    expect(r.code).toBe(1);
    expect(r.json.findings.map((f) => [f.file, f.line, f.column])).toEqual([
      ['dist/app.min.js', 1, prefix.length + 1],
      ['legacy.cfg', 2, 23],
    ]);
  });

  it('reports what a mode change adds along with it, and nothing else', () => {
    const old = fakeToken();
    const repo = makeRepo({ files: { 'deploy.sh': `#!/bin/sh\nexport POSTMARK_SERVER_TOKEN=${old}\n` } });
    repo.write({ 'deploy.sh': `#!/bin/sh\nexport POSTMARK_SERVER_TOKEN=${old}\nexport POSTMARK_ACCOUNT_TOKEN=${fakeToken()}\n` });
    repo.git('add', 'deploy.sh');
    repo.git('update-index', '--chmod=+x', 'deploy.sh');
    expect(repo.git('diff', '--cached', '--raw')).toMatch(/100644 100755 \S+ \S+ M/);
    expect(staged(repo).findings).toEqual(['deploy.sh:3:postmark-account-token']);
  });

  it('never reports the deleted side of a staged change, also when a .env is deleted and a template added', () => {
    const repo = makeRepo({ files: { '.env': `${env(fakeToken())}`, 'keep.txt': 'k\n' } });
    repo.git('rm', '-q', '--cached', '.env');
    repo.write({ '.gitignore': '.env\n', '.env.example': 'POSTMARK_SERVER_TOKEN=\n' });
    repo.git('add', '.gitignore', '.env.example');
    expect(repo.git('diff', '--cached', '--name-status')).toMatch(/^D\t\.env$/m);
    const r = staged(repo);
    expect(r.code).toBe(0);
    expect(r.findings).toEqual([]);
  });

  it('skips and counts binary (with no rule keyword) and oversized files', () => {
    const repo = makeRepo({ files: { 'README.md': '# x\n' } });
    repo.write({ 'blob.bin': Buffer.concat([Buffer.from([0, 1, 2, 0]), Buffer.from(`SERVER_TOKEN=${fakeToken()}\n`)]), 'big.cfg': `${'#'.repeat(3000)}\n${env(fakeToken())}` });
    repo.git('add', '-A');
    // big.cfg holds a keyword and is over the limit: not read, so the commit is stopped (exit 2).
    const r = cli(['scan', '--staged', '--format', 'json', '--max-file-size', '2kB'], repo.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('secret-guard: 1 file over --max-file-size not read, so the commit is stopped (exit 2)');
    expect((JSON.parse(r.stdout) as JsonReport).stats.skipped).toMatchObject({ binary: 1, tooLarge: 1 });
    expect(staged(repo, '--max-file-size', '2kB', '--on-unread', 'accept').code).toBe(0);
  });

  it('diffs a file that .gitattributes marks -diff as text', () => {
    const old = env(fakeToken());
    const repo = makeRepo({ files: { '.gitattributes': '*.cfg -diff\n', 'app.cfg': `A=1\n${old}` } });
    repo.write({ 'app.cfg': `A=1\n${old}B=2\nPOSTMARK_API_KEY=${fakeToken()}\n` });
    repo.git('add', '-A');
    expect(repo.git('diff', '--cached')).toMatch(/Binary files/);
    expect(staged(repo).findings).toEqual(['app.cfg:4:postmark-server-token']);
  });

  it('honours ignorePaths and inline allows', () => {
    const repo = makeRepo({ files: { '.secret-guard.json': '{"ignorePaths": ["fixtures/**"]}' } });
    repo.write({ 'fixtures/app.cfg': env(fakeToken()), 'app.cfg': `# secret-guard:allow\n${env(fakeToken())}` });
    repo.git('add', '-A');
    const r = staged(repo);
    expect(r.code).toBe(0);
    expect(r.json.stats.skipped.ignoredByConfig).toBe(1);
  });

  it('reads a staged symbolic link as its target text, never following it', () => {
    const repo = makeRepo({ files: { 'real.txt': 'x\n' } });
    symlinkSync('real.txt', join(repo.dir, 'link.txt'));
    repo.git('add', '-A');
    const r = staged(repo);
    expect(r.code).toBe(0);
    expect(r.json.stats.skipped.symlink ?? 0).toBe(0);
    expect(r.json.stats.filesScanned).toBe(1);
  });

  it('finds the repository from a subdirectory and reports root-relative paths', () => {
    const repo = makeRepo({ files: { 'sub/dir/keep.txt': 'x\n' } });
    repo.write({ 'sub/dir/app.cfg': env(fakeToken()) });
    repo.git('add', '-A');
    const r = cli(['scan', '--staged', '--format', 'json'], join(repo.dir, 'sub/dir'));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings[0].file).toBe('sub/dir/app.cfg');
  });
});

describe('scan --staged output and failure modes', () => {
  it('prints nothing when clean, and the summary with --verbose', () => {
    const repo = makeRepo({ files: { 'a.txt': 'x\n' } });
    repo.write({ 'a.txt': 'y\n' });
    repo.git('add', '-A');
    const r = cli(['scan', '--staged'], repo.dir);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(cli(['scan', '--staged', '--verbose'], repo.dir).stdout).toMatch(/no findings · 1 file scanned/);
  });

  it('prints the finding, redacted, with its fix when it blocks', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'a.txt': 'x\n' } });
    repo.write({ 'app.cfg': env(token) });
    repo.git('add', '-A');
    const r = cli(['scan', '--staged'], repo.dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^app\.cfg\n  1:23 /m);
    expect(r.stdout).toContain('fix:');
    expect(r.stdout + r.stderr).not.toContain(token);
  });

  it('exits 2 outside a repository, in a bare repository and with unmerged paths', () => {
    // The ceiling keeps git from finding a repository around the temporary folder itself.
    const outside = tempDir();
    const plain = cli(['scan', '--staged'], outside, { GIT_CEILING_DIRECTORIES: dirname(outside) });
    expect(plain.code).toBe(2);
    expect(plain.stderr).toMatch(/needs a git repository/);

    const bare = makeRepo({ bare: true });
    const b = cli(['scan', '--staged'], bare.dir);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/needs a work tree, and this is a bare repository/);

    const repo = makeRepo({ files: { 'f.txt': 'a\n' } });
    repo.git('checkout', '-q', '-b', 'side');
    repo.commit({ 'f.txt': 'b\n' });
    repo.git('checkout', '-q', 'main');
    repo.commit({ 'f.txt': 'c\n' });
    expect(() => repo.git('merge', '-q', 'side')).toThrow();
    const u = cli(['scan', '--staged'], repo.dir);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/unmerged/);
  });

  it('finds a bare repository as bare, a work tree as not, and nothing inside a .git folder', async () => {
    // Every `bare` check downstream (scan --staged, install, the worktree scan) relies on this.
    const bare = makeRepo({ bare: true });
    const dir = realpathSync(bare.dir);
    expect(await findRepo(bare.dir)).toEqual({ root: dir, gitDir: dir, bare: true });
    expect(await findRepo(join(bare.dir, 'refs'))).toEqual({ root: dir, gitDir: dir, bare: true });
    const repo = makeRepo({ files: { 'a/b.txt': 'x\n' } });
    const top = realpathSync(repo.dir);
    expect(await findRepo(join(repo.dir, 'a'))).toEqual({ root: top, gitDir: join(top, '.git'), bare: false });
    // git has no work tree to name from inside .git, and it is no bare repository either.
    expect(await findRepo(join(repo.dir, '.git'))).toBeNull();
  });

  it('exits 2 when a staged blob is missing from the object database, and reads each blob once for several paths', () => {
    const repo = makeRepo({ files: { 'a.txt': 'x\n' } });
    const body = `${env(fakeToken())}`;
    repo.write({ 'one.cfg': body, 'two.cfg': body });
    repo.git('add', '-A');
    expect(staged(repo).findings).toEqual(['one.cfg:1:postmark-server-token', 'two.cfg:1:postmark-server-token']);
    const blob = repo.git('rev-parse', ':one.cfg').trim();
    rmSync(join(repo.dir, '.git', 'objects', blob.slice(0, 2), blob.slice(2)));
    const r = cli(['scan', '--staged'], repo.dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/staged version of (one|two)\.cfg is missing/);
  });

  it('exits 2 when HEAD\'s version of a file it must compare with is missing, naming that file', () => {
    const old = env(fakeToken());
    const repo = makeRepo({ files: { 'app.cfg': `A=1\n${old}` } });
    const blob = repo.git('rev-parse', 'HEAD:app.cfg').trim();
    repo.write({ 'app.cfg': `A=2\n${old}` });
    repo.git('add', '-A');
    rmSync(join(repo.dir, '.git', 'objects', blob.slice(0, 2), blob.slice(2)));
    const r = cli(['scan', '--staged'], repo.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/committed version \(HEAD\) of app\.cfg is missing/);
  });

  it('reads the staged objects themselves, not what a `git replace` ref puts in their place', () => {
    const repo = makeRepo({ files: { 'app.cfg': 'DEBUG=1\n' } });
    repo.write({ 'new.cfg': env(fakeToken()), 'app.cfg': `DEBUG=1\n${env(fakeToken())}` });
    repo.git('add', '-A');
    const hash = (text: string) => execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: repo.dir, input: text, encoding: 'utf8' }).trim();
    repo.git('replace', repo.git('rev-parse', ':new.cfg').trim(), hash('A=1\n'));
    repo.git('replace', repo.git('rev-parse', ':app.cfg').trim(), hash('DEBUG=1\n'));
    expect(staged(repo).findings).toEqual(['app.cfg:2:postmark-server-token', 'new.cfg:1:postmark-server-token']);
  });

  it('refuses paths and a second mode', () => {
    const repo = makeRepo({ files: { 'a.txt': 'x\n' } });
    expect(cli(['scan', '--staged', 'a.txt'], repo.dir).code).toBe(2);
    expect(cli(['scan', '--staged', '--history'], repo.dir).code).toBe(2);
  });

  it('never modifies the index, the working tree or the config', () => {
    const repo = makeRepo({ files: { 'a.txt': 'x\n', 'b.txt': 'y\n', 'd.txt': 'same\n' } });
    repo.write({ 'a.txt': `x\n${env(fakeToken())}`, 'c.txt': 'new\n' });
    repo.git('add', 'a.txt');
    repo.write({ 'b.txt': 'changed on disk\n' });
    // A file whose stat data no longer matches the index but whose content does: the state in
    // which `git status` would refresh the index and rewrite it.
    utimesSync(join(repo.dir, 'd.txt'), new Date('2001-02-03T04:05:06Z'), new Date('2001-02-03T04:05:06Z'));
    const snapshot = () => ({
      index: createHash('sha256').update(readFileSync(join(repo.dir, '.git/index'))).digest('hex'),
      config: readFileSync(join(repo.dir, '.git/config'), 'utf8'),
      status: repo.git('--no-optional-locks', 'status', '--porcelain=v2', '--untracked-files=all'),
    });
    const before = snapshot();
    expect(cli(['scan', '--staged'], repo.dir).code).toBe(1);
    expect(cli(['scan', '--staged', '--format', 'json'], repo.dir).code).toBe(1);
    expect(snapshot()).toEqual(before);
  });
});
