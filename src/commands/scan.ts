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
import { CONFIG_NAMES, loadConfig, type Config } from '../config/load.js';
import { parseSize } from '../config/size.js';
import type { CompiledRule } from '../core/engine.js';
import { failing, sortFindings, type FailOn } from '../scan/passes.js';
import type { ScanResult } from '../scan/result.js';
import { ruleSpecs, ruleset } from '../scan/ruleset.js';
import type { Format, ReportOptions } from '../report/types.js';

export const DEFAULT_MAX_FILE_SIZE = 5_000_000;

export interface SourceContext {
  cwd: string;
  rules: CompiledRule[];
  config: Config;
  maxFileSize: number;
  isIgnoredPath: (path: string) => boolean;
  progress?: (text: string) => void;
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

async function readSource(mode: ReturnType<typeof modeOf>, args: Args, src: SourceContext): Promise<ScanResult> {
  switch (mode) {
    case 'worktree': {
      const { scanWorktree } = await import('../sources/worktree.js');
      return scanWorktree({ ...src, paths: pathsOf(args) });
    }
    case 'history':
    case 'range': {
      const { scanHistory } = await import('../sources/history.js');
      const range = mode === 'range' ? String(args.range) : undefined;
      return scanHistory({ ...src, range, allowShallow: Boolean(args['allow-shallow']) });
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
async function suppress(result: ScanResult, args: Args, cwd: string): Promise<void> {
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

/** The config's ignorePaths, and config files themselves (also used by remediate). */
export function ignoredPaths(config: Config): (path: string) => boolean {
  const byGlob = config.ignorePaths.length ? picomatch(config.ignorePaths, { dot: true }) : () => false;
  // Our own config holds custom rules' examples, which match those rules by design.
  return (p: string) => CONFIG_NAMES.includes(p.slice(p.lastIndexOf('/') + 1)) || byGlob(p);
}

export async function run(args: Args, ctx: CliContext): Promise<CommandResult> {
  if (args['pre-receive'] || args['pre-push'] || args['commit-msg'] !== undefined || args.timeout !== undefined || args['on-timeout'] !== undefined) {
    const { gateOf, runGate } = await import('./push-gate.js');
    return runGate(gateOf(args), args, ctx);
  }
  const mode = modeOf(args);
  const config = await loadConfig({ cwd: ctx.cwd, file: args.config as string | undefined, noConfig: args.config === false || Boolean(args['no-config']) });
  const maxFileSize = maxFileSizeOf(args, config);
  const failOn = ((args['fail-on'] as FailOn | undefined) ?? config.failOn ?? 'error') as FailOn;
  const ignore = ignoredPaths(config);
  const rules = ruleset(config);
  const result = await readSource(mode, args, { cwd: ctx.cwd, rules, config, maxFileSize, isIgnoredPath: ignore, progress: ctx.progress });
  sortFindings(result.findings);
  await suppress(result, args, ctx.cwd);
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
  const hookNotes = args.quiet ? '' : result.notes.map((n) => `${n}\n`).join('');
  const report = quietHook ? hookNotes : await render(result, format, {
    showSecrets: Boolean(args['show-secrets']),
    color,
    verbose: Boolean(args.verbose),
    quiet: Boolean(args.quiet),
    toolVersion: toolVersion(),
    rules: format === 'sarif' ? ruleSpecs(config) : undefined,
    headSha: format === 'gitlab' ? await headSha(ctx.cwd) : undefined,
  });
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
  return { exitCode, stdout: report, stderr: '' };
}
