/**
 * The full command-line parser: yargs, built from the command table. Loaded only when the fast
 * path in argv.ts declines (help, errors, anything unusual), because importing yargs alone costs
 * about as much as starting Node.
 */
import yargs, { type Argv } from 'yargs';
import type { Args } from './context.js';
import { UsageError } from '../errors.js';
import { toolVersion } from './version.js';
import { COMMANDS, type CommandSpec } from './table.js';

export interface Parsed {
  spec?: CommandSpec;
  args?: Args;
  /** Help or version text, or the usage shown with an error. */
  output: string;
  error?: Error;
}

/**
 * yargs drops a lone `-` (standard input: `scan -`) from the arguments. Moved behind `--`, where
 * yargs keeps every word, it reaches the paths; a `-` that is an option's value stays put.
 */
function keepDash(argv: string[]): string[] {
  const spec = COMMANDS.find((c) => c.name === argv[0]);
  const end = argv.indexOf('--');
  const head = end === -1 ? argv : argv.slice(0, end);
  if (!spec || !head.includes('-')) return argv;
  const options = Object.entries(spec.options);
  const takesValue = (tok: string | undefined) => {
    if (!tok || !tok.startsWith('-') || tok.includes('=')) return false;
    const name = tok.replace(/^--?/, '');
    const opt = options.find(([n, o]) => n === name || o.alias === name)?.[1];
    return opt !== undefined && opt.type !== 'boolean';
  };
  const kept: string[] = [];
  const dashes: string[] = [];
  head.forEach((tok, i) => (tok === '-' && !takesValue(head[i - 1]) ? dashes : kept).push(tok));
  return [...kept, '--', ...dashes, ...(end === -1 ? [] : argv.slice(end + 1))];
}

export function parseWithYargs(argv: string[]): Parsed {
  let chosen: { spec: CommandSpec; args: Args } | undefined;
  let y: Argv = yargs()
    .scriptName('secret-guard')
    .usage('Usage: $0 <command> [options]')
    .exitProcess(false)
    .strict()
    .recommendCommands()
    .help()
    .alias('h', 'help')
    .version(toolVersion())
    .wrap(100)
    .demandCommand(1, 'Name a command: scan, rules, install, remediate or ignore.')
    .epilogue('Exit codes: 0 nothing at or above --fail-on, 1 findings, 2 usage or runtime error (the scan did not complete).')
    .fail((msg, err) => {
      // recommendCommands says only "Did you mean scan?": name what was typed too.
      const suggested = /^Did you mean (\S+)\?$/.exec(msg ?? '');
      if (!err && suggested) throw new UsageError(`unknown command \`${argv[0] ?? ''}\`: did you mean \`${suggested[1]}\`?`);
      throw err ?? new UsageError(msg);
    });
  for (const spec of COMMANDS) {
    y = y.command(
      spec.usage,
      spec.describe,
      (b) => {
        // The version belongs to the tool, shown in the top-level help only.
        let c = b.version(false);
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
    y.parse(keepDash(argv), {}, (err, _argv, out) => {
      if (err) error = err;
      output = out ?? '';
    });
  } catch (err) {
    error = err as Error;
  }
  return { ...chosen, output, error };
}
