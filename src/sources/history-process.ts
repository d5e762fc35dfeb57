/**
 * Long-running git processes whose output is read as a stream (the log, the blob reader, the
 * child counts). Every one is checked at the end: a git that exits non-zero part-way makes the
 * scan fail (exit 2), never end early and look clean.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { GitError, type IncompleteScanError } from '../errors.js';
import { startGit, type StartedGit } from './git.js';

const STDERR_KEEP = 4096;

/**
 * Bounds on what a long-running git keeps in memory. By default git maps up to 8 GiB of pack in
 * 1 GiB windows and caches 96 MiB of delta bases: `git log --raw --all` over git/git's 500 MB
 * pack peaked at 474 MB RSS, and so did the scan. With these bounds it peaks at 162 MB for the
 * same CPU time (measured with GNU time, 85k commits).
 */
const MEMORY_BOUNDS = ['-c', 'core.packedGitWindowSize=16m', '-c', 'core.packedGitLimit=64m', '-c', 'core.deltaBaseCacheLimit=32m'];

/**
 * cat-file's own bounds: it inflates every version the scan reads, and the log's bounds cost it
 * twice the time. Replaying a git/git scan's 165k requests: 15.5 s (3.5 s of it in the kernel,
 * mapping and unmapping 16 MB windows) and 97 MB RSS under MEMORY_BOUNDS; 8.3–10 s and 217 MB
 * under these; 6.5 s and 436 MB under git's defaults. Most of the gain is the delta-base cache
 * (git's default size): chains of deltas in a long history re-inflate their bases without it.
 */
export const CAT_FILE_BOUNDS = ['-c', 'core.packedGitWindowSize=32m', '-c', 'core.packedGitLimit=128m', '-c', 'core.deltaBaseCacheLimit=96m'];

export class GitStream {
  readonly proc: ChildProcessWithoutNullStreams;
  private stderr = '';
  private readonly started: StartedGit;
  private readonly exit: Promise<number>;

  constructor(
    private readonly args: string[],
    cwd: string,
    bounds: readonly string[] = MEMORY_BOUNDS,
  ) {
    // startGit's gitEnv: in a partial clone a missing object is answered "missing" (exit 2, naming it).
    this.started = startGit([...bounds, ...args], cwd);
    this.proc = this.started.child;
    this.proc.stderr.on('data', (b: Buffer) => {
      if (this.stderr.length < STDERR_KEEP) this.stderr += b.toString('utf8');
    });
    this.exit = new Promise((resolve) => {
      this.proc.on('error', () => resolve(-1));
      this.proc.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    });
  }

  /** Waits for the process and throws a GitError naming it unless it exited 0. */
  async check(): Promise<void> {
    const code = await this.exit;
    if (code !== 0 || this.started.error()) throw this.failure(code);
  }

  /** What git wrote to stderr (its first few kilobytes). */
  get errors(): string {
    return this.stderr;
  }

  failure(code?: number): GitError | IncompleteScanError {
    const stopped = this.started.error();
    if (stopped) return stopped;
    const first = this.stderr.trim().split('\n')[0];
    const name = this.args.filter((a) => !a.startsWith('--format')).slice(0, 4).join(' ');
    return new GitError(`\`git ${name}\` failed${first ? `: ${first}` : code !== undefined ? ` (exit ${code})` : ''}; the scan did not read everything`);
  }

  kill(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill();
  }
}
