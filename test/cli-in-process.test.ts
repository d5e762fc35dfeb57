/**
 * Most tests run the CLI in-process (helpers/in-process.ts): the built run() in a long-lived host process,
 * given bin/'s arguments, directory, environment and standard input. That is only honest while it
 * answers exactly as bin/ does, so here the same calls go both ways and must give the same exit
 * code, stdout and stderr (a scan's duration aside): every mode and format, errors, standard
 * input, an environment without git, the help texts. And the calls that need a process still get one.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ALL_THROUGH_BIN, cli, cliBin, needsProcess } from './helpers/cli.js';
import { cliAsync } from './helpers/cli-async.js';
import { cleanupAll, fakeToken, makeRepo, tempDir } from './helpers/repo.js';

afterAll(cleanupAll);

const token = fakeToken();
const repo = makeRepo({ files: { 'README.md': '# app\n', 'mail.env': `POSTMARK_SERVER_TOKEN=${token}\n` } });
repo.commit({ 'src/mail.js': "const client = new postmark.ServerClient(process.env.POSTMARK_SERVER_TOKEN);\n" }, 'mail');
repo.write({ 'staged.env': `POSTMARK_API_TOKEN=${fakeToken()}\n` });
repo.git('add', 'staged.env');
const outside = tempDir('sg-outside-');
writeFileSync(join(outside, 'notes.txt'), `postmark token ${fakeToken()}\n`);

/** Run to run, only a scan's duration and the times a report is stamped with differ. */
const steady = (s: string) =>
  s
    .replace(/"durationMs": \d+/g, '"durationMs": 0')
    .replace(/\b\d+(\.\d+)? ?(ms|s)\b/g, 'N ms')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?/g, 'TIME');

const CASES: Array<[string, string[], string, Record<string, string>?, string?]> = [
  ['worktree text', ['scan'], repo.dir],
  ['worktree json', ['scan', '--format', 'json'], repo.dir],
  ['worktree sarif, --show-secrets', ['scan', '--format', 'sarif', '--show-secrets'], repo.dir],
  ['a path, github format', ['scan', '--format', 'github', 'mail.env'], repo.dir],
  ['staged', ['scan', '--staged'], repo.dir],
  ['history json', ['scan', '--history', '--format', 'json'], repo.dir],
  ['range gitlab', ['scan', '--range', 'HEAD~1..HEAD', '--format', 'gitlab'], repo.dir],
  ['range that does not resolve', ['scan', '--range', 'nope..HEAD'], repo.dir],
  ['from a subfolder', ['scan', '--verbose'], join(repo.dir, 'src')],
  ['outside a repository', ['scan', '.'], outside],
  ['history outside a repository', ['scan', '--history'], outside, { GIT_CEILING_DIRECTORIES: dirname(outside) }],
  ['standard input with a token', ['scan', '-'], outside, {}, `POSTMARK_SERVER_TOKEN=${token}\n`],
  ['standard input, empty', ['scan', '-'], outside, {}, ''],
  ['no git on PATH', ['scan', '--staged'], repo.dir, { PATH: tempDir('sg-nopath-') }],
  ['rules', ['rules'], repo.dir],
  ['help', ['--help'], repo.dir],
  ['scan help', ['scan', '--help'], repo.dir],
  ['version', ['--version'], repo.dir],
  ['unknown flag', ['scan', '--foo', 'x'], repo.dir],
  ['unknown command', ['scna'], repo.dir],
];

describe('in-process runs answer as bin/ does', () => {
  for (const [label, args, cwd, env, input] of CASES) {
    it(label, () => {
      const a = cli(args, cwd, env, input);
      const b = cliBin(args, cwd, env, input);
      expect({ code: a.code, stdout: steady(a.stdout), stderr: steady(a.stderr) }).toEqual({ code: b.code, stdout: steady(b.stdout), stderr: steady(b.stderr) });
      expect(`${a.stdout}${a.stderr}`.length, 'each case says something').toBeGreaterThan(0);
    });
  }

  it('side by side (cliAsync), each call with its own answer and environment', async () => {
    // One at a time in-process answers as bin/ does (above); side by side must answer the same.
    const picked = CASES.filter(([, , , , input]) => input === undefined);
    const one = picked.map(([, args, cwd, env]) => cli(args, cwd, env));
    const many = await Promise.all(picked.map(([, args, cwd, env]) => cliAsync(args, cwd, { env })));
    expect(many.map((r) => [r.code, steady(r.stdout), steady(r.stderr)])).toEqual(one.map((r) => [r.code, steady(r.stdout), steady(r.stderr)]));
    expect(new Set(many.map((r) => r.code))).toEqual(new Set([0, 1, 2]));
  });
});

describe('what only a process shows still goes through bin/', () => {
  it('NODE_OPTIONS configures node: such a call starts one', () => {
    expect(needsProcess({ NODE_OPTIONS: '--max-old-space-size=64' })).toBe(true);
    expect(needsProcess({ HOME: '/tmp' })).toBe(ALL_THROUGH_BIN);
    // A node option that fails its start-up shows only when a process starts.
    const r = cli(['--version'], repo.dir, { NODE_OPTIONS: '--no-such-node-option' });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no-such-node-option/);
  });
});
