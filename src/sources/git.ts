/**
 * Small git calls through child_process: the scan paths stay free of heavier wrappers so the
 * pre-commit hook starts fast. Output is bytes; callers split on NUL where paths are involved.
 */
import { spawn } from 'node:child_process';
import { GitError } from '../cli/errors.js';

export interface GitResult {
  stdout: Buffer;
  stderr: string;
  code: number;
}

export function gitRaw(args: string[], cwd: string, input?: string | Buffer): Promise<GitResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('git', args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') reject(new GitError('git is not installed or not on PATH', 'Install git, then run the scan again.'));
      else reject(new GitError(`could not run git: ${e.code ?? e.message}`));
    });
    child.on('close', (code) => resolvePromise({ stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8'), code: code ?? 1 }));
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

/** Runs git and fails closed: a non-zero exit is a GitError naming the command. */
export async function git(args: string[], cwd: string, input?: string | Buffer): Promise<Buffer> {
  const r = await gitRaw(args, cwd, input);
  if (r.code !== 0) {
    throw new GitError(`\`git ${args.slice(0, 3).join(' ')}\` failed: ${r.stderr.trim().split('\n')[0] ?? `exit ${r.code}`}`);
  }
  return r.stdout;
}

export function splitNul(buf: Buffer): string[] {
  const s = buf.toString('utf8');
  const parts = s.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

export interface Repo {
  /** The work tree's top level; for a bare repository, the git directory. */
  root: string;
  gitDir: string;
  bare: boolean;
}

/** The repository around `cwd` (a bare one too), or null when there is none. */
export async function findRepo(cwd: string): Promise<Repo | null> {
  const r = await gitRaw(['rev-parse', '--is-bare-repository', '--absolute-git-dir', '--show-toplevel'], cwd);
  if (r.code === 0) {
    const [bare, gitDir, top] = r.stdout.toString('utf8').split('\n');
    const isBare = bare === 'true';
    return { root: isBare || !top ? gitDir! : top, gitDir: gitDir!, bare: isBare };
  }
  // git refuses --show-toplevel where there is no work tree, so a bare repository lands here;
  // asked again without it only then, which keeps the pre-commit path at one git process.
  const again = await gitRaw(['rev-parse', '--is-bare-repository', '--absolute-git-dir'], cwd);
  const [bare, gitDir] = again.stdout.toString('utf8').split('\n');
  if (again.code !== 0 || bare !== 'true' || !gitDir) return null;
  return { root: gitDir, gitDir, bare: true };
}

export async function requireRepo(cwd: string, mode: string): Promise<Repo> {
  const repo = await findRepo(cwd);
  if (!repo) {
    throw new GitError(`${mode} needs a git repository, and ${cwd} is not inside one`, 'Run it from inside the repository, or scan files with `secret-guard scan PATH`.');
  }
  return repo;
}
