/**
 * A directory scanned because it is not trusted (a tarball or a colleague's copy, `.git` included)
 * chooses its own `.git/config`. These are the things it could make the scan do that the lead's
 * untrusted-repo-config.test.ts does not cover; each case failed before its fix.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { cliAsync } from './helpers/cli-async.js';
import { cleanupAll, fakeToken, gitIn, makeRepo, tempDir } from './helpers/repo.js';

afterAll(cleanupAll);

/**
 * Lets every git left waiting on `fifo` read end of file and exit, should a scan leave one (none
 * should: the scan kills the git it started ahead, and on Linux one that waits on a pipe). Done
 * once the pipe has had no reader for a tenth of a second, or after a second in all.
 */
async function release(fifo: string): Promise<void> {
  for (let i = 0, idle = 0; i < 40 && idle < 4; i++) {
    try {
      closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
      idle = 0;
    } catch {
      idle++; // no reader at this moment
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Runs `check` with a named pipe at `fifo` (what was there removed), then releases any git left waiting on it. */
async function withPipe(fifo: string, check: () => Promise<void>): Promise<void> {
  rmSync(fifo, { force: true });
  mkdirSync(dirname(fifo), { recursive: true });
  execFileSync('mkfifo', [fifo]);
  try {
    await check();
  } finally {
    await release(fifo);
  }
}

describe("core.worktree in the scanned repository's config", () => {
  it('moving the work tree to another folder is exit 2, not a scan of that folder that calls the repository clean', () => {
    const repo = makeRepo({ files: { 'config/mail.env': `POSTMARK_SERVER_TOKEN=${fakeToken()}\n` } });
    const elsewhere = tempDir('sg-elsewhere-');
    mkdirSync(join(elsewhere, 'notes'));
    writeFileSync(join(elsewhere, 'notes', 'todo.md'), 'nothing here\n');
    repo.git('config', 'core.worktree', elsewhere);
    for (const args of [['scan'], ['scan', '--staged'], ['scan', 'config/mail.env']]) {
      const r = cli(args, repo.dir);
      expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(2);
      expect(r.stderr).toContain('core.worktree');
      expect(r.stderr).toContain('git config --unset core.worktree');
    }
  });

  it('the library scan() rejects it the same way', async () => {
    const { scan } = await import('../dist/index.js');
    const repo = makeRepo({ files: { 'config/mail.env': `POSTMARK_SERVER_TOKEN=${fakeToken()}\n` } });
    repo.git('config', 'core.worktree', tempDir('sg-elsewhere-'));
    await expect(scan({ cwd: repo.dir })).rejects.toThrow(/core\.worktree/);
  });

  it("a work tree moved up to the repository's parent (relative core.worktree) is refused too: the parent's files are not the repository's", () => {
    const parent = tempDir('sg-parent-');
    writeFileSync(join(parent, 'someone-elses.env'), `POSTMARK_SERVER_TOKEN=${fakeToken()}\n`);
    const dir = join(parent, 'repo');
    mkdirSync(dir);
    gitIn(dir, ['init', '-q']);
    writeFileSync(join(dir, 'README.md'), '# app\n');
    gitIn(dir, ['add', '-A']);
    gitIn(dir, ['commit', '-qm', 'one']);
    gitIn(dir, ['config', 'core.worktree', '../..']);
    const r = cli(['scan', '--format', 'json'], dir);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).not.toContain('someone-elses.env');
  });

  it('a linked worktree, whose .git file points to its git directory, still scans', () => {
    const repo = makeRepo({ files: { 'config/mail.env': `POSTMARK_SERVER_TOKEN=${fakeToken()}\n` } });
    const linked = join(tempDir('sg-linked-'), 'wt');
    repo.git('worktree', 'add', '-q', linked);
    expect(cli(['scan'], linked).code).toBe(1);
    expect(cli(['scan', '--staged'], linked).code).toBe(0);
    expect(cli(['scan'], repo.dir).code).toBe(1);
  });
});

describe('a named pipe at .git/info/exclude', () => {
  it('is exit 2 with a message in every mode, not a scan that waits forever', async () => {
    const repo = makeRepo({ files: { 'config/mail.env': `POSTMARK_SERVER_TOKEN=${fakeToken()}\n` } });
    // A linked worktree shares the main checkout's info/exclude (its own git directory holds only its index).
    const linked = join(tempDir('sg-linked-'), 'wt');
    repo.git('worktree', 'add', '-q', linked);
    await withPipe(join(repo.dir, '.git', 'info', 'exclude'), async () => {
      const runs: Array<[string, string[]]> = [[repo.dir, ['scan']], [repo.dir, ['scan', '--staged']], [repo.dir, ['scan', 'config/mail.env']], [linked, ['scan']], [linked, ['scan', '--staged']]];
      for (const [cwd, args] of runs) {
        const r = await cliAsync(args, cwd, { timeoutMs: 20_000 });
        expect(r.code, `${cwd === linked ? 'linked worktree: ' : ''}${args.join(' ')}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toContain('info/exclude');
      }
    });
  }, 120_000);
});

describe('a git started ahead, when the scan fails first', () => {
  it('scan --staged leaves no git waiting on the pipe after its exit 2, in a process that lives on (as a library caller does)', async () => {
    const repo = makeRepo({ files: { 'config/mail.env': `POSTMARK_SERVER_TOKEN=${fakeToken()}\n` } });
    const fifo = join(repo.dir, '.git', 'info', 'exclude');
    await withPipe(fifo, async () => {
      const r = await cliAsync(['scan', '--staged'], repo.dir, { timeoutMs: 20_000 });
      expect(r.code, r.stderr).toBe(2);
      // A reader still on the pipe (the early `git diff --cached`) lets a non-blocking writer open it.
      await new Promise((res) => setTimeout(res, 500));
      let reader = true;
      try {
        closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENXIO') reader = false;
        else throw err;
      }
      expect(reader, 'a git still reads the pipe').toBe(false);
    });
  }, 60_000);
});

describe('a named pipe at a file of the git directory that git opens', () => {
  it.each(['index', 'packed-refs', 'shallow', 'info/grafts', 'objects/info/alternates', 'objects/info/commit-graph'])('%s: --staged and --history are exit 2 naming it', async (name) => {
    const repo = makeRepo({ files: { 'config/mail.env': `POSTMARK_SERVER_TOKEN=${fakeToken()}\n` } });
    repo.git('pack-refs', '--all');
    await withPipe(join(repo.dir, '.git', name), async () => {
      for (const args of [['scan', '--staged'], ['scan', '--history']]) {
        const r = await cliAsync(args, repo.dir, { timeoutMs: 10_000 });
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toContain(name);
      }
    });
  }, 60_000);
});

describe('a named pipe in a bare repository (a downloaded mirror)', () => {
  it('packed-refs: --history is exit 2 naming it', async () => {
    const repo = makeRepo({ files: { 'config/mail.env': `POSTMARK_SERVER_TOKEN=${fakeToken()}\n` } });
    const mirror = join(tempDir('sg-mirror-'), 'm.git');
    gitIn(tempDir('sg-cwd-'), ['clone', '-q', '--mirror', repo.dir, mirror]);
    await withPipe(join(mirror, 'packed-refs'), async () => {
      const r = await cliAsync(['scan', '--history'], mirror, { timeoutMs: 10_000 });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('packed-refs');
    });
  }, 60_000);
});

describe('scan --commit-msg FILE', () => {
  it('a named pipe as the message file is exit 2 naming it, not a hook that waits forever', async () => {
    const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    await withPipe(join(repo.dir, '.git', 'COMMIT_EDITMSG'), async () => {
      const r = await cliAsync(['scan', '--commit-msg', '.git/COMMIT_EDITMSG'], repo.dir, { timeoutMs: 10_000 });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain('not a regular file');
    });
  }, 30_000);
});

/**
 * Pipes git opens before the scan can look at them: every `.gitignore` of the work tree (the scan
 * would have to walk the whole tree first), the repository's config and the files it includes.
 * Linux shows where a process waits (/proc/PID/wchan); blocked-open.ts stops such a git there.
 */
describe.skipIf(process.platform !== 'linux')('a named pipe git opens before the scan can check it', () => {
  it('a .gitignore in a work-tree folder: scan is exit 2 naming it', async () => {
    const repo = makeRepo({ files: { 'docs/readme.md': 'hello\n', 'config/mail.env': `POSTMARK_SERVER_TOKEN=${fakeToken()}\n` } });
    await withPipe(join(repo.dir, 'docs', '.gitignore'), async () => {
      const r = await cliAsync(['scan'], repo.dir, { timeoutMs: 20_000 });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`${join(repo.dir, 'docs', '.gitignore')}, a named pipe`);
      expect(r.stderr).toContain('Remove the named pipe');
    });
  }, 60_000);

  it('.git/config, and a file it includes: every mode is exit 2 naming it', async () => {
    const repo = makeRepo({ files: { 'config/mail.env': `POSTMARK_SERVER_TOKEN=${fakeToken()}\n` } });
    const head = repo.git('rev-parse', 'HEAD').trim();
    const config = join(repo.dir, '.git', 'config');
    const saved = readFileSync(config);
    await withPipe(config, async () => {
      for (const args of [['scan'], ['scan', '--staged'], ['scan', '--history'], ['scan', '--range', `${head}..${head}`]]) {
        const r = await cliAsync(args, repo.dir, { timeoutMs: 20_000 });
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toContain(`${config}, a named pipe`);
      }
    });
    rmSync(config);
    writeFileSync(config, Buffer.concat([saved, Buffer.from('[include]\n\tpath = more.conf\n')]));
    await withPipe(join(repo.dir, '.git', 'more.conf'), async () => {
      const r = await cliAsync(['scan', '--history'], repo.dir, { timeoutMs: 20_000 });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`${join(repo.dir, '.git', 'more.conf')}, a named pipe`);
    });
  }, 120_000);
});
