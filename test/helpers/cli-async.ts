/**
 * The real CLI through bin/, like helpers/cli.ts, but without blocking, so a test can run many
 * invocations side by side; and with the few process-level knobs the hardening tests need: a
 * different PATH (no git), a wrapper command (dropped capabilities), another copy of bin/.
 */
import { execFile } from 'node:child_process';
import { BIN, type CliRun } from './cli.js';

export interface AsyncRunOptions {
  env?: Record<string, string>;
  /** Run `[...wrap, node, bin, ...args]` instead of `[node, bin, ...args]`. */
  wrap?: string[];
  bin?: string;
  /** Node itself, when PATH is replaced: defaults to the running one. */
  node?: string;
  timeoutMs?: number;
}

export function cliAsync(args: string[], cwd: string, opts: AsyncRunOptions = {}): Promise<CliRun> {
  const argv = [opts.node ?? process.execPath, opts.bin ?? BIN, ...args];
  const [cmd, ...rest] = opts.wrap?.length ? [...opts.wrap, ...argv] : argv;
  return new Promise((resolve) => {
    execFile(
      cmd!,
      rest,
      {
        cwd,
        env: { ...process.env, NO_COLOR: '1', GIT_CONFIG_NOSYSTEM: '1', ...opts.env },
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
        timeout: opts.timeoutMs ?? 0,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
