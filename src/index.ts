/**
 * The library: `import { scan } from 'secret-guard'`. It runs the CLI's own scan
 * (scanRepository, the code behind `secret-guard scan`) and returns the JSON report's findings as
 * data: redacted unless `showSecrets`, in the shape `--format json` prints. It never prints and
 * never exits; a scan that could not read everything rejects with one of the typed errors below
 * (each `exitCode` 2, as the CLI would exit).
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { isInside } from './paths.js';
import type { Args } from './cli/context.js';
import { FAIL_ON, type FailOn, type Severity } from './core/types.js';
import { EXIT, IncompleteScanError, redactSecrets, SecretGuardError, UsageError } from './errors.js';
import { toolVersion } from './cli/version.js';
import { jsonReport } from './report/json.js';
import { scanRepository } from './scan/repository.js';
import { gitRaw } from './sources/git.js';
import { unreadPaths } from './scan/unread.js';

export { ConfigError, EXIT, GitError, IncompleteScanError, SecretGuardError, UsageError } from './errors.js';

export interface ScanOptions {
  /** The repository, or a folder in it (default: the process's working directory). */
  cwd?: string;
  /** `worktree` (default), `staged` (the pre-commit hook), `history` (every ref), `range` (needs `range`). */
  mode?: 'worktree' | 'staged' | 'history' | 'range';
  /** `BASE..HEAD`, for mode `range`. */
  range?: string;
  /** Files or folders, for mode `worktree` only (as `secret-guard scan PATH…`). */
  paths?: string[];
  /** A config file (`--config FILE`), or `false` for none (`--no-config`); default: found as the CLI finds it. */
  config?: string | false;
  /** `--max-file-size`: bytes, or a size such as `5MB`. */
  maxFileSize?: number | string;
  /** `--on-unread`: a file over maxFileSize rejects the scan (`refuse`, the default) or is accepted unread (`accept`). */
  onUnread?: 'refuse' | 'accept';
  /** `--fail-on`: the lowest severity that makes `exitCode` 1. */
  failOn?: FailOn;
  /** `--baseline FILE`. */
  baseline?: string;
  /** `--approve-suppressions` (mode `range`). */
  approveSuppressions?: boolean;
  /** `--threads`: threads that scan history and large working trees (default: one per core, at most 2). */
  threads?: number;
  /** `--allow-shallow` (modes `history`, `range`). */
  allowShallow?: boolean;
  /** `--show-secrets`: `match` holds the whole secret instead of its first characters. */
  showSecrets?: boolean;
}

/** One finding, as in `--format json` (README: "JSON report"). */
export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  fix: string;
  /** Relative to the repository root. */
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** History and range scans: the commit that introduced it. */
  commit?: string;
  author?: string;
  date?: string;
  holders?: { commits: number; refs: string[]; inHead: boolean };
  kind: 'content' | 'path' | 'message';
  /** Redacted unless `showSecrets`. */
  match: string;
  fingerprint: string;
  /** Range scans: a finding that only a suppression added by the range would hide. */
  suppressedByChange?: { by: 'inline' | 'ignore-file' | 'baseline'; approved: boolean; note: string };
}

export interface ScanStats {
  filesScanned: number;
  bytesScanned: number;
  commitsScanned?: number;
  blobsScanned?: number;
  skipped: Record<'binary' | 'tooLarge' | 'ignoredByConfig' | 'symlink' | 'submodule' | 'lfsPointer' | 'missing', number>;
  /** What was passed over, and why. */
  skippedPaths: Array<{ path: string; reason: string; kind: string }>;
  durationMs: number;
}

export interface ScanReport {
  /** 0: everything read, nothing at or above failOn; 1: findings. (2 is a rejection instead.) */
  exitCode: 0 | 1;
  /**
   * Files the scan did not read (over maxFileSize with a rule keyword in them). Non-zero only
   * beside findings (exitCode 1: the CLI says "not read either" on stderr), or with
   * onUnread 'accept'; otherwise the scan rejects with IncompleteScanError.
   */
  unread: { count: number; accepted: boolean; paths: string[] };
  mode: 'worktree' | 'files' | 'staged' | 'history' | 'range';
  findings: Finding[];
  /** Counts of suppressed findings by layer (`inline`, `ignore-file`, `baseline`). */
  suppressed: Record<string, number>;
  stats: ScanStats;
  notes: string[];
}

const OPTION_TYPES: Record<keyof ScanOptions, string> = {
  cwd: 'string',
  mode: 'string',
  range: 'string',
  paths: 'array',
  config: 'string or false',
  maxFileSize: 'number or string',
  onUnread: 'string',
  failOn: 'string',
  baseline: 'string',
  approveSuppressions: 'boolean',
  threads: 'number',
  allowShallow: 'boolean',
  showSecrets: 'boolean',
};

/**
 * Options a JavaScript caller misspelt or mistyped, refused: `{ dir: repo }` scanned the process's
 * working directory instead of `repo`, and `approveSuppressions: 'false'` (a string) approved.
 */
function checkOptions(o: ScanOptions): void {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new UsageError('scan() takes an options object');
  for (const [key, value] of Object.entries(o)) {
    const want = OPTION_TYPES[key as keyof ScanOptions];
    if (want === undefined) throw new UsageError(`unknown option ${JSON.stringify(key)} (known: ${Object.keys(OPTION_TYPES).join(', ')})`);
    if (value === undefined) continue;
    const ok =
      want === 'array' ? Array.isArray(value) && value.every((p) => typeof p === 'string')
      : want === 'string or false' ? typeof value === 'string' || value === false
      : want === 'number or string' ? typeof value === 'number' || typeof value === 'string'
      : typeof value === want;
    if (!ok) throw new UsageError(`option ${key} must be ${want === 'array' ? 'an array of strings' : `a ${want}`}, not ${JSON.stringify(value) ?? typeof value}`);
  }
}

/** The scan command's flags, from the options: the CLI and the library then run the same code. */
function argsOf(o: ScanOptions): Args {
  const mode = o.mode ?? (o.range !== undefined ? 'range' : 'worktree');
  if (mode === 'range' && o.range === undefined) throw new UsageError('mode "range" needs a range (BASE..HEAD)');
  if (mode !== 'range' && o.range !== undefined) throw new UsageError(`a range is for mode "range", not "${mode}"`);
  const args: Args = { _: ['scan'], paths: o.paths ?? [] };
  if (mode === 'staged' || mode === 'history') args[mode] = true;
  else if (mode === 'range') args.range = o.range;
  else if (mode !== 'worktree') throw new UsageError(`unknown mode ${JSON.stringify(mode)} (worktree, staged, history or range)`);
  if (o.config !== undefined) args.config = o.config;
  if (o.maxFileSize !== undefined) args['max-file-size'] = String(o.maxFileSize);
  if (o.onUnread !== undefined) {
    if (o.onUnread !== 'refuse' && o.onUnread !== 'accept') throw new UsageError('onUnread must be refuse or accept');
    args['on-unread'] = o.onUnread;
  }
  if (o.failOn !== undefined) {
    if (!(FAIL_ON as readonly string[]).includes(o.failOn)) throw new UsageError(`failOn must be ${FAIL_ON.slice(0, -1).join(', ')} or ${FAIL_ON.at(-1)}`);
    args['fail-on'] = o.failOn;
  }
  if (o.baseline !== undefined) args.baseline = o.baseline;
  if (o.approveSuppressions) args['approve-suppressions'] = true;
  if (o.allowShallow) args['allow-shallow'] = true;
  if (o.threads !== undefined) args.threads = String(o.threads);
  return args;
}

/** Variables with which git reads another repository, or another index, than the one at `cwd`. */
const LOCATING = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_COMMON_DIR', 'GIT_INDEX_FILE'] as const;

/** What git answers with `env`, or `failed: <its message>`: two answers are compared, never trusted alone. */
async function gitAnswer(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<string> {
  const r = await gitRaw(args, cwd, undefined, env);
  return r.code === 0 ? r.stdout.toString('utf8') : `failed: ${r.stderr.trim()}`;
}

/**
 * The scan's git processes inherit this process's environment, and a long-lived process that runs
 * in a git hook, alias or `rebase --exec` has GIT_DIR or GIT_INDEX_FILE set by git for the
 * repository it started in: `scan({ cwd: other })` then read that repository's history or index
 * and reported it as `other`'s (its own tokens, or none). Refused unless they name `cwd`'s own
 * repository (a hook scanning its repository keeps them: `git commit -a` stages into another index).
 */
async function checkGitEnvironment(cwd: string): Promise<void> {
  const set = LOCATING.filter((k) => process.env[k] !== undefined);
  if (!set.length) return;
  const clean = { ...process.env };
  for (const k of LOCATING) delete clean[k];
  const where = ['rev-parse', '--path-format=absolute', '--git-dir', '--git-common-dir'];
  const top = ['rev-parse', '--show-toplevel'];
  const [dirs, cleanDirs, tree, cleanTree] = await Promise.all([gitAnswer(where, cwd, process.env), gitAnswer(where, cwd, clean), gitAnswer(top, cwd, process.env), gitAnswer(top, cwd, clean)]);
  const refuse = (what: string) =>
    new UsageError(
      `this process's environment sets ${set.join(', ')} (${what}), so the scan would not read the repository at ${cwd}`,
      `git sets these for hooks and aliases. Delete them from process.env before calling scan(), or scan the repository they name.`,
    );
  if (dirs !== cleanDirs || tree !== cleanTree) throw refuse('git would read another repository');
  const index = process.env.GIT_INDEX_FILE;
  if (index !== undefined && !dirs.startsWith('failed:')) {
    const abs = resolve(cwd, index);
    // Below one of the git directories (the index is a file there, never the folder itself).
    const inside = (dir: string) => abs !== dir && isInside(abs, dir);
    if (!dirs.split('\n').filter(Boolean).some(inside)) throw refuse(`the index ${index} is not this repository's`);
  }
}

/** A cwd that is not a folder: git could not start in it, and said git was not installed. */
function checkCwd(cwd: string): void {
  let isDir: boolean;
  try {
    isDir = statSync(cwd).isDirectory();
  } catch (err) {
    throw new UsageError(`cwd ${cwd} cannot be used: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, 'Pass the repository, or a folder in it, as cwd.');
  }
  if (!isDir) throw new UsageError(`cwd ${cwd} is not a folder`, 'Pass the repository, or a folder in it, as cwd.');
}

export async function scan(options: ScanOptions = {}): Promise<ScanReport> {
  try {
    checkOptions(options);
    const args = argsOf(options);
    const cwd = resolve(options.cwd ?? process.cwd());
    checkCwd(cwd);
    await checkGitEnvironment(cwd);
    const { result, exitCode, unread } = await scanRepository(args, { cwd });
    if (exitCode === EXIT.error) {
      const paths = unreadPaths(result);
      throw new IncompleteScanError(
        `${unread.count} file(s) over maxFileSize not read: ${paths.slice(0, 10).join(', ')}${paths.length > 10 ? ', …' : ''}`,
        "Raise maxFileSize, add such paths to the config's ignorePaths, or pass onUnread: 'accept' to accept them unread.",
      );
    }
    // The JSON reporter itself, so the findings are what `--format json` prints, field for field.
    const doc = JSON.parse(await jsonReport(result, { showSecrets: Boolean(options.showSecrets), color: false, verbose: true, quiet: false, toolVersion: toolVersion() })) as Omit<ScanReport, 'exitCode'>;
    return {
      exitCode: exitCode as 0 | 1,
      unread: { count: unread.count, accepted: unread.accepted, paths: unreadPaths(result) },
      mode: doc.mode,
      findings: doc.findings,
      suppressed: doc.suppressed,
      stats: doc.stats,
      notes: doc.notes,
    };
  } catch (err) {
    // As on the CLI's stderr: a message or its hint may echo what it was given (a range, a config
    // key, a remote's name), and that may be a secret.
    if (err instanceof SecretGuardError) {
      err.message = redactSecrets(err.message);
      if (err.hint !== undefined) err.hint = redactSecrets(err.hint);
    }
    throw err;
  }
}
