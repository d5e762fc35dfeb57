import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runInProcessSync } from './in-process.js';

export const BIN = fileURLToPath(new URL('../../bin/secret-guard.js', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** SG_TEST_BIN=1: every call through bin/, as a separate node process (the slow, whole way). */
export const ALL_THROUGH_BIN = /^(1|true|yes)$/i.test(process.env.SG_TEST_BIN ?? '');

/** The environment a run sees: the test process's, no colour, git without the machine's config. */
export function cliEnv(env: Record<string, string> = {}): Record<string, string | undefined> {
  return { ...process.env, NO_COLOR: '1', GIT_CONFIG_NOSYSTEM: '1', ...env };
}

/** Whether a call needs a process of its own: NODE_OPTIONS configures node itself. */
export function needsProcess(env: Record<string, string> = {}): boolean {
  return ALL_THROUGH_BIN || 'NODE_OPTIONS' in env;
}

/**
 * Runs the CLI as bin/ would, blocking until it is done: in-process (helpers/in-process.ts) with
 * bin/'s arguments, directory, environment and standard input, or through bin/ when the call
 * configures node or SG_TEST_BIN=1. Tests about the process boundary itself use cliBin().
 */
export function cli(args: string[], cwd: string, env: Record<string, string> = {}, input?: string): CliRun {
  if (needsProcess(env)) return cliBin(args, cwd, env, input);
  return runInProcessSync({ args, cwd, env: cliEnv(env), input });
}

/** Runs the real CLI as a user would: a separate node process through bin/. */
export function cliBin(args: string[], cwd: string, env: Record<string, string> = {}, input?: string): CliRun {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    env: cliEnv(env),
    encoding: 'utf8',
    input,
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
