/** `secret-guard rules`: what the scanner looks for, from the same rule set a scan runs. */
import type { Args, CliContext, CommandResult } from '../cli/context.js';
import { loadConfig } from '../config/load.js';
import { configChoice, resolveScanOptions } from '../scan/options.js';

export async function run(args: Args, ctx: CliContext): Promise<CommandResult> {
  const config = await loadConfig({ cwd: ctx.cwd, ...configChoice(args) });
  const { specs } = resolveScanOptions(args, config);
  if (args.format === 'json') {
    const rows = specs.map((r) => ({ id: r.id, title: r.title, severity: r.severity, description: r.description, fix: r.fix, tags: r.tags ?? [], credential: r.credential ?? null }));
    return { exitCode: 0, stdout: `${JSON.stringify({ version: 1, rules: rows }, null, 2)}\n`, stderr: '' };
  }
  const width = Math.max(...specs.map((r) => r.id.length));
  const lines = specs.map((r) => `${r.id.padEnd(width)}  ${r.severity.padEnd(7)}  ${r.description}`);
  return { exitCode: 0, stdout: `${lines.join('\n')}\n`, stderr: '' };
}
