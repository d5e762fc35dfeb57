import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { cleanupAll, fakeToken, gitIn, makeRepo, tempDir } from './helpers/repo.js';
import { scanHistoryJson } from './helpers/report.js';

afterAll(cleanupAll);

const range = (dir: string, spec: string, tokens: string[], ...extra: string[]) => scanHistoryJson(dir, ['--range', spec], tokens, extra);

const env = (token: string) => `POSTMARK_SERVER_TOKEN=${token}\n`;

describe('scan --range BASE..HEAD', () => {
  it('reads only the commits in the range', () => {
    const inBase = fakeToken();
    const inRange = fakeToken();
    const repo = makeRepo({ files: { 'old.txt': env(inBase) } });
    repo.git('checkout', '-q', '-b', 'feature');
    const leak = repo.commit({ 'new.txt': env(inRange) }, 'feature');
    repo.commit({ 'c.txt': 'c\n' }, 'more');
    const r = range(repo.dir, 'main..feature', [inBase, inRange]);
    expect(r.code).toBe(1);
    expect(r.json.mode).toBe('range');
    expect(r.json.stats.commitsScanned).toBe(2);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ file: 'new.txt', commit: leak, holders: { commits: 2, refs: ['refs/heads/feature'], inHead: true } });
  });

  it('does not report a token already in the base when the range edits another line of its file', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'settings.txt': `DEBUG=1\n${env(token)}` } });
    const base = repo.git('rev-parse', 'HEAD').trim();
    repo.commit({ 'settings.txt': `DEBUG=0\n${env(token)}` }, 'edit another line');
    repo.git('mv', 'settings.txt', 'renamed.txt');
    repo.commit({}, 'rename it');
    const r = range(repo.dir, `${base}..HEAD`, [token]);
    expect(r.code).toBe(0);
    expect(r.json.stats.commitsScanned).toBe(2);
    expect(r.findings).toHaveLength(0);
  });

  it('reports a second token added to a file that already had one', () => {
    const old = fakeToken();
    const added = fakeToken();
    const repo = makeRepo({ files: { 'settings.txt': env(old) } });
    const base = repo.git('rev-parse', 'HEAD').trim();
    repo.commit({ 'settings.txt': `${env(old)}POSTMARK_ACCOUNT_TOKEN=${added}\n` });
    const r = range(repo.dir, `${base}..HEAD`, [old, added]);
    expect(r.code).toBe(1);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ file: 'settings.txt', line: 2 });
  });

  it('does not blame a pull request for tokens it merged in from the base branch', () => {
    const onMain = fakeToken();
    const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    repo.git('checkout', '-q', '-b', 'feature');
    repo.commit({ 'f.txt': 'f\n' }, 'feature work');
    repo.git('checkout', '-q', 'main');
    repo.commit({ 'main.txt': env(onMain) }, 'token lands on main');
    repo.git('checkout', '-q', 'feature');
    repo.git('merge', '-q', '--no-edit', 'main');
    const r = range(repo.dir, 'main..feature', [onMain]);
    expect(r.json.stats.commitsScanned).toBe(2);
    expect(r.code).toBe(0);
  });

  // KNOWN BUG (open, issue 2): `debug: POSTMARK_SERVER_TOKEN=<uuid>` (a key after a prefix on the
  // line) is no longer matched by the engine since the detect branch's key reading. Re-enable with the fix.
  it('scans commit messages in the range', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    repo.commit({ 'b.txt': 'b\n' }, `debug: POSTMARK_SERVER_TOKEN=${token}`);
    const r = range(repo.dir, 'HEAD~1..HEAD', [token]);
    expect(r.code).toBe(1);
    expect(r.findings[0]).toMatchObject({ kind: 'message', file: '<commit message>' });
  });

  it('exits 2 when the base or the head does not resolve, never clean', () => {
    const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    const missing = 'deadbeef'.repeat(5);
    const base = cli(['scan', '--range', `${missing}..HEAD`], repo.dir);
    expect(base.code).toBe(2);
    expect(base.stdout).toBe('');
    expect(base.stderr).toContain(`base ${missing}`);
    expect(base.stderr).toContain('fetch-depth: 0');
    const head = cli(['scan', '--range', 'HEAD..origin/nope'], repo.dir);
    expect(head.code).toBe(2);
    expect(head.stderr).toContain('head origin/nope');
    expect(cli(['scan', '--range', 'main...HEAD'], repo.dir).code).toBe(2);
    expect(cli(['scan', '--range', 'main'], repo.dir).code).toBe(2);
  });

  it('exits 0 and says it scanned 0 commits for an empty range', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'a.txt': env(token) } });
    repo.commit({ 'b.txt': 'b\n' });
    const r = cli(['scan', '--range', 'HEAD..HEAD'], repo.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no commits in HEAD..HEAD');
    expect(r.stdout).toMatch(/no findings · 0 commits scanned/);
    const j = range(repo.dir, 'HEAD..HEAD', [token]);
    expect(j.json.stats.commitsScanned).toBe(0);
    // The head is behind the base: git's HEAD..HEAD~1 is empty too, not a scan of anything else.
    const behind = range(repo.dir, 'HEAD..HEAD~1', [token]);
    expect(behind.code).toBe(0);
    expect(behind.json.stats.commitsScanned).toBe(0);
    expect(behind.json.notes).toEqual(['no commits in HEAD..HEAD~1: nothing to scan']);
  });

  it('reads a range whose base is not an ancestor of its head as git does: head\'s commits that the base lacks', () => {
    const onMain = fakeToken();
    const onFeature = fakeToken();
    const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    repo.git('checkout', '-q', '-b', 'feature');
    const f1 = repo.commit({ 'f.txt': env(onFeature) }, 'feature leak');
    repo.commit({ 'f2.txt': 'f\n' }, 'feature more');
    repo.git('checkout', '-q', 'main');
    const m1 = repo.commit({ 'm.txt': env(onMain) }, 'main leak');
    // Neither end is an ancestor of the other (`merge-base --is-ancestor` exits 1).
    expect(() => repo.git('merge-base', '--is-ancestor', 'feature', 'main')).toThrow();
    expect(() => repo.git('merge-base', '--is-ancestor', 'main', 'feature')).toThrow();
    const toMain = range(repo.dir, 'feature..main', [onMain, onFeature]);
    expect(toMain.code).toBe(1);
    expect(toMain.json.stats.commitsScanned).toBe(Number(repo.git('rev-list', '--count', 'feature..main').trim()));
    expect(toMain.json.stats.commitsScanned).toBe(1);
    expect(toMain.findings).toMatchObject([{ file: 'm.txt', commit: m1, holders: { commits: 1, refs: ['refs/heads/main'], inHead: true } }]);
    const toFeature = range(repo.dir, 'main..feature', [onMain, onFeature]);
    expect(toFeature.json.stats.commitsScanned).toBe(2);
    expect(toFeature.findings).toMatchObject([{ file: 'f.txt', commit: f1, holders: { commits: 2, refs: ['refs/heads/feature'], inHead: true } }]);
  });

  it('finds a token that only the range\'s conflict resolution adds', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'settings.txt': 'POSTMARK_SERVER_TOKEN=\n' } });
    repo.git('checkout', '-q', '-b', 'feature');
    repo.commit({ 'settings.txt': 'POSTMARK_SERVER_TOKEN=${FEATURE}\n' }, 'feature');
    repo.git('checkout', '-q', 'main');
    repo.commit({ 'settings.txt': 'POSTMARK_SERVER_TOKEN=${MAIN}\n' }, 'main');
    repo.git('checkout', '-q', 'feature');
    expect(() => repo.git('merge', '-q', 'main')).toThrow();
    repo.write({ 'settings.txt': env(token) });
    repo.git('add', 'settings.txt');
    repo.git('commit', '-q', '--no-edit');
    const merge = repo.git('rev-parse', 'HEAD').trim();
    const r = range(repo.dir, 'main..feature', [token]);
    expect(r.code).toBe(1);
    expect(r.json.stats.commitsScanned).toBe(2);
    expect(r.findings).toMatchObject([{ file: 'settings.txt', line: 1, commit: merge, holders: { commits: 1, refs: ['refs/heads/feature'], inHead: true } }]);
  });

  it('reads odd paths, latin-1, a 2 MB single-line file and skips binaries in a range', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    const base = repo.git('rev-parse', 'HEAD').trim();
    const pad = 'var a=function(b){return b+1};'.repeat(35000);
    const prefix = `${pad}var c=new postmark.ServerClient("`;
    const files = {
      'dir with space/my "quoted" file.txt': env(token),
      'line\nbreak.txt': env(token),
      'ünïcødé/配置.txt': env(token),
      'legacy.txt': Buffer.concat([Buffer.from('caf\xe9 \xa9\n', 'latin1'), Buffer.from(env(token))]),
      'dist/app.min.js': `${prefix}${token}");${pad}`,
      'logo.png': Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0]), Buffer.from(env(token))]),
    };
    repo.commit(files, 'add odd files');
    const r = range(repo.dir, `${base}..HEAD`, [token]);
    expect(r.code).toBe(1);
    const byFile = Object.fromEntries(r.findings.map((f) => [f.file, f]));
    // logo.png is binary (a NUL) but holds a rule's keyword: its printable runs are read too.
    expect(Object.keys(byFile).sort()).toEqual(Object.keys(files).sort());
    expect(byFile['logo.png']).toMatchObject({ line: 1, column: 29 });
    expect(byFile['legacy.txt']).toMatchObject({ line: 2 });
    expect(byFile['dist/app.min.js']).toMatchObject({ line: 1, column: prefix.length + 1 });
    expect(r.json.stats.skipped.binary).toBe(0);
  });

  it('works in a mirror clone (no work tree)', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    repo.git('checkout', '-q', '-b', 'feature');
    const leak = repo.commit({ 'mail.txt': env(token) });
    const mirror = join(tempDir(), 'mirror.git');
    gitIn(repo.dir, ['clone', '-q', '--mirror', repo.dir, mirror]);
    const r = range(mirror, 'main..feature', [token]);
    expect(r.code).toBe(1);
    expect(r.findings).toMatchObject([{ file: 'mail.txt', commit: leak, holders: { commits: 1, refs: ['refs/heads/feature'] } }]);
  });

  it('in a shallow clone: scans a range that was fetched whole, refuses one that was cut', () => {
    const token = fakeToken();
    const origin = makeRepo({ files: { 'a.txt': 'a\n' } });
    for (const f of ['b', 'c', 'd']) origin.commit({ [`${f}.txt`]: `${f}\n` });
    origin.git('checkout', '-q', '-b', 'feature');
    origin.commit({ 'f1.txt': 'f\n' });
    origin.commit({ 'leak.txt': env(token) });
    const clone = join(tempDir(), 'clone');
    gitIn(origin.dir, ['clone', '-q', '--depth', '3', '--no-single-branch', `file://${origin.dir}`, clone]);
    expect(gitIn(clone, ['rev-parse', '--is-shallow-repository']).trim()).toBe('true');
    const whole = range(clone, 'origin/main..origin/feature', [token]);
    expect(whole.code).toBe(1);
    expect(whole.findings).toHaveLength(1);

    const cut = join(tempDir(), 'cut');
    gitIn(origin.dir, ['clone', '-q', '--depth', '1', '--no-single-branch', `file://${origin.dir}`, cut]);
    const r = range(cut, 'origin/main..origin/feature', [token]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/shallow clone/);
    expect(r.stderr).toContain('fetch-depth: 0');
    const allowed = range(cut, 'origin/main..origin/feature', [token], '--allow-shallow');
    expect(allowed.code).toBe(1);
    expect(allowed.json.notes.join('\n')).toMatch(/--allow-shallow/);

    const missingBase = join(tempDir(), 'single');
    gitIn(origin.dir, ['clone', '-q', '--depth', '1', '--branch', 'feature', `file://${origin.dir}`, missingBase]);
    const main = origin.git('rev-parse', 'main').trim();
    const m = range(missingBase, `${main}..HEAD`, [token]);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain('does not resolve');
  });
});
