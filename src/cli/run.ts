/**
 * `run(argv, ctx)` → `{exitCode, stdout, stderr}`. Only bin/ touches the process. Every error
 * becomes exit 2 here, in one place; a crash can never look like a clean scan.
 */
import { fastParse } from './argv.js';
import type { CliContext, CommandResult } from './context.js';
import { describeError, EXIT, redactSecrets } from '../errors.js';
import type { Parsed } from './parse.js';

/** The fast path when it is sure, yargs otherwise (loaded only then: it is the slowest import). */
async function parse(argv: string[]): Promise<Parsed> {
  const fast = fastParse(argv);
  if (fast) return { ...fast, output: '' };
  return (await import('./parse.js')).parseWithYargs(argv);
}

export async function run(argv: string[], ctx: CliContext): Promise<CommandResult> {
  try {
    const { spec, args, output, error } = await parse(argv);
    if (error) {
      return { exitCode: EXIT.error, stdout: '', stderr: redactSecrets(`${output ? `${output}\n\n` : ''}secret-guard: ${error.message}\nRun \`secret-guard --help\` for usage.\n`) };
    }
    if (!spec || !args) {
      // --help or --version: yargs produced the text.
      return { exitCode: EXIT.clean, stdout: output ? `${output}\n` : '', stderr: '' };
    }
    const mod = await spec.load(args);
    return await mod.run(args, ctx);
  } catch (err) {
    return { exitCode: EXIT.error, stdout: '', stderr: describeError(err) };
  }
}
