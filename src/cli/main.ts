import { isatty } from 'node:tty';
import type { CliContext, StdinReader } from './context.js';
import { run } from './run.js';
import { EXIT } from '../errors.js';

/** Read only when a command asks (`scan -`): touching process.stdin earlier would open it for every run. */
const stdin: StdinReader = {
  isTTY: () => isatty(0),
  read: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  },
};

/** The process boundary: argv and environment in, streams and exit code out. */
export async function main(): Promise<void> {
  const ctx: CliContext = {
    cwd: process.cwd(),
    env: process.env,
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    progress: process.stderr.isTTY ? (text) => process.stderr.write(text) : undefined,
    stdin,
  };
  const result = await run(process.argv.slice(2), ctx);
  // Written through before any exit below: on macOS a pipe is written asynchronously, and
  // process.exit would cut a report short.
  await Promise.all([written(process.stdout, result.stdout), written(process.stderr, result.stderr)]);
  process.exitCode = result.exitCode;
  // Abandoned git processes would keep Node alive past the budget the caller set. So would, after
  // a failure, a git started early (scan --staged starts its diff before finding the repository)
  // that is still blocked on something the directory planted, such as a named pipe it opened.
  if (result.abandoned || result.exitCode === EXIT.error) process.exit(result.exitCode);
}

/** Resolves once `text` has been handed to the stream's file (at once when there is none). */
function written(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve) => (text ? stream.write(text, () => resolve()) : resolve()));
}
