/**
 * Small git calls through child_process: the scan paths stay free of heavier wrappers so the
 * pre-commit hook starts fast. Output is bytes; callers split on NUL where paths are involved.
 */
import { isUtf8 } from 'node:buffer';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GitError, IncompleteScanError } from '../errors.js';
import { blockedOpenError, watchBlockedOpen } from './blocked-open.js';

export interface GitResult {
  stdout: Buffer;
  stderr: string;
  code: number;
}

/**
 * Given to every git the scan starts, before its command: the scanned repository's config names
 * no program for it to run. `core.fsmonitor` is a command git runs whenever it reads the index
 * (ls-files, diff --cached): a repository downloaded to be scanned, its `.git/config` included,
 * ran it on `secret-guard scan`. Off, git checks the files itself, so a monitor that lies cannot
 * hide one either.
 */
const NO_REPO_PROGRAMS = ['-c', 'core.fsmonitor=false'];

/**
 * The environment of every git the scan starts: `env` (default: this process's) with
 * GIT_NO_LAZY_FETCH. In a partial clone (`git clone --filter`) an object left out is then an error
 * (the scan says which and how to fetch them: object-store.ts) rather than fetched behind the
 * scan's back, one by one, from a remote that may hang, over a transport the repository's config
 * chooses (`core.sshCommand` is a program too).
 */
function gitEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...env, GIT_NO_LAZY_FETCH: '1' };
}

/** A git the scan started, and what stopped it that its exit code does not say. */
export interface StartedGit {
  child: ChildProcessWithoutNullStreams;
  /** Why it could not run (git missing), or why it was killed (a named pipe it waited on); null while neither. */
  error(): GitError | IncompleteScanError | null;
}

/**
 * Every git the scan runs starts here: with the repository's programs off (NO_REPO_PROGRAMS), in
 * gitEnv's environment (`env`: the whole environment, default this process's), and watched for a
 * wait on a named pipe (blocked-open.ts), which kills it. `signal` kills it when aborted (one
 * started ahead whose answer is no longer wanted).
 */
export function startGit(args: string[], cwd: string, opts: { env?: NodeJS.ProcessEnv; signal?: AbortSignal } = {}): StartedGit {
  const child = spawn('git', [...NO_REPO_PROGRAMS, ...args], { cwd, env: gitEnv(opts.env), stdio: ['pipe', 'pipe', 'pipe'], ...(opts.signal ? { signal: opts.signal } : {}) });
  let error: GitError | IncompleteScanError | null = null;
  child.on('error', (e: NodeJS.ErrnoException) => {
    error = e.code === 'ENOENT' ? new GitError('git is not installed or not on PATH', 'Install git, then run the scan again.') : new GitError(`could not run git: ${e.code ?? e.message}`);
  });
  const unwatch = watchBlockedOpen(child, (path) => {
    error = blockedOpenError(path);
    child.kill('SIGKILL');
  });
  child.on('close', unwatch);
  child.stdin.on('error', () => {});
  return { child, error: () => error };
}

/** git's answer to `args`, whole (see startGit); rejected only when git could not run or was killed. */
export function gitRaw(args: string[], cwd: string, input?: string | Buffer, env?: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<GitResult> {
  return new Promise((resolvePromise, reject) => {
    const git = startGit(args, cwd, { env, signal });
    const { child } = git;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', () => reject(git.error()));
    child.on('close', (code) => {
      const error = git.error();
      if (error) reject(error);
      else resolvePromise({ stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), code: code ?? 1 });
    });
    child.stdin.end(input);
  });
}

/** git's line for an object a partial clone left out and that it did not fetch (gitEnv); group 1 is its id. */
export const UNFETCHED_OBJECT = /could not fetch ([0-9a-f]{40,64}) from promisor remote/;

/** The fetch that brings in what a partial clone left out, from `remote`, as every such message names it. */
export const fetchLeftOut = (remote = 'origin'): string => `\`git fetch --refetch --no-filter ${remote}\` (git 2.36 or later)`;

/** Runs git and fails closed: a non-zero exit is a GitError naming the command. */
export async function git(args: string[], cwd: string, input?: string | Buffer): Promise<Buffer> {
  const r = await gitRaw(args, cwd, input);
  if (r.code !== 0) {
    if (UNFETCHED_OBJECT.test(r.stderr) || r.stderr.includes('lazy fetching disabled')) {
      throw new IncompleteScanError(
        `this is a partial clone (git clone --filter) and \`git ${args.slice(0, 3).join(' ')}\` needed an object it never fetched, so the scan cannot read everything; objects are not fetched behind the scan's back`,
        `Fetch every object the clone left out, then scan again: ${fetchLeftOut()}, with the clone's remote if it is not origin; or scan a full clone (\`git clone\` without --filter).`,
      );
    }
    throw new GitError(`\`git ${args.slice(0, 3).join(' ')}\` failed: ${r.stderr.trim().split('\n')[0] ?? `exit ${r.code}`}`);
  }
  return r.stdout;
}

/** One checkout of the repository, as `git worktree list --porcelain` describes it. */
export interface WorktreeEntry {
  path: string;
  /** Its HEAD's commit (absent in a repository with no commits yet). */
  head?: string;
  detached: boolean;
  bare: boolean;
}

/**
 * The repository's checkouts, the main one first (`git worktree list --porcelain -z`), or null
 * where git cannot list them so (before 2.36, which has no -z).
 */
export async function listWorktrees(cwd: string): Promise<WorktreeEntry[] | null> {
  const r = await gitRaw(['worktree', 'list', '--porcelain', '-z'], cwd);
  if (r.code !== 0) return null;
  const out: WorktreeEntry[] = [];
  for (const entry of r.stdout.toString('utf8').split('\0\0')) {
    const fields = entry.split('\0');
    const path = fields.find((f) => f.startsWith('worktree '))?.slice('worktree '.length);
    if (!path) continue;
    const head = fields.find((f) => f.startsWith('HEAD '))?.slice('HEAD '.length);
    out.push({ path, ...(head ? { head } : {}), detached: fields.includes('detached'), bare: fields.includes('bare') });
  }
  return out;
}

export function splitNul(buf: Buffer): string[] {
  const s = buf.toString('utf8');
  const parts = s.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** NUL-terminated records as bytes: what git prints with -z, before anything is decoded. */
export function splitNulBytes(buf: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let nul = buf.indexOf(0); nul !== -1; nul = buf.indexOf(0, start)) {
    parts.push(buf.subarray(start, nul));
    start = nul + 1;
  }
  if (start < buf.length) parts.push(buf.subarray(start));
  return parts;
}

/**
 * A file name as the reports carry it. Names that are valid UTF-8 (nearly all) are kept as they
 * are. A name that is not (Latin-1 from an old system: `caf\xe9.env`) would lose its bytes in a
 * string, so each byte that is not part of a UTF-8 character is written `\ooo` in octal, as git
 * quotes it, and a backslash `\\`; the rest of the name (folders, extension) stays readable, so
 * path rules still see `.env`. pathToBytes inverts it exactly: a valid name that itself holds
 * `\\` or `\ooo` is escaped the same way, so no two names share a form.
 */
export function pathFromBytes(raw: Buffer): string {
  if (isUtf8(raw)) {
    const s = raw.toString('utf8');
    return s.includes('\\') && /\\(?:\\|[0-3][0-7]{2})/.test(s) ? s.replace(/\\/g, '\\\\') : s;
  }
  let out = '';
  let i = 0;
  while (i < raw.length) {
    const b = raw[i]!;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    const ch = len > 1 && i + len <= raw.length ? raw.subarray(i, i + len) : null;
    if (len === 1) {
      out += b === 0x5c ? '\\\\' : String.fromCharCode(b);
      i++;
    } else if (ch && isUtf8(ch)) {
      out += ch.toString('utf8');
      i += len;
    } else {
      out += `\\${b.toString(8).padStart(3, '0')}`;
      i++;
    }
  }
  return out;
}

/** The bytes of a name that pathFromBytes gave: what to hand to the file system or to git. */
export function pathToBytes(path: string): Buffer {
  if (!path.includes('\\') || !/\\(?:\\|[0-3][0-7]{2})/.test(path)) return Buffer.from(path, 'utf8');
  const parts: Buffer[] = [];
  let text = '';
  for (let i = 0; i < path.length; i++) {
    const c = path[i]!;
    const octal = c === '\\' ? /^[0-3][0-7]{2}/.exec(path.slice(i + 1, i + 4)) : null;
    if (c === '\\' && path[i + 1] === '\\') {
      text += '\\';
      i++;
    } else if (octal) {
      parts.push(Buffer.from(text, 'utf8'), Buffer.from([parseInt(octal[0], 8)]));
      text = '';
      i += 3;
    } else {
      text += c;
    }
  }
  parts.push(Buffer.from(text, 'utf8'));
  return Buffer.concat(parts);
}

export interface Repo {
  /** The work tree's top level; for a bare repository, the git directory. */
  root: string;
  gitDir: string;
  bare: boolean;
}

/** The repository around `cwd` (a bare one too), or null when there is none. */
export async function findRepo(cwd: string): Promise<Repo | null> {
  const r = await gitRaw(['rev-parse', '--is-bare-repository', '--absolute-git-dir', '--git-common-dir', '--show-toplevel'], cwd);
  if (r.code === 0) {
    const [bare, gitDir, common, top] = r.stdout.toString('utf8').split('\n');
    const isBare = bare === 'true';
    if (!isBare && top && !process.env.GIT_DIR && !process.env.GIT_WORK_TREE && !ownsGitDir(top, gitDir!)) {
      throw new GitError(
        `this repository's config moves its work tree to ${top} (core.worktree): the scan would read the files there as this repository's and not the ones in this folder`,
        'Scan a fresh clone, or, if the repository is yours, remove the setting (`git config --unset core.worktree`); to scan another work tree on purpose, set GIT_DIR and GIT_WORK_TREE.',
      );
    }
    refuseBlockingFiles(gitDir!);
    // A linked worktree's git directory holds its own index; the rest is in the shared one.
    if (common && resolve(cwd, common) !== gitDir) refuseBlockingFiles(resolve(cwd, common));
    return { root: isBare || !top ? gitDir! : top, gitDir: gitDir!, bare: isBare };
  }
  // git refuses --show-toplevel where there is no work tree, so a bare repository lands here;
  // asked again without it only then, which keeps the pre-commit path at one git process.
  const again = await gitRaw(['rev-parse', '--is-bare-repository', '--absolute-git-dir'], cwd);
  const [bare, gitDir] = again.stdout.toString('utf8').split('\n');
  if (again.code !== 0 || bare !== 'true' || !gitDir) return null;
  refuseBlockingFiles(gitDir);
  return { root: gitDir, gitDir, bare: true };
}

/**
 * Files of the git directory that git opens with a plain blocking open: a named pipe planted at
 * one hung the scan for good (info/exclude in every mode, the index for scan and --staged, the
 * rest for --staged and --history). A folder or a device is not what git expects there either.
 */
const GIT_DIR_FILES = ['info/exclude', 'index', 'packed-refs', 'shallow', 'info/grafts', 'objects/info/alternates', 'objects/info/commit-graph', 'objects/info/commit-graphs/commit-graph-chain'];

function refuseBlockingFiles(gitDir: string): void {
  for (const name of GIT_DIR_FILES) {
    const st = statSync(join(gitDir, name), { throwIfNoEntry: false });
    if (st && !st.isFile()) {
      throw new GitError(
        `${join(gitDir, name)} is not a regular file (a named pipe or a device would make git wait forever), so the scan cannot run`,
        'Replace it with a regular file (or remove it), or scan a fresh clone.',
      );
    }
  }
}

/**
 * Whether the work tree git names is the one its git directory belongs to: `top/.git` is that
 * directory, or a file (linked worktree, submodule) that points to it. A `core.worktree` in the
 * scanned repository's own config can name any folder (a home, a parent of the repository); git
 * then lists and reads that folder's files and calls the repository's own deleted.
 */
function ownsGitDir(top: string, gitDir: string): boolean {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return null;
    }
  };
  const dotGit = join(top, '.git');
  const st = statSync(dotGit, { throwIfNoEntry: false });
  if (st?.isDirectory()) return real(dotGit) === real(gitDir);
  if (!st?.isFile() || st.size > 4096) return false;
  const to = /^gitdir: (.+?)\r?$/m.exec(readFileSync(dotGit, 'utf8'))?.[1];
  return to !== undefined && real(resolve(top, to)) === real(gitDir);
}

export async function requireRepo(cwd: string, mode: string): Promise<Repo> {
  const repo = await findRepo(cwd);
  if (!repo) {
    throw new GitError(`${mode} needs a git repository, and ${cwd} is not inside one`, 'Run it from inside the repository, or scan files with `secret-guard scan PATH`.');
  }
  return repo;
}
