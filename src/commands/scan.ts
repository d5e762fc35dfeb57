/**
 * `secret-guard scan`: scanRepository (source → detect → suppress, src/scan/repository.ts, which
 * the library's scan() runs too), then the report: the format, the file, what the hook prints.
 */
import type { Args, CliContext, CommandResult } from '../cli/context.js';
import { EXIT, IncompleteScanError, UsageError } from '../errors.js';
import { toolVersion } from '../cli/version.js';
import { scanRepository, type RepositoryScan } from '../scan/repository.js';
import type { ScanModeName } from '../scan/modes.js';
import { unreadLines } from '../scan/unread.js';
import type { ScanResult } from '../scan/result.js';
import { FILE_FORMATS, outputFlag, render, type Format } from '../scan/reporters.js';
import type { ReportOptions } from '../report/types.js';
import { ruleSpecs } from '../scan/ruleset.js';
import { shownPath, shownText } from '../report/shown.js';
import { RefusedWrite, writeOutputFile } from '../report/output-file.js';

async function headSha(cwd: string): Promise<string | undefined> {
  const { gitRaw } = await import('../sources/git.js');
  const r = await gitRaw(['rev-parse', '--verify', '-q', 'HEAD'], cwd);
  return r.code === 0 ? r.stdout.toString('utf8').trim() : undefined;
}

export async function run(args: Args, ctx: CliContext): Promise<CommandResult> {
  const { mode, result, config, failOn, exitCode, unread } = await scanRepository(args, { cwd: ctx.cwd, progress: ctx.progress, stdin: ctx.stdin });
  const extra = FILE_FORMATS.filter((f) => args[outputFlag(f)] !== undefined);
  if (args['write-baseline'] !== undefined) {
    if (extra.length) throw new UsageError(`--write-baseline writes a baseline and no report: drop --${outputFlag(extra[0]!)}`);
    const { writeBaseline } = await import('../suppress/baseline.js');
    const n = writeBaseline(ctx.cwd, String(args['write-baseline']), result.root, result.findings);
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
  const options = async (f: Format, color: boolean): Promise<ReportOptions> => ({
    showSecrets: Boolean(args['show-secrets']),
    color,
    verbose: Boolean(args.verbose),
    quiet: Boolean(args.quiet),
    failOn,
    toolVersion: toolVersion(),
    rules: f === 'sarif' ? ruleSpecs(config) : undefined,
    headSha: f === 'gitlab' ? await headSha(ctx.cwd) : undefined,
  });
  const report = quietHook ? hookNotes : await render(result, format, await options(format, color));
  for (const f of extra) writeReport(ctx.cwd, String(args[outputFlag(f)]), await render(result, f, await options(f, false)), result.root);
  // The hook names each staged file whose content it could not read, however quiet it is
  // otherwise: a commit must not pass over a file in silence (--verbose lists every skip already).
  const hookLines = mode === 'staged' && format === 'text' && !output && !args.verbose;
  const stderr = unreadNotice(result, mode, unread, hookLines, exitCode);
  if (output) {
    writeReport(ctx.cwd, output, report, result.root);
    const { summary } = await import('../report/text.js');
    return { exitCode, stdout: args.quiet ? '' : `${summary(result)}; report written to ${output}\n`, stderr };
  }
  return { exitCode, stdout: report, stderr };
}

function writeReport(cwd: string, file: string, report: string, root: string): void {
  try {
    writeOutputFile(cwd, file, report, root);
  } catch (err) {
    if (err instanceof RefusedWrite) {
      throw new IncompleteScanError(`${shownPath(file)} ${err.why}, so the report was not written there`, 'The scanned repository could point such a link at any file of yours: remove the link, or name a path outside the repository (or one with no link on the way).');
    }
    throw new IncompleteScanError(`could not write the report to ${shownPath(file)} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, 'Check that the folder exists and is writable, and run the scan again.');
  }
}

const RAISE = 'Raise --max-file-size (or maxFileSize in .secret-guard.json), add such paths to ignorePaths, or pass --on-unread accept to accept them unread.';
const ADVICE: Record<ScanModeName, string> = {
  staged: 'Raise maxFileSize or add such paths to ignorePaths in .secret-guard.json.',
  range: "Raise maxFileSize or add such paths to ignorePaths in the base commit's .secret-guard.json (a change never loosens its own check), or run the scan with --on-unread accept.",
  worktree: RAISE,
  history: RAISE,
};

/**
 * stderr: the files not read (over --max-file-size), and why the scan then exits 2 and what to
 * do; the hook also names binaries it passed over. Nothing when every file was read.
 */
function unreadNotice(result: ScanResult, mode: ScanModeName, unread: RepositoryScan['unread'], hookLines: boolean, exitCode: number): string {
  const lines = hookLines ? result.stats.skippedPaths.filter((s) => s.kind === 'binary').map((s) => `secret-guard: not scanned: ${shownPath(s.path)}: ${s.reason}`) : [];
  if (unread.count) {
    const what = mode === 'history' || mode === 'range' ? 'file version' : 'file';
    const n = `${unread.count} ${what}${unread.count === 1 ? '' : 's'}`;
    lines.push(...unreadLines(result, shownPath));
    if (unread.accepted) lines.push(`secret-guard: ${n} over --max-file-size accepted unread (--on-unread accept).`);
    else {
      const verdict = exitCode === EXIT.error ? `, so ${mode === 'staged' ? 'the commit is stopped' : 'the scan does not pass'} (exit 2): a check that cannot read a file cannot vouch for it` : ' either';
      lines.push(`secret-guard: ${n} over --max-file-size not read${verdict}.`);
      lines.push(ADVICE[mode]);
    }
  }
  return lines.map((l) => `${l}\n`).join('');
}
