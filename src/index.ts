/**
 * The library: `import { scan } from 'secret-guard'`. It runs the CLI's own scan
 * (scanRepository, the code behind `secret-guard scan`) and returns the JSON report's findings as
 * data: redacted unless `showSecrets`, in the shape `--format json` prints. It never prints and
 * never exits; a scan that could not read everything rejects with one of the typed errors below
 * (each `exitCode` 2, as the CLI would exit).
 */
import type { Args } from './cli/context.js';
import { FAIL_ON, type FailOn, type Severity } from './core/types.js';
import { EXIT, IncompleteScanError, redactSecrets, SecretGuardError, UsageError } from './errors.js';
import { toolVersion } from './cli/version.js';
import { jsonReport } from './report/json.js';
import { scanRepository } from './scan/repository.js';
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
  mode: 'worktree' | 'files' | 'staged' | 'history' | 'range';
  findings: Finding[];
  /** Counts of suppressed findings by layer (`inline`, `ignore-file`, `baseline`). */
  suppressed: Record<string, number>;
  stats: ScanStats;
  notes: string[];
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

export async function scan(options: ScanOptions = {}): Promise<ScanReport> {
  try {
    const cwd = options.cwd ?? process.cwd();
    const { result, exitCode, unread } = await scanRepository(argsOf(options), { cwd });
    if (exitCode === EXIT.error) {
      const paths = unreadPaths(result);
      throw new IncompleteScanError(
        `${unread.count} file(s) over maxFileSize not read: ${paths.slice(0, 10).join(', ')}${paths.length > 10 ? ', …' : ''}`,
        "Raise maxFileSize, add such paths to the config's ignorePaths, or pass onUnread: 'accept' to accept them unread.",
      );
    }
    // The JSON reporter itself, so the findings are what `--format json` prints, field for field.
    const doc = JSON.parse(await jsonReport(result, { showSecrets: Boolean(options.showSecrets), color: false, verbose: true, quiet: false, toolVersion: toolVersion() })) as Omit<ScanReport, 'exitCode'>;
    return { exitCode: exitCode as 0 | 1, mode: doc.mode, findings: doc.findings, suppressed: doc.suppressed, stats: doc.stats, notes: doc.notes };
  } catch (err) {
    // As on the CLI's stderr: a message may echo what it was given (a range, a config key), and
    // that may be a secret.
    if (err instanceof SecretGuardError) err.message = redactSecrets(err.message);
    throw err;
  }
}
