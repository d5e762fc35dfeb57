/**
 * `run(argv, ctx)` → `{exitCode, stdout, stderr}`. Only bin/ touches the process. Every error
 * becomes exit 2 here, in one place; a crash can never look like a clean scan.
 */
import { readFileSync } from 'node:fs';
import yargs, { type Argv } from 'yargs';
import type { Args, CliContext, CommandResult } from './context.js';
import { describeError, EXIT, UsageError } from './errors.js';
import { COMMANDS, type CommandSpec } from './table.js';

export function toolVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

function parse(argv: string[]): { spec?: CommandSpec; args?: Args; output: string; error?: Error } {
  let chosen: { spec: CommandSpec; args: Args } | undefined;
  let y: Argv = yargs()
    .scriptName('secret-guard')
    .usage('Usage: $0 <command> [options]')
    .exitProcess(false)
    .strict()
    .help()
    .alias('h', 'help')
    .version(toolVersion())
    .wrap(100)
    .demandCommand(1, 'Name a command: scan, rules, install, remediate or ignore.')
    .epilogue('Exit codes: 0 nothing at or above --fail-on, 1 findings, 2 usage or runtime error (the scan did not complete).')
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    });
  for (const spec of COMMANDS) {
    y = y.command(
      spec.usage,
      spec.describe,
      (b) => {
        let c = b;
        for (const [name, opt] of Object.entries(spec.positional ?? {})) c = c.positional(name, opt);
        c = c.options(spec.options);
        for (const [cmd, what] of spec.examples ?? []) c = c.example(cmd, what);
        return c;
      },
      (args) => {
        chosen = { spec, args: args as Args };
      },
    );
  }
  let output = '';
  let error: Error | undefined;
  try {
    y.parse(argv, {}, (err, _argv, out) => {
      if (err) error = err;
      output = out ?? '';
    });
  } catch (err) {
    error = err as Error;
  }
  return { ...chosen, output, error };
}

export async function run(argv: string[], ctx: CliContext): Promise<CommandResult> {
  try {
    const { spec, args, output, error } = parse(argv);
    if (error) {
      const msg = error instanceof UsageError ? error.message : error.message;
      return { exitCode: EXIT.error, stdout: '', stderr: `${output ? `${output}\n\n` : ''}secret-guard: ${msg}\nRun \`secret-guard --help\` for usage.\n` };
    }
    if (!spec || !args) {
      // --help or --version: yargs produced the text.
      return { exitCode: EXIT.clean, stdout: output ? `${output}\n` : '', stderr: '' };
    }
    const mod = await spec.load();
    return await mod.run(args, ctx);
  } catch (err) {
    return { exitCode: EXIT.error, stdout: '', stderr: describeError(err) };
  }
}
