/**
 * Real git repositories in temporary folders, built from a small object:
 *   const repo = makeRepo({ files: { 'a.txt': 'x' } })        // one commit
 *   repo.commit({ '.env': 'A=1' }, 'add env')                 // another
 *   repo.write({ 'b.txt': 'y' }); repo.git('add', 'b.txt')    // stage only
 * No mocks: every call runs git.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, appendFileSync, constants, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export type Files = Record<string, string | Buffer | null>;

/** Who commits in tests, and git without the machine's system config. */
export const GIT_IDENTITY = {
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.com',
  GIT_COMMITTER_NAME: 'Test Author',
  GIT_COMMITTER_EMAIL: 'author@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
};

const ENV = { ...GIT_IDENTITY, HOME: '' };

export interface Repo {
  dir: string;
  git: (...args: string[]) => string;
  write: (files: Files) => void;
  commit: (files: Files, message?: string, date?: string) => string;
  cleanup: () => void;
}

const made: string[] = [];

/** Free space a run's folders on /dev/shm may need at once (two test files' repositories), with room to spare. */
const SHM_NEEDED = 1024 * 1024 * 1024;

/**
 * Where the tests' folders go: a RAM-backed file system (/dev/shm, Linux) when the machine has a
 * writable one with a gigabyte free, else the system's temp folder; SG_TEST_TMPDIR names another.
 * A run writes and deletes some hundred thousand small files (git's loose objects, indexes, refs,
 * hooks, copies of repositories); on a journalled disk (here ext4 mounted with discard) creating
 * and removing them was a third of the git-heavy files' system time. The repositories are as real
 * either way.
 */
function testRoot(): string {
  const named = process.env.SG_TEST_TMPDIR;
  if (named) return named;
  if (process.platform === 'linux') {
    try {
      const dir = join('/dev/shm', `sg-tests-${process.getuid?.() ?? 'user'}`);
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      accessSync(dir, constants.W_OK | constants.X_OK);
      // A container's /dev/shm is often 64 MB: too small for a run, which would fail on ENOSPC.
      const { bavail, bsize } = statfsSync(dir);
      if (bavail * bsize >= SHM_NEEDED) return dir;
    } catch {
      // no RAM-backed file system here
    }
  }
  return tmpdir();
}
let root: string | undefined;

export function tempDir(prefix = 'sg-'): string {
  root ??= testRoot();
  const d = mkdtempSync(join(root, prefix));
  made.push(d);
  return d;
}

/**
 * A temp folder in the system's temp folder, on the file system of the checkout as it is on every
 * machine this runs on: for a copy of the checkout's node_modules made with hard links (helpers/
 * modules.ts), which cannot cross to another file system.
 */
export function checkoutTempDir(prefix = 'sg-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}

export function cleanupAll(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function gitIn(dir: string, args: string[], env: Record<string, string> = {}): string {
  return execFileSync('git', args, { cwd: dir, env: { ...process.env, ...ENV, HOME: dir, ...env }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

/** new path → its source, for the renames `git diff -M` sees with `diffArgs` (`--cached`, or two commits). */
export function renameSources(dir: string, diffArgs: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const parts = gitIn(dir, ['diff', '-M', '--name-status', '-z', ...diffArgs]).split('\0');
  for (let i = 0; i < parts.length - 1; i++) {
    const status = parts[i]!;
    if (status[0] === 'R' || status[0] === 'C') {
      const from = parts[++i]!;
      const to = parts[++i]!;
      if (status[0] === 'R') out.set(to, from);
    } else i++;
  }
  return out;
}

/**
 * What `git init -q -b main` (or `--bare`) writes, made once per test file in a temp folder of
 * its own (cleanupAll removes it with the rest) and copied into each new repository: the same
 * files, a git start fewer (some 400 a run). Its config turns off git's housekeeping after a
 * commit (`git maintenance run --auto`) and after a received push (`git gc --auto`): a process
 * each that never finds anything to do in a test's few objects (some 1,200 a run); no test is
 * about either.
 */
const NO_HOUSEKEEPING = '[maintenance]\n\tauto = false\n[gc]\n\tauto = 0\n[receive]\n\tautogc = false\n';
const initialized = new Map<boolean, string>();
function gitInit(dir: string, bare: boolean): void {
  let template = initialized.get(bare);
  if (!template || !existsSync(join(template, bare ? 'HEAD' : '.git'))) {
    template = tempDir('sg-init-');
    gitIn(template, ['init', '-q', '-b', 'main', ...(bare ? ['--bare'] : [])]);
    appendFileSync(join(template, bare ? 'config' : join('.git', 'config')), NO_HOUSEKEEPING);
    initialized.set(bare, template);
  }
  cpSync(template, dir, { recursive: true });
}

export function makeRepo(init: { files?: Files; message?: string; bare?: boolean } = {}): Repo {
  const dir = tempDir();
  gitInit(dir, init.bare ?? false);
  const repo = repoAt(dir);
  if (init.files) repo.commit(init.files, init.message ?? 'initial');
  return repo;
}

/** A copy of the repository (or bare server) at `dir`, in a temp folder of its own: files, index, refs, config. */
export function copyRepo(dir: string): Repo {
  const copy = tempDir();
  cpSync(dir, copy, { recursive: true });
  return repoAt(copy);
}

function repoAt(dir: string): Repo {
  const repo: Repo = {
    dir,
    git: (...args) => gitIn(dir, args),
    write(files) {
      for (const [path, content] of Object.entries(files)) {
        const abs = join(dir, path);
        if (content === null) {
          rmSync(abs, { force: true });
          continue;
        }
        mkdirSync(dirname(abs), { recursive: true });
        writeFileSync(abs, content);
      }
    },
    commit(files, message = 'change', date) {
      repo.write(files);
      gitIn(dir, ['add', '-A']);
      const env = date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {};
      gitIn(dir, ['commit', '-q', '--allow-empty', '-m', message], env);
      return headOf(dir);
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
  return repo;
}

/**
 * The commit HEAD names, read from the ref file `git commit` just wrote (HEAD -> refs/heads/<b>,
 * or a detached HEAD's own line); git rev-parse when the ref is anywhere else (packed, a linked
 * worktree's .git file, another ref store).
 */
function headOf(dir: string): string {
  const gitDir = join(dir, '.git');
  const sha = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;
  try {
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
    const ref = head.startsWith('ref: ') ? head.slice(5) : null;
    const value = ref === null ? head : /^refs\/heads\/[^\0]+$/.test(ref) ? readFileSync(join(gitDir, ref), 'utf8').trim() : '';
    if (sha.test(value)) return value;
  } catch {
    // not a plain .git folder with a loose ref: ask git
  }
  return gitIn(dir, ['rev-parse', 'HEAD']).trim();
}

/** Synthetic tokens: UUID-shaped, random, never real. */
export function fakeToken(): string {
  const h = () => Math.floor(Math.random() * 16).toString(16);
  const g = (n: number) => Array.from({ length: n }, h).join('');
  return `${g(8)}-${g(4)}-4${g(3)}-a${g(3)}-${g(12)}`;
}
