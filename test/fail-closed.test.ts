/**
 * Fail closed: whatever a scan could not read is exit 2 with a message that says what to do, in
 * every mode where it can happen; an empty repository is the one "read nothing" that is a pass.
 * Every case runs the real CLI through bin/ in a real repository: git missing from PATH,
 * objects deleted from .git/objects, a file the scanner may not read, shallow clones, broken
 * configs, a package whose dist/ is missing or crashes.
 */
import { copyFileSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliAsync } from './helpers/cli-async.js';
import { BIN, type CliRun } from './helpers/cli.js';
import { cleanupAll, fakeToken, gitIn, makeRepo, tempDir, type Repo } from './helpers/repo.js';
import { needTool } from './helpers/tools.js';

afterAll(cleanupAll);

type Mode = 'worktree' | 'staged' | 'history' | 'range';
const MODE_ARGS: Record<Mode, string[]> = { worktree: [], staged: ['--staged'], history: ['--history'], range: ['--range', 'HEAD~1..HEAD'] };
const scan = (mode: Mode, cwd: string, extra: string[] = [], opts: Parameters<typeof cliAsync>[2] = {}) => cliAsync(['scan', ...MODE_ARGS[mode], ...extra], cwd, opts);

function expectFailure(r: CliRun, message: RegExp, label = ''): void {
  expect(r.code, `${label} exit code; stdout: ${r.stdout} stderr: ${r.stderr}`).toBe(2);
  expect(r.stderr, label).toMatch(message);
  // Never a report that could be read as a pass.
  expect(r.stdout, label).not.toMatch(/no findings/);
}

/** A two-commit repository: enough for every mode, the range HEAD~1..HEAD included. */
function twoCommits(): Repo {
  const repo = makeRepo({ files: { 'README.md': '# app\n', 'src/a.txt': 'one\n' } });
  repo.commit({ 'src/b.txt': 'two\n' }, 'second');
  return repo;
}

/** Removes the loose object file of `sha` from the repository. */
function dropObject(repo: Repo, sha: string): void {
  rmSync(join(repo.dir, '.git', 'objects', sha.slice(0, 2), sha.slice(2)));
  expect(() => gitIn(repo.dir, ['cat-file', '-e', sha])).toThrow();
}

describe('git repository required', () => {
  it('--staged, --history and --range outside a repository: exit 2, says to run inside one', async () => {
    const dir = tempDir('sg-plain-');
    writeFileSync(join(dir, 'a.txt'), 'hello\n');
    for (const mode of ['staged', 'history', 'range'] as const) {
      expectFailure(await scan(mode, dir), /needs a git repository, and .* is not inside one\n.*Run it from inside the repository/, mode);
    }
  });

  it('git not installed: every mode is exit 2 and says to install git', async () => {
    const repo = twoCommits();
    const path = tempDir('sg-nogit-');
    symlinkSync(process.execPath, join(path, 'node'));
    const runs = await Promise.all((Object.keys(MODE_ARGS) as Mode[]).map((mode) => scan(mode, repo.dir, [], { env: { PATH: path } }).then((r) => [mode, r] as const)));
    for (const [mode, r] of runs) expectFailure(r, /git is not installed or not on PATH\nInstall git/, mode);
  });
});

describe('a range that cannot be read', () => {
  it('an unresolvable base or head, or a malformed range: exit 2, says what to do', async () => {
    const repo = twoCommits();
    // An empty side and the all-zero base of a new branch have their own advice (test/range-trust.test.ts).
    const malformed = ['HEAD', 'HEAD...HEAD~1'];
    const unresolved = ['no-such-branch..HEAD', 'HEAD..no-such-branch'];
    const runs = await Promise.all([...unresolved, ...malformed].map(async (range) => ({ range, r: await cliAsync(['scan', '--range', range], repo.dir) })));
    for (const { range, r } of runs) {
      const message = unresolved.includes(range) ? /does not resolve to a commit in this repository, so the range was not read\nFetch both ends/ : /--range takes BASE\.\.HEAD/;
      expectFailure(r, message, range);
    }
  });
});

describe('shallow clones', () => {
  function shallowClone(): { clone: string; first: string } {
    const origin = makeRepo({ files: { 'a.txt': 'one\n' } });
    const first = origin.git('rev-parse', 'HEAD').trim();
    origin.commit({ 'b.txt': 'two\n' }, 'second');
    origin.commit({ 'c.txt': 'three\n' }, 'third');
    const clone = join(tempDir('sg-shallow-'), 'clone');
    execFileSync('git', ['clone', '-q', '--depth', '1', `file://${origin.dir}`, clone]);
    return { clone, first };
  }

  it('--history: exit 2 with fetch advice unless --allow-shallow, which says what it skipped', async () => {
    const { clone } = shallowClone();
    expectFailure(await scan('history', clone), /shallow clone.*\n.*git fetch --unshallow.*fetch-depth: 0.*--allow-shallow/);
    const r = await scan('history', clone, ['--allow-shallow']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/shallow clone scanned with --allow-shallow/);
  });

  it('--range reaching behind the fetched depth: exit 2 unless --allow-shallow', async () => {
    const { clone, first } = shallowClone();
    gitIn(clone, ['fetch', '-q', '--depth', '1', 'origin', first]);
    expectFailure(await cliAsync(['scan', '--range', `${first}..HEAD`], clone), /shallow clone.*not fetched/);
    const r = await cliAsync(['scan', '--range', `${first}..HEAD`, '--allow-shallow'], clone);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/--allow-shallow/);
  });

  it('the working tree and the staged change need no history: a shallow clone is fine', async () => {
    const { clone } = shallowClone();
    expect((await scan('worktree', clone)).code).toBe(0);
    expect((await scan('staged', clone)).code).toBe(0);
  });
});

describe('a file the scan cannot read', () => {
  // Root reads a mode-000 file anyway; without CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH it is
  // refused like anyone else. setpriv drops them from the process and everything it starts.
  const root = process.getuid?.() === 0;
  const setpriv = root ? needTool('setpriv', 'the mode-000 file tests (root reads such files unless setpriv drops the capability)') : null;
  const asUnprivileged = setpriv ? [setpriv, '--bounding-set=-dac_override,-dac_read_search', '--inh-caps=-dac_override,-dac_read_search'] : [];
  const unreadable = it.skipIf(root && !setpriv);

  unreadable('permission denied (mode 000): exit 2 naming the file and what to do', async () => {
    const repo = twoCommits();
    repo.write({ 'config/secret.yml': `postmark:\n  token: ${fakeToken()}\n` });
    repo.git('add', '-A');
    repo.git('commit', '-qm', 'config');
    chmodSync(join(repo.dir, 'config/secret.yml'), 0o000);
    const r = await scan('worktree', repo.dir, [], { wrap: asUnprivileged });
    expectFailure(r, /could not read 1 file\(s\): config\/secret\.yml \(permission denied\)\nMake them readable/);
    // The same file, readable again, is found: the failure was the read.
    chmodSync(join(repo.dir, 'config/secret.yml'), 0o644);
    expect((await scan('worktree', repo.dir, [], { wrap: asUnprivileged })).code).toBe(1);
  });

  unreadable('an unreadable untracked file, and one among many, is named', async () => {
    const repo = twoCommits();
    const files: Record<string, string> = {};
    for (let i = 0; i < 40; i++) files[`gen/f${i}.txt`] = `file ${i}\n`;
    repo.write({ ...files, 'notes.txt': 'new\n' });
    chmodSync(join(repo.dir, 'notes.txt'), 0o000);
    chmodSync(join(repo.dir, 'gen/f17.txt'), 0o000);
    expectFailure(await scan('worktree', repo.dir, [], { wrap: asUnprivileged }), /could not read 2 file\(s\): .*gen\/f17\.txt.*notes\.txt|notes\.txt.*gen\/f17\.txt/);
  });

  it('an unreadable folder (mode 000), tracked or untracked, in a repository or not: exit 2 naming it and what to do', async () => {
    const repo = twoCommits();
    repo.commit({ 'tracked/mail.env': `POSTMARK_SERVER_TOKEN=${fakeToken()}\n` }, 'tracked folder');
    repo.write({ 'untracked/mail.env': `POSTMARK_SERVER_TOKEN=${fakeToken()}\n` });
    const plain = tempDir('sg-plain-');
    mkdirSync(join(plain, 'locked'));
    writeFileSync(join(plain, 'locked', 'mail.env'), `POSTMARK_SERVER_TOKEN=${fakeToken()}\n`);
    const folderError = (name: string) => new RegExp(`could not read 1 folder\\(s\\), so the files in them were not scanned: ${name}/ \\(permission denied\\)\nMake them readable \\(\`chmod u\\+rx FOLDER\`\\)`);
    try {
      for (const [dir, folder, cwd] of [['tracked', 'tracked', repo.dir], ['untracked', 'untracked', repo.dir], ['outside a repository', 'locked', plain]] as const) {
        chmodSync(join(cwd, folder), 0o000);
        try {
          expectFailure(await scan('worktree', cwd, [], { wrap: asUnprivileged }), folderError(folder), dir);
          expectFailure(await scan('worktree', cwd, [folder], { wrap: asUnprivileged }), folderError(folder), `${dir}, named`);
        } finally {
          chmodSync(join(cwd, folder), 0o755);
        }
      }
    } finally {
      chmodSync(join(repo.dir, 'untracked'), 0o755);
    }
    // Below a named folder git ignores (read because it is named), a locked folder fails the same way.
    repo.write({ '.gitignore': 'build/\n', 'build/locked/bundle.js': 'var x = 1;\n' });
    chmodSync(join(repo.dir, 'build/locked'), 0o000);
    try {
      expectFailure(await scan('worktree', repo.dir, ['build'], { wrap: asUnprivileged }), folderError('build/locked'), 'named ignored folder');
    } finally {
      chmodSync(join(repo.dir, 'build/locked'), 0o755);
    }
    // A file named below a folder that cannot be searched is unreadable, not "no such file".
    chmodSync(join(plain, 'locked'), 0o000);
    try {
      expectFailure(await scan('worktree', plain, ['locked/mail.env'], { wrap: asUnprivileged }), /could not read 1 file\(s\): locked\/mail\.env \(permission denied\)/);
    } finally {
      chmodSync(join(plain, 'locked'), 0o755);
    }
    // Readable again, both folders are read and their tokens found.
    expect((await scan('worktree', repo.dir, [], { wrap: asUnprivileged })).code).toBe(1);
  });

  it('an unreadable object folder: --staged, --history and --range are exit 2', async () => {
    const repo = twoCommits();
    repo.write({ 'new.txt': 'staged\n' });
    repo.git('add', 'new.txt');
    const objects = join(repo.dir, '.git', 'objects');
    const fanout = readdirSync(objects).filter((d) => /^[0-9a-f]{2}$/.test(d));
    for (const d of fanout) chmodSync(join(objects, d), 0o000);
    try {
      for (const mode of ['staged', 'history', 'range'] as const) expectFailure(await scan(mode, repo.dir, [], { wrap: asUnprivileged }), /missing|could not|cannot/, mode);
    } finally {
      for (const d of fanout) chmodSync(join(objects, d), 0o755);
    }
  });

  it('a tracked file replaced by a FIFO: exit 2 (never a silent pass, never a hang)', async () => {
    const repo = twoCommits();
    rmSync(join(repo.dir, 'src/a.txt'));
    execFileSync('mkfifo', [join(repo.dir, 'src/a.txt')]);
    const r = await scan('worktree', repo.dir, [], { timeoutMs: 30_000 });
    expectFailure(r, /could not read 1 file\(s\): src\/a\.txt \(not a regular file\)/);
  });

  it('an unreadable file whose name holds a newline is quoted, so it cannot forge a line on stderr', async () => {
    const dir = tempDir('sg-fifo-');
    execFileSync('mkfifo', [join(dir, 'a\nsecret-guard: forged')]);
    const r = await cliAsync(['scan', '.'], dir, { timeoutMs: 30_000 });
    expectFailure(r, /could not read 1 file\(s\): "a\\nsecret-guard: forged" \(not a regular file\)/);
    expect(r.stderr.split('\n').some((l) => l.startsWith('secret-guard: forged'))).toBe(false);
  });

  it('a path given to scan outside a repository that is a FIFO: exit 2', async () => {
    const dir = tempDir('sg-fifo-');
    execFileSync('mkfifo', [join(dir, 'pipe')]);
    expectFailure(await cliAsync(['scan', 'pipe'], dir, { timeoutMs: 30_000 }), /cannot scan pipe \(a FIFO \(named pipe\)\)[^]*secret-guard scan -/);
  });
});

describe('a git command that fails mid-scan', () => {
  it('a blob missing from .git/objects: --history and --range exit 2 and say to run git fsck', async () => {
    const repo = twoCommits();
    dropObject(repo, repo.git('rev-parse', 'HEAD:src/b.txt').trim());
    for (const mode of ['history', 'range'] as const) {
      expectFailure(await scan(mode, repo.dir), /is missing from the repository, so the history cannot be read completely\n.*git fsck/, mode);
    }
  });

  it('a tree missing from .git/objects: --history and --range exit 2 (git log fails part-way)', async () => {
    const repo = twoCommits();
    dropObject(repo, repo.git('rev-parse', 'HEAD:src').trim());
    for (const mode of ['history', 'range'] as const) expectFailure(await scan(mode, repo.dir), /failed: .*unable to read tree.*the scan did not read everything/, mode);
  });

  it('a commit missing from .git/objects: --history exit 2', async () => {
    const repo = twoCommits();
    dropObject(repo, repo.git('rev-parse', 'HEAD~1').trim());
    expectFailure(await scan('history', repo.dir), /failed: .*the scan did not read everything/);
  });

  it('--staged: a staged blob missing, or HEAD\'s tree missing, is exit 2', async () => {
    const repo = twoCommits();
    repo.write({ 'src/a.txt': 'one\nmore\n' });
    repo.git('add', 'src/a.txt');
    dropObject(repo, repo.git('rev-parse', ':src/a.txt').trim());
    expectFailure(await scan('staged', repo.dir), /staged version of src\/a\.txt is missing from the object database\n.*git fsck/);

    const other = twoCommits();
    other.write({ 'src/c.txt': 'three\n' });
    other.git('add', 'src/c.txt');
    dropObject(other, other.git('rev-parse', 'HEAD:src').trim());
    expectFailure(await scan('staged', other.dir), /`git diff --cached --raw` failed: fatal: unable to read tree/);
  });

  it('a corrupt index: the working tree and --staged are exit 2', async () => {
    const repo = twoCommits();
    writeFileSync(join(repo.dir, '.git', 'index'), 'DIRC not an index at all');
    for (const mode of ['worktree', 'staged'] as const) expectFailure(await scan(mode, repo.dir), /failed: .*index/, mode);
  });
});

describe('configuration and flags', () => {
  const configs: Array<[string, string, string, RegExp]> = [
    ['malformed JSON', '.secret-guard.json', '{"ignorePaths": ["a",', /\.secret-guard\.json is not valid JSON: .*\(line 1, column \d+\)|is not valid JSON: Unexpected end/],
    ['malformed YAML', '.secret-guard.yml', 'ignorePaths: [a\nfailOn: [\n', /\.secret-guard\.yml is not valid YAML/],
    ['unknown key', '.secret-guard.json', '{"ignorePath": ["a"]}', /`ignorePath` is not a known key \(known: ignorePaths/],
    ['wrong type', '.secret-guard.json', '{"ignorePaths": "a"}', /`ignorePaths` must be a list of glob strings/],
    ['wrong value', '.secret-guard.yml', 'failOn: sometimes\n', /`failOn` must be error, warning, info or none/],
    ['top level not an object', '.secret-guard.json', '[]', /must be an object/],
    ['a custom rule without examples', '.secret-guard.json', '{"rules": [{"id": "x", "pattern": "X-[0-9]{8}"}]}', /rules\[0\]\.examples` must be a non-empty list/],
  ];
  it('each: exit 2 naming the file and the problem, in every mode', async () => {
    // One repository; each config sits in its own folder, found by walking up from there.
    const repo = twoCommits();
    const runs = configs.flatMap(([label, name, text, message], i) => {
      const dir = join(repo.dir, 'cases', String(i));
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, name), text);
      // --range reads the base commit's root config instead (test/range-trust.test.ts breaks that one).
      return (['worktree', 'staged', 'history'] as Mode[]).map(async (mode) => ({ label: `${label} ${mode}`, message, r: await scan(mode, dir) }));
    });
    for (const { label, message, r } of await Promise.all(runs)) expectFailure(r, message, label);
  });

  it('--config naming a missing file, and --no-config ignoring a broken one', async () => {
    const repo = twoCommits();
    expectFailure(await scan('worktree', repo.dir, ['--config', 'nope.json']), /config file .*nope\.json does not exist/);
    writeFileSync(join(repo.dir, '.secret-guard.json'), '{');
    expect((await scan('worktree', repo.dir, ['--no-config'])).code).toBe(0);
  });

  it('an unknown flag, a bad flag value, two modes: exit 2 with usage advice', async () => {
    const repo = twoCommits();
    const cases: Array<[string[], RegExp]> = [
      [['scan', '--stagged'], /Unknown argument: stagged\nRun `secret-guard --help`/],
      [['scan', '--staged', '--bogus', 'x'], /Unknown argument/],
      [['scan', '--format', 'xml'], /Invalid values:[\s\S]*format/],
      [['scan', '--max-file-size', 'big'], /--max-file-size big is not a size/],
      [['scan', '--staged', '--history'], /choose one of --staged, --history, --range/],
      [['scan', '--history', 'src'], /paths are for the working-tree scan/],
      [['scan', '--output', 'no/such/folder/report.json'], /could not write the report to no\/such\/folder\/report\.json \(ENOENT\)\nCheck that the folder exists/],
      [['remediate', '--bogus'], /Unknown argument/],
      [['nonsense'], /Unknown argument|Name a command/],
      [[], /Name a command/],
    ];
    const runs = await Promise.all(cases.map(async ([args, message]) => ({ args, message, r: await cliAsync(args, repo.dir) })));
    for (const { args, message, r } of runs) expectFailure(r, message, args.join(' '));
  });
});

describe('paths that match nothing', () => {
  it('a path that does not exist is exit 2, also beside one that does', async () => {
    const repo = twoCommits();
    expectFailure(await cliAsync(['scan', 'scr'], repo.dir), /scr: no such file or folder, so nothing was scanned there\nCheck the paths/);
    expectFailure(await cliAsync(['scan', 'src', 'docs/missing.md'], repo.dir), /docs\/missing\.md: no such file or folder/);
    expectFailure(await cliAsync(['scan', '*.nothing'], repo.dir), /no file matches \*\.nothing: nothing was scanned/);
  });

  it('outside a repository too', async () => {
    const dir = tempDir('sg-plain-');
    expectFailure(await cliAsync(['scan', 'nope'], dir), /nope: no such file or folder/);
  });

  it('a folder git does not ignore that holds only git-ignored files: exit 0, says nothing was scanned and why', async () => {
    const repo = twoCommits();
    repo.commit({ '.gitignore': '*.log\n' }, 'ignore logs');
    repo.write({ 'logs/out.log': `POSTMARK_SERVER_TOKEN=${fakeToken()}\n` });
    const r = await cliAsync(['scan', 'logs'], repo.dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^nothing to scan: logs holds no file git would commit \(none, or only files \.gitignore excludes\)\n/);
    expect(r.stdout).toMatch(/0 files scanned/);
    const json = JSON.parse((await cliAsync(['scan', 'logs', '--format', 'json'], repo.dir)).stdout) as { notes: string[] };
    expect(json.notes).toEqual([expect.stringMatching(/^nothing to scan: logs holds no file/)]);
    // The ignored file itself, named, is read (as ripgrep searches what it is given).
    expect((await cliAsync(['scan', 'logs/out.log'], repo.dir)).code).toBe(1);
  });

  it('a path git still tracks but the work tree lost is read as deleted, not as a typo', async () => {
    const repo = twoCommits();
    rmSync(join(repo.dir, 'src/b.txt'));
    const r = await cliAsync(['scan', 'src/b.txt', '--verbose'], repo.dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/skipped src\/b\.txt: deleted from the working tree/);
  });
});

describe('an empty repository (no commits) is not an error', () => {
  it('scan and --history: exit 0 and a plain "nothing to scan"; --staged (the hook) prints nothing unless --verbose', async () => {
    const repo = makeRepo();
    const expected: Array<[Mode, RegExp]> = [
      ['worktree', /^nothing to scan: there are no files git would commit\n/],
      ['staged', /^$/],
      ['history', /^the repository has no commits yet: nothing to scan\n/],
    ];
    for (const [mode, message] of expected) {
      const r = await scan(mode, repo.dir);
      expect(r.code, `${mode}: ${r.stderr}`).toBe(0);
      expect(r.stdout, mode).toMatch(message);
      expect(r.stderr, mode).toBe('');
    }
    expect((await scan('staged', repo.dir, ['--verbose'])).stdout).toMatch(/^nothing to scan: nothing is staged\n/);
  });

  it('--range has no commits to name: exit 2 (the base does not resolve)', async () => {
    const repo = makeRepo();
    expectFailure(await scan('range', repo.dir), /does not resolve/);
  });
});

describe('a crash is never exit 0', () => {
  /** A copy of the package's bin/ beside a dist/ of our making. */
  function brokenPackage(main: string | null): string {
    const dir = tempDir('sg-pkg-');
    mkdirSync(join(dir, 'bin'));
    copyFileSync(BIN, join(dir, 'bin', 'secret-guard.js'));
    writeFileSync(join(dir, 'package.json'), '{"type": "module"}\n');
    if (main !== null) {
      mkdirSync(join(dir, 'dist', 'bundle'), { recursive: true });
      writeFileSync(join(dir, 'dist', 'bundle', 'main.js'), main);
    }
    return join(dir, 'bin', 'secret-guard.js');
  }

  const token = fakeToken();
  const cases: Array<[string, string | null, RegExp]> = [
    ['dist/ missing (not built)', null, /internal error \(Error\) \(is the package built\? run `npm run build`\): the scan did not complete/],
    ['main() throws', `export function main() { throw new TypeError('line POSTMARK_SERVER_TOKEN=${token}'); }\n`, /internal error \(TypeError\): the scan did not complete/],
    ['a syntax error in dist/', 'export function main( {\n', /internal error \(SyntaxError\)/],
    ['an exception nobody catches', `export function main() { setTimeout(() => { throw new RangeError('${token}'); }, 10); }\n`, /internal error \(RangeError\): the scan did not complete/],
    ['a rejection nobody handles', `export function main() { process.exitCode = 0; Promise.reject(new Error('${token}')); }\n`, /internal error \(Error\): the scan did not complete/],
  ];
  for (const [label, main, message] of cases) {
    it(`${label}: exit 2, no stack trace, nothing it was handling`, async () => {
      const r = await cliAsync(['scan'], tempDir('sg-cwd-'), { bin: brokenPackage(main) });
      expectFailure(r, message, label);
      expect(r.stderr).not.toContain(token.slice(0, 12));
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }

  it('the real package is intact (so the cases above test the copy, not a broken build)', () => {
    expect(readdirSync(join(BIN, '..', '..', 'dist', 'bundle'))).toContain('main.js');
  });
});
