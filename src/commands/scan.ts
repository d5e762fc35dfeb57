/**
 * `secret-guard scan`: source → detect → suppress → report. The sources differ by mode; the
 * engine, the rules, the suppression layers, the formats and the exit codes are the same.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import picomatch from 'picomatch';
import type { Args, CliContext, CommandResult } from '../cli/context.js';
import { EXIT, IncompleteScanError, UsageError } from '../cli/errors.js';
import { toolVersion } from '../cli/run.js';
import { loadConfig, type Config, type ConfigOrigin } from '../config/load.js';
import { parseSize } from '../config/size.js';
import type { CompiledRule } from '../core/engine.js';
import { failing, sortFindings, type FailOn } from '../scan/passes.js';
import type { ScanResult } from '../scan/result.js';
import { ruleSpecs, ruleset } from '../scan/ruleset.js';
import type { Format, ReportOptions } from '../report/types.js';
import { shownText } from '../report/shown.js';

export const DEFAULT_MAX_FILE_SIZE = 5_000_000;

export interface SourceContext {
  cwd: string;
  rules: CompiledRule[];
  config: Config;
  maxFileSize: number;
  isIgnoredPath: (path: string) => boolean;
  progress?: (text: string) => void;
  stdin?: CliContext['stdin'];
}

/**
 * The paths to scan. yargs leaves what follows `--` in `_`, not in the positional; `--` is how a
 * path that starts with `-` is named, and dropping those would scan the whole tree instead.
 */
function pathsOf(args: Args): string[] {
  return [...((args.paths as string[] | undefined) ?? []), ...args._.slice(1).map(String)];
}

function modeOf(args: Args): 'worktree' | 'staged' | 'history' | 'range' {
  const modes = (['staged', 'history', 'range'] as const).filter((m) => args[m] !== undefined && args[m] !== false);
  if (modes.length > 1) throw new UsageError(`choose one of --staged, --history, --range (got ${modes.map((m) => `--${m}`).join(' and ')})`);
  const paths = pathsOf(args);
  if (modes.length === 1 && paths.length) throw new UsageError(`paths are for the working-tree scan; --${modes[0]} reads git`);
  return modes[0] ?? 'worktree';
}

async function readSource(mode: ReturnType<typeof modeOf>, args: Args, src: SourceContext, range?: TrustedRange): Promise<ScanResult> {
  switch (mode) {
    case 'worktree': {
      const { scanWorktree } = await import('../sources/worktree.js');
      return scanWorktree({ ...src, paths: pathsOf(args) });
    }
    case 'history':
    case 'range': {
      const { scanHistory } = await import('../sources/history.js');
      return scanHistory({ ...src, range: range?.text, allowShallow: Boolean(args['allow-shallow']) });
    }
    case 'staged': {
      const { scanStaged } = await import('../sources/staged.js');
      return scanStaged(src);
    }
    default:
      throw new UsageError(`--${mode} is not available in this build`);
  }
}

export async function render(result: ScanResult, format: Format, opts: ReportOptions): Promise<string> {
  switch (format) {
    case 'json':
      return (await import('../report/json.js')).jsonReport(result, opts);
    case 'text':
      return (await import('../report/text.js')).textReport(result, opts);
    case 'sarif':
      return (await import('../report/sarif.js')).sarifReport(result, opts);
    case 'github':
      return (await import('../report/github.js')).githubReport(result, opts);
    case 'gitlab':
      return (await import('../report/gitlab.js')).gitlabReport(result, opts);
    default:
      throw new UsageError(`unknown format ${String(format)}`);
  }
}

/** The layers after the core's inline pass: the ignore file, then the baseline. */
async function suppress(result: ScanResult, args: Args, cwd: string, range?: TrustedRange): Promise<void> {
  if (range) {
    const { markRange, readRangeSuppressions } = await import('../suppress/range.js');
    const baseline = args.baseline === undefined ? undefined : { file: String(args.baseline), cwd };
    markRange(result.findings, await readRangeSuppressions(range, baseline), Boolean(args['approve-suppressions']));
    const pending = result.findings.filter((f) => f.suppressedByChange && !f.suppressedBy).length;
    if (pending) {
      result.notes.push(
        `${pending} finding(s) would be hidden by a suppression this change adds; such a suppression takes effect once it is on the base branch, or when a reviewer approves it (the job passes --approve-suppressions)`,
      );
    }
    return;
  }
  const { markSuppressed } = await import('../suppress/apply.js');
  const { readIgnoreFile } = await import('../suppress/ignore-file.js');
  markSuppressed(result.findings, readIgnoreFile(result.root), 'ignore-file');
  if (args.baseline !== undefined) {
    const { readBaseline } = await import('../suppress/baseline.js');
    markSuppressed(result.findings, readBaseline(resolve(cwd, String(args.baseline))), 'baseline');
  }
}

async function headSha(cwd: string): Promise<string | undefined> {
  const { gitRaw } = await import('../sources/git.js');
  const r = await gitRaw(['rev-parse', '--verify', '-q', 'HEAD'], cwd);
  return r.code === 0 ? r.stdout.toString('utf8').trim() : undefined;
}

/** --max-file-size, else the config's maxFileSize, else 5 MB (also used by remediate). */
export function maxFileSizeOf(args: Args, config: Config): number {
  if (args['max-file-size'] === undefined) return config.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const n = parseSize(args['max-file-size'] as string);
  if (n === null) throw new UsageError(`--max-file-size ${String(args['max-file-size'])} is not a size (try 5MB or 2000000)`);
  return n;
}

/**
 * The config's ignorePaths, and the active config file itself, by its own path only (also used by
 * remediate): another file that shares its name (`deploy/.secret-guard.yml`) is scanned like any.
 */
export function ignoredPaths(config: Config): (path: string) => boolean {
  const byGlob = config.ignorePaths.length ? picomatch(config.ignorePaths, { dot: true }) : () => false;
  // Our own config holds custom rules' examples, which match those rules by design.
  const own = config.repoPath;
  return (p: string) => p === own || byGlob(p);
}

/** A --range resolved before anything is read: its settings come from `base`. */
interface TrustedRange {
  root: string;
  base: string;
  head: string;
  text: string;
}

async function trustedRange(args: Args, cwd: string): Promise<TrustedRange> {
  const { historyRoot, resolveRange } = await import('../sources/history-refs.js');
  const root = await historyRoot(cwd, '--range');
  return { ...(await resolveRange(cwd, String(args.range))), root };
}

export async function run(args: Args, ctx: CliContext): Promise<CommandResult> {
  if (args['pre-receive'] || args['pre-push'] || args['commit-msg'] !== undefined || args.timeout !== undefined || args['on-timeout'] !== undefined) {
    const { gateOf, runGate } = await import('./push-gate.js');
    return runGate(gateOf(args), args, ctx);
  }
  const mode = modeOf(args);
  if (args['approve-suppressions'] && mode !== 'range') {
    throw new UsageError('--approve-suppressions is for --range: elsewhere the suppressions are your own checkout\'s, and apply as written');
  }
  const range = mode === 'range' ? await trustedRange(args, ctx.cwd) : undefined;
  // In a range the change being checked never configures the check: the base commit does.
  const origin: ConfigOrigin = range ? { from: 'commit', root: range.root, commit: range.base, head: range.head } : { from: 'worktree' };
  const config = await loadConfig({ cwd: ctx.cwd, file: args.config as string | undefined, noConfig: args.config === false || Boolean(args['no-config']), origin });
  const maxFileSize = maxFileSizeOf(args, config);
  const failOn = ((args['fail-on'] as FailOn | undefined) ?? config.failOn ?? 'error') as FailOn;
  const ignore = ignoredPaths(config);
  const rules = ruleset(config);
  const result = await readSource(mode, args, { cwd: ctx.cwd, rules, config, maxFileSize, isIgnoredPath: ignore, progress: ctx.progress, stdin: ctx.stdin }, range);
  result.notes.unshift(...(config.notes ?? []));
  await (await import('../report/moment.js')).fitFixes(result, new Map(rules.map((r) => [r.id, r.spec])));
  if (config.commitPath !== undefined) {
    const custom = new Set(config.rules.map((r) => r.id));
    result.findings = result.findings.filter((f) => f.path !== config.commitPath || !custom.has(f.ruleId));
  }
  sortFindings(result.findings);
  await suppress(result, args, ctx.cwd, range);
  if (args['write-baseline'] !== undefined) {
    const { writeBaseline } = await import('../suppress/baseline.js');
    const file = resolve(ctx.cwd, String(args['write-baseline']));
    const n = writeBaseline(file, result.findings);
    return { exitCode: EXIT.clean, stdout: `wrote ${n} finding(s) to baseline ${String(args['write-baseline'])}\n`, stderr: '' };
  }

  const format = (args.format as Format | undefined) ?? 'text';
  const output = args.output as string | undefined;
  const color = output ? false : ((args.color as boolean | undefined) ?? (ctx.stdoutIsTTY && !ctx.env.NO_COLOR));
  // The pre-commit hook adds nothing to the commit's output unless it has something to say: a
  // finding, or that it read nothing (nothing staged).
  const quietHook = mode === 'staged' && format === 'text' && !output && !args.verbose && result.findings.every((f) => f.suppressedBy);
  // An empty commit (`git commit --allow-empty`) is clean, not news: --verbose and JSON still say it.
  const hookNotes = args.quiet ? '' : result.notes.filter((n) => n !== 'nothing to scan: nothing is staged').map((n) => `${shownText(n, Boolean(args['show-secrets']))}\n`).join('');
  const report = quietHook ? hookNotes : await render(result, format, {
    showSecrets: Boolean(args['show-secrets']),
    color,
    verbose: Boolean(args.verbose),
    quiet: Boolean(args.quiet),
    failOn,
    toolVersion: toolVersion(),
    rules: format === 'sarif' ? ruleSpecs(config) : undefined,
    headSha: format === 'gitlab' ? await headSha(ctx.cwd) : undefined,
  });
  // The hook names each staged file whose content it could not read, however quiet it is
  // otherwise: a commit must not pass over a file in silence (--verbose lists every skip already).
  const unread = mode === 'staged' && format === 'text' && !output && !args.verbose ? await unreadLines(result) : '';
  const failed = failing(result.findings, failOn);
  const exitCode = failed.length ? EXIT.findings : EXIT.clean;
  if (output) {
    try {
      writeFileSync(resolve(ctx.cwd, output), report);
    } catch (err) {
      throw new IncompleteScanError(`could not write the report to ${output} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, 'Check that the folder exists and is writable, and run the scan again.');
    }
    const { summary } = await import('../report/text.js');
    return { exitCode, stdout: args.quiet ? '' : `${summary(result)}; report written to ${output}\n`, stderr: '' };
  }
  return { exitCode, stdout: report, stderr: unread };
}

async function unreadLines(result: ScanResult): Promise<string> {
  const { shownPath } = await import('../report/shown.js');
  const unread = result.stats.skippedPaths.filter((s) => s.kind === 'binary' || s.kind === 'tooLarge');
  return unread.map((s) => `secret-guard: not scanned: ${shownPath(s.path)}: ${s.reason}\n`).join('');
}
