/**
 * What the installed git filter-repo can do. Its `--version` prints a commit hash (Debian's 2.38
 * says `ae71fad1d03f`), not a release number, so the flags are read from its own help text:
 * `--sensitive-data-removal` (2.47+) is used only where the help lists it.
 */
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';

export interface FilterRepo {
  installed: boolean;
  sensitiveDataRemoval: boolean;
}

export function parseFilterRepoHelp(help: string): FilterRepo {
  const installed = /--replace-text\b/.test(help);
  return { installed, sensitiveDataRemoval: installed && /--sensitive-data-removal\b/.test(help) };
}

/** Runs `git filter-repo -h` outside any repository: it only prints help, and this repository stays untouched. */
export function detectFilterRepo(): Promise<FilterRepo> {
  return new Promise((resolve) => {
    const child = spawn('git', ['filter-repo', '-h'], { cwd: tmpdir(), stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.resume();
    child.on('error', () => resolve({ installed: false, sensitiveDataRemoval: false }));
    child.on('close', () => resolve(parseFilterRepoHelp(Buffer.concat(out).toString('utf8'))));
  });
}
