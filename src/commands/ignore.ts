/** `secret-guard ignore <fingerprint>`: appends to .secret-guard-ignore at the repository root. */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Args, CliContext, CommandResult } from '../cli/context.js';
import { UsageError } from '../errors.js';
import { findRepo } from '../sources/git.js';
import { FINGERPRINT, IGNORE_FILE, readIgnoreFile } from '../suppress/ignore-file.js';

export async function run(args: Args, ctx: CliContext): Promise<CommandResult> {
  const fp = String(args.fingerprint ?? '').trim().toLowerCase();
  if (!FINGERPRINT.test(fp)) throw new UsageError(`\`${fp.slice(0, 40)}\` is not a fingerprint: 32 hex characters, as in the "fingerprint" field of --format json`);
  const repo = await findRepo(ctx.cwd);
  const root = repo && !repo.bare ? repo.root : ctx.cwd;
  const file = join(root, IGNORE_FILE);
  if (readIgnoreFile(root).has(fp)) return { exitCode: 0, stdout: `${fp} is already in ${IGNORE_FILE}\n`, stderr: '' };
  const reason = typeof args.reason === 'string' && args.reason.trim() ? `  # ${args.reason.trim().replace(/[\r\n]+/g, ' ')}` : '';
  const needsNewline = existsSync(file) && !/\n$/.test(readFileSync(file, 'utf8')) && readFileSync(file, 'utf8') !== '';
  appendFileSync(file, `${needsNewline ? '\n' : ''}${fp}${reason}\n`);
  return { exitCode: 0, stdout: `added ${fp} to ${IGNORE_FILE}\n`, stderr: '' };
}
