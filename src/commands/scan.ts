/**
 * `secret-guard scan`: scanRepository (source → detect → suppress, src/scan/repository.ts, which
 * the library's scan() runs too), then the report: the format, the file, what the hook prints.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Args, CliContext, CommandResult } from '../cli/context.js';
import { EXIT, IncompleteScanError } from '../errors.js';
import { toolVersion } from '../cli/version.js';
import { scanRepository } from '../scan/repository.js';
import type { ScanResult } from '../scan/result.js';
import { render, type Format } from '../scan/reporters.js';
import { ruleSpecs } from '../scan/ruleset.js';
import { shownText } from '../report/shown.js';

async function headSha(cwd: string): Promise<string | undefined> {
  const { gitRaw } = await import('../sources/git.js');
  const r = await gitRaw(['rev-parse', '--verify', '-q', 'HEAD'], cwd);
  return r.code === 0 ? r.stdout.toString('utf8').trim() : undefined;
}

export async function run(args: Args, ctx: CliContext): Promise<CommandResult> {
  const { mode, result, config, failOn, exitCode } = await scanRepository(args, { cwd: ctx.cwd, progress: ctx.progress, stdin: ctx.stdin });
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
