/**
 * Regressions found by the review of suppressions and settings (test/suppress-review.test.ts is
 * its seeded differential): a change under scan must not pick the file that configures its check,
 * and a suppression hides only what it names.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { cleanupAll, fakeToken, makeRepo, tempDir, type Repo } from './helpers/repo.js';
import type { JsonReport } from './helpers/report.js';

afterAll(cleanupAll);

const RULE = 'postmark-server-token';
const fingerprintOf = (token: string, path: string) => createHash('sha256').update(`${RULE}\0${token}\0${path}`).digest('hex').slice(0, 32);
const baselineOf = (entries: Array<[string, string]>) =>
  JSON.stringify({ version: 1, findings: entries.map(([t, p]) => ({ fingerprint: fingerprintOf(t, p), ruleId: RULE, file: p, line: 1 })) });
const leak = (t: string) => `POSTMARK_SERVER_TOKEN=${t}\n`;

describe('--range: a --baseline or --config path is placed in the repository without following the change\'s links', () => {
  /**
   * The CI job names `--baseline ci/baseline.json`, which the base tracks. The pull request turns
   * `ci` into a link to a folder outside the repository; the path's real location was outside, so
   * the file there was "the CI job's own, trusted as given": a baseline (or a config with
   * failOn none) the change chose, exit 0 on its new token.
   */
  function withCiFolder(): { repo: Repo; token: string; outside: string } {
    const repo = makeRepo({ files: { 'README.md': '# app\n', 'ci/baseline.json': baselineOf([]), 'ci/sg.json': '{"failOn": "error"}\n' } });
    repo.git('checkout', '-q', '-b', 'pr');
    const token = fakeToken();
    const outside = tempDir('sg-elsewhere-');
    writeFileSync(join(outside, 'baseline.json'), baselineOf([[token, 'mail.txt']]));
    writeFileSync(join(outside, 'sg.json'), '{"failOn": "none"}\n');
    return { repo, token, outside };
  }

  it('a tracked folder the change turns into a link: the base\'s file is read (exit 1)', () => {
    const { repo, token, outside } = withCiFolder();
    repo.git('rm', '-q', '-r', 'ci');
    symlinkSync(outside, join(repo.dir, 'ci'));
    repo.commit({ 'mail.txt': leak(token) }, 'ci is elsewhere now');
    for (const flag of ['--baseline', '--config']) {
      const r = cli(['scan', '--range', 'main..pr', flag, flag === '--baseline' ? 'ci/baseline.json' : 'ci/sg.json', '--format', 'json'], repo.dir);
      expect(r.code, `${flag}: ${r.stderr}`).toBe(1);
      expect((JSON.parse(r.stdout) as JsonReport).findings.map((f) => f.file)).toEqual(['mail.txt']);
    }
  });

  it('a tracked folder the change deletes: the base\'s file is still read (exit 1, not 2)', () => {
    const { repo, token } = withCiFolder();
    repo.git('rm', '-q', '-r', 'ci');
    repo.commit({ 'mail.txt': leak(token) }, 'no more ci folder');
    for (const args of [['--baseline', 'ci/baseline.json'], ['--config', 'ci/sg.json']]) {
      const r = cli(['scan', '--range', 'main..pr', ...args], repo.dir);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(1);
    }
  });

  it('a path no side tracks, reached through a link in the checkout: exit 2, not read', () => {
    const { repo, token, outside } = withCiFolder();
    symlinkSync(outside, join(repo.dir, 'job'));
    repo.commit({ 'mail.txt': leak(token) }, 'a link to elsewhere');
    for (const args of [['--baseline', 'job/baseline.json'], ['--config', 'job/sg.json']]) {
      const r = cli(['scan', '--range', 'main..pr', ...args], repo.dir);
      expect(r.code, `${args.join(' ')}: ${r.stdout}`).toBe(2);
      expect(r.stderr).toMatch(/is reached through job, a symbolic link in the checkout/);
    }
  });

  it('a file the job wrote in the work tree (no side tracks it, no link) and one outside are still trusted as given', () => {
    const { repo, token, outside } = withCiFolder();
    repo.commit({ 'mail.txt': leak(token) }, 'a token');
    mkdirSync(join(repo.dir, 'build'));
    writeFileSync(join(repo.dir, 'build', 'baseline.json'), baselineOf([[token, 'mail.txt']]));
    expect(cli(['scan', '--range', 'main..pr', '--baseline', 'build/baseline.json'], repo.dir).code).toBe(0);
    expect(cli(['scan', '--range', 'main..pr', '--baseline', join(outside, 'baseline.json')], repo.dir).code).toBe(0);
  });
});

describe('ignorePaths: a `!` glob takes back, as in .gitignore, and never ignores the rest of the repository', () => {
  /**
   * picomatch reads `!fixtures/real/**` as "every path but fixtures/real": in a list it ignored
   * the whole repository except that folder, so a token in src/ passed with exit 0.
   */
  const config = JSON.stringify({ ignorePaths: ['fixtures/**', '!fixtures/real/**'] });
  function files(): { files: Record<string, string>; kept: string; ignored: string; real: string } {
    const [kept, ignored, real] = [fakeToken(), fakeToken(), fakeToken()];
    return { kept, ignored, real, files: { 'src/mail.txt': leak(kept), 'fixtures/mail.txt': leak(ignored), 'fixtures/real/mail.txt': leak(real) } };
  }
  const files_ = (r: { stdout: string }) => (JSON.parse(r.stdout) as JsonReport).findings.map((f) => f.file).sort();

  it('in the working tree, the index and history', () => {
    const { files: f } = files();
    const repo = makeRepo({ files: { '.secret-guard.json': config } });
    repo.write(f);
    repo.git('add', '-A');
    const want = ['fixtures/real/mail.txt', 'src/mail.txt'];
    for (const mode of [[], ['--staged']]) {
      const r = cli(['scan', ...mode, '--format', 'json'], repo.dir);
      expect(r.code, `${mode.join(' ')}: ${r.stderr}`).toBe(1);
      expect(files_(r)).toEqual(want);
    }
    repo.commit({}, 'tokens');
    expect(files_(cli(['scan', '--history', '--format', 'json'], repo.dir))).toEqual(want);
  });

  it('in --range, from the base\'s config', () => {
    const { files: f } = files();
    const repo = makeRepo({ files: { '.secret-guard.json': config } });
    repo.git('checkout', '-q', '-b', 'pr');
    repo.commit(f, 'tokens');
    const r = cli(['scan', '--range', 'main..pr', '--format', 'json'], repo.dir);
    expect(r.code, r.stderr).toBe(1);
    expect(files_(r)).toEqual(['fixtures/real/mail.txt', 'src/mail.txt']);
  });

  it('a lone `!` glob ignores nothing; `!(…)` stays picomatch\'s negated group', () => {
    const { files: f } = files();
    const repo = makeRepo({ files: { ...f, '.secret-guard.json': JSON.stringify({ ignorePaths: ['!fixtures/**'] }) } });
    expect(files_(cli(['scan', '--format', 'json'], repo.dir))).toEqual(['fixtures/mail.txt', 'fixtures/real/mail.txt', 'src/mail.txt']);
    repo.write({ '.secret-guard.json': JSON.stringify({ ignorePaths: ['!(src)/**'] }) });
    expect(files_(cli(['scan', '--format', 'json'], repo.dir))).toEqual(['src/mail.txt']);
  });

  it('an empty glob is a config error naming it (it was an internal error)', () => {
    const repo = makeRepo({ files: { 'README.md': 'x\n', '.secret-guard.json': JSON.stringify({ ignorePaths: ['fixtures/**', ''] }) } });
    const r = cli(['scan'], repo.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\.secret-guard\.json:1: `ignorePaths\[1\]` is empty/);
    expect(r.stderr).not.toMatch(/internal error/);
  });
});

describe('scan --commit-msg reads the checkout\'s ignore file, as every other mode does', () => {
  /**
   * A token in a commit message has a fingerprint (rule, secret, `<commit message>`); with it in
   * .secret-guard-ignore (landed on the base first), --history, --range and the server pass the
   * commit, while the commit-msg hook, which never read the ignore file, refused to write it.
   */
  it('an ignored message token passes the hook, --range and --history; another token is still stopped', () => {
    const t = fakeToken();
    const message = `deploy notes\n\nPOSTMARK_SERVER_TOKEN=${t}\n`;
    const repo = makeRepo({ files: { 'README.md': 'x\n', '.secret-guard-ignore': `${fingerprintOf(t, '<commit message>')}  # revoked\n` } });
    const file = join(repo.dir, '.git', 'COMMIT_EDITMSG');
    writeFileSync(file, message);
    const hook = cli(['scan', '--commit-msg', file], repo.dir);
    expect(hook.code, hook.stdout).toBe(0);
    repo.commit({ 'app.txt': 'y\n' }, message);
    expect(cli(['scan', '--range', 'HEAD~1..HEAD'], repo.dir).code).toBe(0);
    expect(cli(['scan', '--history'], repo.dir).code).toBe(0);
    writeFileSync(file, message.replace(t, fakeToken()));
    const other = cli(['scan', '--commit-msg', file], repo.dir);
    expect(other.code, other.stdout).toBe(1);
    expect(other.stdout).toContain('commit blocked');
  });
});

describe('a settings file that starts with a byte-order mark reads as without one, in every mode', () => {
  /**
   * The ignore file read past a BOM (Windows editors write one), while a config or a baseline
   * with one was "not valid JSON: Unexpected token '\uFEFF'", exit 2, naming an invisible
   * character: the same file meant different things by its kind.
   */
  it('a BOM config and baseline apply to the working tree and to --range alike', () => {
    const [ignored, baselined] = [fakeToken(), fakeToken()];
    const bom = '\uFEFF';
    const repo = makeRepo({
      files: {
        'README.md': 'x\n',
        '.secret-guard.json': `${bom}{"ignorePaths": ["fixtures/**"]}\n`,
        'baseline.json': `${bom}${baselineOf([[baselined, 'app/mail.txt']])}`,
      },
    });
    repo.git('checkout', '-q', '-b', 'pr');
    repo.commit({ 'fixtures/mail.txt': leak(ignored), 'app/mail.txt': leak(baselined) }, 'tokens');
    for (const args of [['scan'], ['scan', '--range', 'main..pr']]) {
      const r = cli([...args, '--baseline', 'baseline.json'], repo.dir);
      expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/1 suppressed \(1 baseline\)/);
    }
  });
});

describe('--write-baseline never writes through a link', () => {
  /**
   * A baseline is never read through a link, but --write-baseline wrote through one: a cloned
   * repository whose .secret-guard-baseline.json is committed as a link to a file of the user's
   * (`~/.ssh/authorized_keys`) had that file overwritten by the README's own command.
   */
  it('a committed link at the baseline path: exit 2, its target untouched', () => {
    const target = join(tempDir('sg-home-'), 'authorized_keys');
    writeFileSync(target, 'ssh-ed25519 AAAA precious\n');
    const repo = makeRepo({ files: { 'README.md': 'x\n' } });
    symlinkSync(target, join(repo.dir, '.secret-guard-baseline.json'));
    repo.commit({}, 'a link');
    const r = cli(['scan', '--write-baseline', '.secret-guard-baseline.json'], repo.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is a symbolic link in the repository, so it was not written/);
    expect(readFileSync(target, 'utf8')).toBe('ssh-ed25519 AAAA precious\n');
    // A regular file (or none) is written as before.
    rmSync(join(repo.dir, '.secret-guard-baseline.json'));
    expect(cli(['scan', '--write-baseline', '.secret-guard-baseline.json'], repo.dir).code).toBe(0);
    expect(JSON.parse(readFileSync(join(repo.dir, '.secret-guard-baseline.json'), 'utf8'))).toEqual({ version: 1, findings: [] });
  });

  it('a committed linked folder on the way to the baseline: exit 2, nothing written where it points', () => {
    const away = tempDir('sg-home-');
    const repo = makeRepo({ files: { 'README.md': 'x\n' } });
    symlinkSync(away, join(repo.dir, 'ci'));
    repo.commit({}, 'a linked folder');
    const r = cli(['scan', '--write-baseline', 'ci/authorized_keys'], repo.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is below ci/, a symbolic link in the repository, so it was not written');
    expect(existsSync(join(away, 'authorized_keys'))).toBe(false);
  });
});
