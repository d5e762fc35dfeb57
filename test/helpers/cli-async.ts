/**
 * The CLI like helpers/cli.ts, but without blocking, so a test can run many invocations side by
 * side: in-process (helpers/in-process.ts) unless a call needs a process, and through bin/ with the
 * few process-level knobs the hardening tests need: a wrapper command (dropped capabilities),
 * another copy of bin/ or node. A time limit (a bound on a scan that could wait forever on a pipe
 * or a hostile pattern, never a timing assertion) kills the host in-process, as it kills bin/'s
 * process: the scan that might hang is the same run() either way. cliAsyncBin() always uses bin/.
 */
import { execFile } from 'node:child_process';
import { BIN, cliEnv, needsProcess, type CliRun } from './cli.js';
import { runInProcess } from './in-process.js';

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
  const processOnly = opts.wrap?.length || opts.bin || opts.node;
  if (processOnly || needsProcess(opts.env)) return cliAsyncBin(args, cwd, opts);
  return runInProcess({ args, cwd, env: cliEnv(opts.env) }, opts.timeoutMs);
}

/** Through bin/, as a separate node process, whatever the options. */
export function cliAsyncBin(args: string[], cwd: string, opts: AsyncRunOptions = {}): Promise<CliRun> {
  const argv = [opts.node ?? process.execPath, opts.bin ?? BIN, ...args];
  const [cmd, ...rest] = opts.wrap?.length ? [...opts.wrap, ...argv] : argv;
  return new Promise((resolve) => {
    execFile(
      cmd!,
      rest,
      {
        cwd,
        env: cliEnv(opts.env),
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
