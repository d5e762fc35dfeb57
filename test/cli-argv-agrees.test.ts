/**
 * The hook's fast command-line parser (src/cli/argv.ts) and yargs (src/cli/parse.ts) must read
 * every command line the fast path accepts the same way: it exists only because importing yargs
 * makes `scan --staged` about 1.7x slower (README: Dependencies). Each line below is parsed by
 * both; where the fast path declines, yargs alone decides, so only agreement is checked.
 */
import { describe, expect, it } from 'vitest';
import { fastParse } from '../src/cli/argv.js';
import { parseWithYargs } from '../src/cli/parse.js';
import type { Args } from '../src/cli/context.js';

const LINES: string[][] = [
  ['scan'],
  ['scan', '--staged'],
  ['scan', '--staged', '--quiet'],
  ['scan', '--staged', '-q'],
  ['scan', '--history', '--format', 'json'],
  ['scan', '--history', '--format=sarif', '-o', 'out.sarif'],
  ['scan', '--range', 'main..HEAD', '--fail-on', 'warning'],
  ['scan', '--range=origin/main..HEAD', '--approve-suppressions'],
  ['scan', 'src', 'config/mail.env'],
  ['scan', '.', '--verbose', '--max-file-size', '2MB'],
  ['scan', '--no-config'],
  ['scan', '--config', 'ci/secret-guard.json', '--staged'],
  ['scan', '--show-secrets', '--color'],
  ['scan', '--no-color'],
  ['scan', '--baseline', '.secret-guard-baseline.json'],
  ['scan', '--allow-shallow', '--history'],
  ['scan', '--pre-push', 'origin', 'git@example.com:a/b.git'],
  ['scan', '--commit-msg', '.git/COMMIT_EDITMSG'],
  ['scan', '--pre-receive', '--timeout', '4s', '--on-timeout', 'accept'],
  ['scan', '-'],
  ['scan', '--', '-odd-name'],
  ['rules'],
  ['rules', '--format', 'json'],
  ['rules', '--format=json', '--no-config'],
  ['rules', '--config', 'ci/secret-guard.json'],
  ['install'],
  ['install', '--hook', 'pre-receive'],
  ['install', '--hook=commit-msg', '--force'],
  ['install', '--chain'],
  ['install', '--uninstall', '--hook', 'pre-push'],
  ['remediate'],
  ['remediate', '--verify', '--out', '/tmp/remediation'],
  ['remediate', '--range', 'refs/remotes/origin/main..HEAD', '--force'],
  ['remediate', '--max-file-size', '2MB', '--on-unread', 'accept', '--threads', '1'],
  ['remediate', '--allow-shallow', '--no-config'],
  ['ignore', 'abc123', '--reason', 'test fixture'],
];

/**
 * The parsed options as a command reads them: yargs adds camelCase copies and `$0`, which
 * commands never read, and the paths are the positional plus what follows `--` (scan's pathsOf).
 */
function comparable(args: Args): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(args)) {
    if (k === '$0' || k === '_' || k === 'paths' || (/[A-Z]/.test(k) && !k.includes('-'))) continue;
    if (v === undefined) continue;
    out[k] = v;
  }
  const rest = args._.map(String);
  out.command = rest[0];
  out.paths = [...((args.paths as string[] | undefined) ?? []), ...rest.slice(1)];
  return out;
}

describe('the fast parser agrees with yargs', () => {
  it.each(LINES.map((l) => [l.join(' '), l] as const))('%s', (_, argv) => {
    const fast = fastParse(argv);
    const full = parseWithYargs(argv);
    if (!fast) {
      // Declined: yargs alone reads it (and must not fail on these valid lines).
      expect(full.error, full.output).toBeUndefined();
      return;
    }
    expect(full.error, full.output).toBeUndefined();
    expect(fast.spec.name).toBe(full.spec?.name);
    expect(comparable(fast.args)).toEqual(comparable(full.args!));
  });

  it('takes the hook\'s own lines, so the hook never loads yargs', () => {
    for (const argv of [['scan', '--staged'], ['scan', '--pre-push', 'origin', 'url'], ['scan', '--commit-msg', 'f']]) expect(fastParse(argv), argv.join(' ')).toBeDefined();
  });

  it('takes the plain lines of install, remediate and rules too', () => {
    for (const argv of [['install'], ['install', '--hook', 'pre-receive'], ['remediate', '--verify'], ['rules', '--format', 'json']]) expect(fastParse(argv), argv.join(' ')).toBeDefined();
  });
});
