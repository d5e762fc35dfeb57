/**
 * remediate prints its next commands as numbered steps, each command indented five spaces under
 * its step's title. The tests run them exactly as printed, as a user pasting them would.
 */
import { spawnSync } from 'node:child_process';
import { BIN } from './cli.js';

/** The commands printed under the step whose title starts with `title`; null when there is no such step. */
export function stepCommands(stdout: string, title: string): string[] | null {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => /^\d+\. /.test(l) && l.replace(/^\d+\. /, '').startsWith(title));
  if (start < 0) return null;
  const out: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (l === '' || /^\d+\. /.test(l)) break;
    if (l.startsWith('     ')) out.push(l.slice(5));
  }
  return out;
}

/** Runs printed commands in bash, with `secret-guard` being this build. */
export function runPrinted(cwd: string, commands: string[]): { code: number; out: string } {
  const script = [`secret-guard() { ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} "$@"; }`, ...commands].join('\n');
  const r = spawnSync('bash', ['-c', script], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', GIT_CONFIG_NOSYSTEM: '1' }, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}
