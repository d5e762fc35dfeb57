/**
 * The working-tree scan reads what git would commit, whatever state a file is in: found by the
 * differential in worktree-review.test.ts, one test per state here.
 * - skip-worktree (a sparse checkout leaves the file off the disk) and assume-unchanged: `git add
 *   -A` passes over the disk, so the index's blob is what git commits, and what is read;
 * - a tracked folder replaced by a link to a folder elsewhere, or by a file: git sees its files
 *   deleted (it never follows a link), so nothing is read through the link and no ENOTDIR fails
 *   the scan;
 * - a tracked `.env` deleted from the disk: the next commit removes it, no path finding;
 * - a file changed between git's listing and its read (a preload acts just before the open):
 *   an untracked file removed, or any file replaced by a FIFO, is exit 2, never a pass.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { cleanupAll, fakeToken, makeRepo, tempDir } from './helpers/repo.js';

afterAll(cleanupAll);

const client = (t: string) => `import postmark from 'postmark';\nconst c = new postmark.ServerClient('${t}');\n`;
const json = (args: string[], cwd: string, env: Record<string, string> = {}) => {
  const r = cli(['scan', '--no-config', '--format', 'json', '--show-secrets', ...args], cwd, env);
  const report = r.stdout.startsWith('{') ? JSON.parse(r.stdout) : null;
  return { ...r, findings: (report?.findings ?? []) as Array<{ file: string; ruleId: string; match: string }>, report };
};

describe('working tree: files git takes from the index', () => {
  it('skip-worktree, absent (sparse checkout) or edited on disk: the index blob is read', () => {
    const [a, b] = [fakeToken(), fakeToken()];
    const repo = makeRepo({ files: { 'svc/a/mail.js': client(a), 'svc/b/mail.js': client(b), 'README.md': 'hi\n' } });
    repo.git('update-index', '--skip-worktree', '--', 'svc/a/mail.js', 'svc/b/mail.js');
    rmSync(join(repo.dir, 'svc/a'), { recursive: true });
    writeFileSync(join(repo.dir, 'svc/b/mail.js'), 'local edit\n');
    for (const threads of ['1', '2']) {
      const r = json(['--threads', threads], repo.dir);
      expect(r.code, r.stderr).toBe(1);
      expect(r.findings.map((f) => `${f.file} ${f.match}`).sort()).toEqual([`svc/a/mail.js ${a}`, `svc/b/mail.js ${b}`]);
      expect(r.report.stats.skipped.missing).toBe(0);
      expect(r.report.notes.join('\n')).toMatch(/2 file\(s\) marked skip-worktree or assume-unchanged were read from the index/);
    }
    // Named, too.
    expect(json(['svc/a'], repo.dir).findings.map((f) => f.match)).toEqual([a]);
  });

  it('assume-unchanged, edited on disk: the index blob is read, the edit (not committed) is not', () => {
    const [a, local] = [fakeToken(), fakeToken()];
    const repo = makeRepo({ files: { 'config/mail.js': client(a) } });
    repo.git('update-index', '--assume-unchanged', '--', 'config/mail.js');
    writeFileSync(join(repo.dir, 'config/mail.js'), client(local));
    const r = json([], repo.dir);
    expect(r.code, r.stderr).toBe(1);
    expect(r.findings.map((f) => f.match)).toEqual([a]);
  });
});

describe('working tree: tracked files git sees deleted', () => {
  it('a tracked folder replaced by a link to a folder outside: nothing is read through the link', () => {
    const outside = tempDir('sg-outside-');
    mkdirSync(join(outside, 'lib'));
    writeFileSync(join(outside, 'lib/mail.js'), client(fakeToken()));
    const repo = makeRepo({ files: { 'lib/mail.js': 'nothing\n', 'README.md': 'hi\n' } });
    rmSync(join(repo.dir, 'lib'), { recursive: true });
    symlinkSync(join(outside, 'lib'), join(repo.dir, 'lib'));
    const r = json(['--verbose'], repo.dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.findings).toEqual([]);
    expect(r.report.stats.skipped.missing).toBe(1);
  });

  it('a tracked folder replaced by a file: its files are deleted, not unreadable (exit 0, not 2)', () => {
    const repo = makeRepo({ files: { 'gone/mail.js': 'nothing\n', 'README.md': 'hi\n' } });
    rmSync(join(repo.dir, 'gone'), { recursive: true });
    writeFileSync(join(repo.dir, 'gone'), 'a file now\n');
    const r = json([], repo.dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.report.stats.skipped.missing).toBe(1);
  });

  it('a tracked .env deleted from the disk is no finding: the next commit removes it', () => {
    const repo = makeRepo({ files: { '.env': 'DEBUG=1\n', 'README.md': 'hi\n' } });
    rmSync(join(repo.dir, '.env'));
    const r = json([], repo.dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.findings).toEqual([]);
  });
});

describe('working tree: a file that changes between the listing and the read', () => {
  // Acts on the file named SG_CHANGE just before the scan opens it: what a concurrent process
  // (an editor, a build) does in the moment between git's listing and the read.
  const preload = join(tempDir('sg-preload-'), 'change-before-open.cjs');
  writeFileSync(
    preload,
    `const fs = require('node:fs');
const { execFileSync } = require('node:child_process');
const open = fs.openSync;
let done = false;
fs.openSync = function (p, ...rest) {
  if (!done && typeof p === 'string' && p.endsWith('/' + process.env.SG_CHANGE)) {
    done = true;
    fs.unlinkSync(p);
    if (process.env.SG_HOW === 'fifo') execFileSync('mkfifo', [p]);
  }
  return open.call(this, p, ...rest);
};
require('node:module').syncBuiltinESMExports();
`,
  );
  const run = (dir: string, file: string, how: string) =>
    json(['--threads', '1'], dir, { NODE_OPTIONS: `--require ${preload}`, SG_CHANGE: file, SG_HOW: how });

  it('an untracked file removed after git listed it: exit 2, naming it', () => {
    const repo = makeRepo({ files: { 'README.md': 'hi\n' } });
    writeFileSync(join(repo.dir, 'new-mail.js'), client(fakeToken()));
    const r = run(repo.dir, 'new-mail.js', 'remove');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/new-mail\.js \(removed while the scan ran\)/);
  });

  it('a tracked file removed after git listed it: exit 2; one deleted before the scan is read as deleted (exit 0)', () => {
    const repo = makeRepo({ files: { 'src/mail.js': client(fakeToken()), 'src/other.js': 'x\n', 'README.md': 'hi\n' } });
    const r = run(repo.dir, 'src/mail.js', 'remove');
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/src\/mail\.js \(removed while the scan ran\)/);
    // Gone before the scan began (its folder untouched since): deleted, as git add -A sees it.
    const before = cli(['scan', '--no-config', '--verbose'], repo.dir);
    expect(before.code, before.stderr).toBe(0);
    expect(before.stdout).toMatch(/skipped src\/mail\.js: deleted from the working tree/);
  });

  it('a tracked or untracked file replaced by a FIFO after the listing: exit 2, no hang', () => {
    const repo = makeRepo({ files: { 'mail.js': client(fakeToken()) } });
    writeFileSync(join(repo.dir, 'new.js'), 'x\n');
    for (const file of ['mail.js', 'new.js']) {
      const r = run(repo.dir, file, 'fifo');
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/not a regular file/);
      rmSync(join(repo.dir, file));
      execFileSync('git', ['checkout', '--', '.'], { cwd: repo.dir });
      writeFileSync(join(repo.dir, 'new.js'), 'x\n');
    }
  });
});

describe('working tree: paths git does not look at are not passed as read', () => {
  it('a named file or folder inside a repository nested in this one (not a submodule): exit 2, not "nothing to scan"', () => {
    const repo = makeRepo({ files: { 'README.md': 'hi\n' } });
    mkdirSync(join(repo.dir, 'vendor/lib/src'), { recursive: true });
    execFileSync('git', ['init', '-q'], { cwd: join(repo.dir, 'vendor/lib') });
    writeFileSync(join(repo.dir, 'vendor/lib/src/mail.js'), client(fakeToken()));
    for (const named of [['vendor/lib/src/mail.js'], ['vendor/lib/src'], ['README.md', 'vendor/lib/src']]) {
      const r = cli(['scan', '--no-config', ...named], repo.dir);
      expect(r.code, `${named.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/vendor\/lib\/src(\/mail\.js)?: on disk, but git lists no file there/);
    }
    // The nested repository itself is listed (as a folder git would add as a gitlink), and counted.
    expect(cli(['scan', '--no-config', 'vendor/lib'], repo.dir).code).toBe(0);
    // A named folder that holds only ignored files, or nothing, still reads nothing and says so.
    writeFileSync(join(repo.dir, '.gitignore'), '*.log\n');
    mkdirSync(join(repo.dir, 'logs/old'), { recursive: true });
    mkdirSync(join(repo.dir, 'empty/inner'), { recursive: true });
    writeFileSync(join(repo.dir, 'logs/old/a.log'), 'x\n');
    for (const named of ['logs', 'empty']) {
      const r = cli(['scan', '--no-config', named], repo.dir);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/nothing to scan/);
    }
  });

  it('GIT_DIR and GIT_WORK_TREE set, the working tree named from outside it: exit 2, not "nothing to scan"', () => {
    const repo = makeRepo({ files: { 'mail.js': client(fakeToken()) } });
    const gitDir = join(tempDir('sg-gitdir-'), 'repo.git');
    execFileSync('mv', [join(repo.dir, '.git'), gitDir]);
    const env = { GIT_DIR: gitDir, GIT_WORK_TREE: repo.dir };
    expect(cli(['scan', '--no-config'], repo.dir, env).code).toBe(1);
    // From the folder above it: git takes the path from the top of the working tree, where it names nothing.
    const r = cli(['scan', '--no-config', repo.dir], join(repo.dir, '..'), env);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/on disk, but git lists no file there/);
  });

  it('a bare repository, or a .git folder, scanned as files: exit 2 saying to use --history (its objects are compressed)', () => {
    const repo = makeRepo({ files: { 'mail.js': client(fakeToken()) } });
    const bare = join(tempDir('sg-bare-'), 'server.git');
    execFileSync('git', ['clone', '-q', '--bare', repo.dir, bare]);
    const outside = tempDir('sg-cwd-');
    for (const [args, cwd] of [[[], bare], [[], join(repo.dir, '.git')], [[bare], outside], [['.'], join(bare, '..')]] as Array<[string[], string]>) {
      const r = cli(['scan', '--no-config', ...args], cwd);
      expect(r.code, `${cwd} ${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/a git directory \(a bare repository or a \.git folder\).*\n.*scan --history/);
    }
    expect(cli(['scan', '--history', '--no-config'], bare).code).toBe(1);
  });
});

describe('working tree: names that look like patterns or magic', () => {
  it('a named ignored file whose name holds `[`: that file is read (git matched it as a glob and missed it)', () => {
    const repo = makeRepo({ files: { '.gitignore': 'secret*\n', 'README.md': 'hi\n' } });
    writeFileSync(join(repo.dir, 'secret[1].env'), `POSTMARK_SERVER_TOKEN=${fakeToken()}\n`);
    const r = json(['secret[1].env'], repo.dir);
    expect(r.code, r.stderr).toBe(1);
    expect(r.findings.map((f) => `${f.file} ${f.ruleId}`)).toContain('secret[1].env postmark-server-token');
  });

  it('pathspec magic that matches a file is read, not "no such file" (exit 0 on a clean file, not 2)', () => {
    const repo = makeRepo({ files: { 'docs/a.txt': 'hi\n', 'src/b.txt': 'x\n' } });
    const r = cli(['scan', '--no-config', ':/docs/a.txt'], join(repo.dir, 'src'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/1 file scanned/);
    expect(cli(['scan', '--no-config', ':/docs/none.txt'], repo.dir).code).toBe(2);
  });
});

describe('working tree: an empty repository', () => {
  it('`scan .` in a repository with no files is exit 0, "nothing to scan" (its .git is no file git would commit)', () => {
    const repo = makeRepo();
    const r = cli(['scan', '--no-config', '.'], repo.dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/nothing to scan/);
  });
});

describe('working tree: an absolute path through a link to the repository', () => {
  it('is read (git resolves the link; the relative form `../link/x` was "outside repository", exit 2)', () => {
    const repo = makeRepo({ files: { 'src/mail.js': client(fakeToken()), 'README.md': 'hi\n' } });
    const link = join(tempDir('sg-link-'), 'checkout');
    symlinkSync(repo.dir, link);
    for (const named of [`${link}/src/mail.js`, `${link}/src`]) {
      const r = cli(['scan', '--no-config', named], join(repo.dir, 'src'));
      expect(r.code, `${named}: ${r.stderr}`).toBe(1);
    }
    expect(cli(['scan', '--no-config', `${link}/src/none.js`], repo.dir).code).toBe(2);
  });
});

describe('working tree: a repository git will not open', () => {
  // Was scanned as a folder outside any repository: every file on disk, ignored ones too (a
  // local .env, node_modules: false alarms), and the index never read (a sparse checkout's files).
  const ignoredLeak = () => {
    const repo = makeRepo({ files: { '.gitignore': '*.env\n', 'README.md': 'hi\n' } });
    writeFileSync(join(repo.dir, 'local.env'), `POSTMARK_SERVER_TOKEN=${fakeToken()}\n`);
    expect(cli(['scan', '--no-config'], repo.dir).code).toBe(0);
    return repo;
  };

  it('a broken .git/config or a newer repository format: exit 2 with git\'s reason', () => {
    const broken = ignoredLeak();
    writeFileSync(join(broken.dir, '.git/config'), '[core]\n\trepositoryformatversion = 0\n[[[broken\n');
    const r = cli(['scan', '--no-config'], broken.dir);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/git will not read the repository here.*bad config line/);
    const newer = ignoredLeak();
    newer.git('config', 'core.repositoryformatversion', '99');
    expect(cli(['scan', '--no-config'], newer.dir).code).toBe(2);
  });

  it.skipIf(process.getuid?.() !== 0)('owned by another user (dubious ownership): exit 2 saying how to mark it safe', () => {
    const repo = ignoredLeak();
    execFileSync('chown', ['-R', 'nobody', repo.dir]);
    try {
      const r = cli(['scan', '--no-config'], repo.dir, { GIT_CONFIG_GLOBAL: '/dev/null' });
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toMatch(/dubious ownership[^]*safe\.directory/);
    } finally {
      execFileSync('chown', ['-R', `${process.getuid?.()}`, repo.dir]);
    }
  });
});

describe('working tree: no path, from a folder git ignores', () => {
  it('`cd dist && secret-guard scan` reads dist as `scan dist` does (it read nothing and passed)', () => {
    const repo = makeRepo({ files: { '.gitignore': 'dist/\n', 'README.md': 'hi\n' } });
    mkdirSync(join(repo.dir, 'dist'));
    writeFileSync(join(repo.dir, 'dist/bundle.js'), client(fakeToken()));
    expect(cli(['scan', '--no-config', 'dist'], repo.dir).code).toBe(1);
    const r = cli(['scan', '--no-config'], join(repo.dir, 'dist'));
    expect(r.code, r.stdout + r.stderr).toBe(1);
    // From the root, and from a folder git does not ignore, ignored files stay unread.
    expect(cli(['scan', '--no-config'], repo.dir).code).toBe(0);
  });
});

describe('working tree: a tracked file below a folder that cannot be searched', () => {
  const setpriv = (() => {
    try {
      return execFileSync('sh', ['-c', 'command -v setpriv'], { encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  })();
  const root = process.getuid?.() === 0;
  it.skipIf(root && !setpriv)('is unreadable (exit 2), not deleted: also where git does not walk the folder (it is ignored)', async () => {
    const { cliAsync } = await import('./helpers/cli-async.js');
    const repo = makeRepo({ files: { '.gitignore': 'vendor/\n', 'README.md': 'hi\n' } });
    mkdirSync(join(repo.dir, 'vendor/lib'), { recursive: true });
    writeFileSync(join(repo.dir, 'vendor/lib/mail.js'), client(fakeToken()));
    repo.git('add', '-f', 'vendor/lib/mail.js');
    repo.git('commit', '-qm', 'vendored');
    const { chmodSync } = await import('node:fs');
    chmodSync(join(repo.dir, 'vendor'), 0o000);
    try {
      const wrap = root ? [setpriv, '--bounding-set=-dac_override,-dac_read_search', '--inh-caps=-dac_override,-dac_read_search'] : [];
      const r = await cliAsync(['scan', '--no-config'], repo.dir, { wrap });
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toMatch(/vendor\/lib\/mail\.js \(permission denied\)/);
    } finally {
      chmodSync(join(repo.dir, 'vendor'), 0o755);
    }
  });
});

describe('working tree: a name that reads as an escape (a backslash and three octal digits)', () => {
  it('named, is read; named and deleted, is deleted, not "no such file"', () => {
    const repo = makeRepo({ files: { 'gone\\101.txt': 'x\n', 'README.md': 'hi\n' } });
    writeFileSync(join(repo.dir, 'a\\101.env.txt'), `POSTMARK_SERVER_TOKEN=${fakeToken()}\n`);
    const r = cli(['scan', '--no-config', 'a\\101.env.txt'], repo.dir);
    expect(r.code, r.stderr).toBe(1);
    rmSync(join(repo.dir, 'gone\\101.txt'));
    const gone = cli(['scan', '--no-config', 'gone\\101.txt'], repo.dir);
    expect(gone.code, gone.stderr).toBe(0);
  });
});
