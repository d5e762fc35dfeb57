/**
 * One scan of a repository: source → detect → suppress, and the exit code it earns. No
 * formatting and no output: the CLI's `scan` command renders what this returns, and the library's
 * `scan()` (src/index.ts) returns it as data. Both go through here, so they cannot disagree.
 */
import type { Args, CliContext } from '../cli/context.js';
import { EXIT, UsageError } from '../errors.js';
import { loadConfig, type Config, type ConfigOrigin } from '../config/load.js';
import { compileRules, type CompiledRule } from '../core/engine.js';
import { configChoice, resolveScanOptions, threadsOf } from './options.js';
import type { FailOn } from '../core/types.js';
import { failing, sortFindings, withoutConfigExamples } from './passes.js';
import { CountedProgress } from './progress.js';
import type { ScanResult } from './result.js';
import type { GitResult, Repo } from '../sources/git.js';
import type { Range } from '../sources/history-refs.js';
import { chosen, isGate, type ScanModeName } from './modes.js';
import { onUnreadOf, unreadCount } from './unread.js';



export interface SourceContext {
  cwd: string;
  rules: CompiledRule[];
  config: Config;
  maxFileSize: number;
  isIgnoredPath: (path: string) => boolean;
  progress?: (text: string) => void;
  stdin?: CliContext['stdin'];
  /** The repository around `cwd` (null: none), resolved once for the modes that read it from there. */
  repo?: Repo | null;
  /** --threads. */
  threads?: number;
  /** The staged scan's `git diff --cached`, started before config and rules (sources/staged.ts readIndexChanges). */
  indexChanges?: Promise<GitResult>;
}

export interface RepositoryScan {
  mode: ScanModeName;
  result: ScanResult;
  config: Config;
  failOn: FailOn;
  /**
   * EXIT.findings when an unsuppressed finding is at or above failOn; else EXIT.error when a file
   * was not read (over --max-file-size) and not accepted with --on-unread accept; else EXIT.clean.
   */
  exitCode: number;
  /** Files not read (src/scan/unread.ts), and whether the run accepted them. */
  unread: { count: number; accepted: boolean };
}

/**
 * The paths to scan. yargs leaves what follows `--` in `_`, not in the positional; `--` is how a
 * path that starts with `-` is named, and dropping those would scan the whole tree instead.
 */
function pathsOf(args: Args): string[] {
  return [...((args.paths as string[] | undefined) ?? []), ...args._.slice(1).map(String)];
}

function modeOf(args: Args): ScanModeName {
  const mode = chosen(args);
  if (isGate(mode)) throw new UsageError(`--${mode} is a push gate, not a mode of this scan`);
  const paths = pathsOf(args);
  if (mode && paths.length) throw new UsageError(`paths are for the working-tree scan; --${mode} reads git`);
  return mode ?? 'worktree';
}

async function readSource(mode: ScanModeName, args: Args, src: SourceContext, range?: TrustedRange): Promise<ScanResult> {
  switch (mode) {
    case 'worktree': {
      const { scanWorktree } = await import('../sources/worktree.js');
      return scanWorktree({ ...src, paths: pathsOf(args) });
    }
    case 'history':
    case 'range': {
      const { scanHistory } = await import('../sources/history.js');
      const { progress, ...rest } = src;
      const bar = progress ? new CountedProgress(progress, 'commits') : undefined;
      try {
        const root = range?.root ?? rest.repo?.root;
        return await scanHistory({ ...rest, ...(root ? { root } : {}), range: range?.text, resolved: range, allowShallow: Boolean(args['allow-shallow']), onProgress: bar?.report });
      } finally {
        bar?.finish();
      }
    }
    case 'staged': {
      const { scanStaged } = await import('../sources/staged.js');
      return scanStaged(src);
    }
    default:
      throw new UsageError(`--${String(mode)} is not available in this build`);
  }
}

/** A --range resolved before anything is read: its settings come from `base`. */
interface TrustedRange extends Range {
  root: string;
}

async function trustedRange(args: Args, cwd: string): Promise<TrustedRange> {
  const { historyRoot, resolveRange } = await import('../sources/history-refs.js');
  const root = await historyRoot(cwd, '--range');
  return { ...(await resolveRange(cwd, String(args.range))), root };
}

/** `args` are the scan command's flags (the library builds the same from its options). */
export async function scanRepository(args: Args, env: { cwd: string; progress?: (text: string) => void; stdin?: CliContext['stdin'] }): Promise<RepositoryScan> {
  const mode = modeOf(args);
  const threads = threadsOf(args);
  if (args['approve-suppressions'] && mode !== 'range') {
    throw new UsageError('--approve-suppressions is for --range: elsewhere the suppressions are your own checkout\'s, and apply as written');
  }
  const range = mode === 'range' ? await trustedRange(args, env.cwd) : undefined;
  // In a range the change being checked never configures the check: the base commit does.
  const origin: ConfigOrigin = range ? { from: 'commit', root: range.root, commit: range.base, head: range.head } : { from: 'worktree' };
  // The hook's diff of the index does not depend on config: git computes it while config is read
  // and the rules compiled. It is killed if the scan fails before reading it: a git left waiting
  // (on a named pipe a directory planted, say) would outlive the scan.
  const early = new AbortController();
  const indexChanges = mode === 'staged' ? (await import('../sources/staged.js')).readIndexChanges(env.cwd, true, early.signal) : undefined;
  try {
    return await scanResolved(args, env, { mode, range, origin, threads, indexChanges });
  } catch (err) {
    early.abort();
    throw err;
  }
}

/** scanRepository once the mode, the range and what was started ahead are settled. */
async function scanResolved(
  args: Args,
  env: { cwd: string; progress?: (text: string) => void; stdin?: CliContext['stdin'] },
  { mode, range, origin, threads, indexChanges }: { mode: ScanModeName; range?: TrustedRange; origin: ConfigOrigin; threads?: number; indexChanges?: Promise<GitResult> },
): Promise<RepositoryScan> {
  // One `git rev-parse` for the config's search and the source (the pre-commit hook pays for each process).
  const { findRepo, requireRepo } = await import('../sources/git.js');
  const repo =
    mode === 'staged' ? await requireRepo(env.cwd, 'scan --staged') : mode === 'history' ? await requireRepo(env.cwd, '--history') : mode === 'worktree' ? await findRepo(env.cwd) : undefined;
  const config = await loadConfig({ cwd: env.cwd, ...configChoice(args), origin, paths: mode === 'worktree' ? pathsOf(args) : undefined, repo });
  const { maxFileSize, failOn, isIgnoredPath, specs } = resolveScanOptions(args, config);
  const rules = compileRules(specs);
  const result = await readSource(mode, args, { cwd: env.cwd, rules, config, maxFileSize, isIgnoredPath, progress: env.progress, stdin: env.stdin, repo, threads, indexChanges }, range);
  result.notes.unshift(...(config.notes ?? []));
  // The fix sentence fits the moment (commit time, history, a placeholder): one choice for every format.
  await (await import('./moment.js')).fitFixes(result, new Map(rules.map((r) => [r.id, r.spec])));
  result.findings = withoutConfigExamples(result.findings, config);
  sortFindings(result.findings);
  const { applySuppressions } = await import('../suppress/apply.js');
  const baseline = args.baseline === undefined ? undefined : { file: String(args.baseline), cwd: env.cwd };
  await applySuppressions(
    result,
    range ? { from: 'range', sides: range, baseline, approved: Boolean(args['approve-suppressions']) } : { from: 'checkout', ignoreFileDir: result.root, baseline },
  );
  const unread = { count: unreadCount(result), accepted: onUnreadOf(args) === 'accept' };
  const exitCode = failing(result.findings, failOn).length ? EXIT.findings : unread.count && !unread.accepted ? EXIT.error : EXIT.clean;
  return { mode, result, config, failOn, exitCode, unread };
}
