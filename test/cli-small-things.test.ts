/**
 * Small things a newcomer meets on the way, each through bin/ on a real repository: what a
 * history report says about refs, the new-branch range, help text, a mistyped command, an
 * empty commit through the real hook, and a `*.env` file.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, cli } from './helpers/cli.js';
import { cleanupAll, fakeToken, makeRepo } from './helpers/repo.js';

afterAll(cleanupAll);

const env = (t: string) => `POSTMARK_SERVER_TOKEN=${t}\n`;

describe('small things', () => {
  it('a leak removed since is reported as reachable and removed, never as "refs: none"', () => {
    const repo = makeRepo({ files: { 'app.cfg': env(fakeToken()) } });
    repo.commit({ 'app.cfg': 'x\n' }, 'remove');
    const r = cli(['scan', '--history'], repo.dir);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('refs: none');
    expect(r.stdout).toContain("still held by 1 commit, reachable from the refs scanned; removed since: no ref's tip holds it; not in HEAD");
    // Still at a tip: the tip is named.
    const held = makeRepo({ files: { 'app.cfg': env(fakeToken()) } });
    expect(cli(['scan', '--history'], held.dir).stdout).toContain('still held by 1 commit; at the tip of refs/heads/main; still in HEAD');
  });

  it('the all-zero base of a new branch is exit 2 advising --history', () => {
    const repo = makeRepo({ files: { 'a.txt': 'x\n' } });
    const r = cli(['scan', '--range', `${'0'.repeat(40)}..HEAD`], repo.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/all-zero id .*\n.*Use the default branch as the base \(`--range refs\/remotes\/origin\/main\.\.HEAD`,/);
  });

  it('--version is in the top-level help only; a mistyped command gets a suggestion', () => {
    const repo = makeRepo();
    expect(cli(['--help'], repo.dir).stdout).toContain('--version');
    for (const cmd of ['scan', 'ignore', 'rules', 'install', 'remediate']) {
      const h = cli([cmd, '--help'], repo.dir);
      expect(h.code, cmd).toBe(0);
      expect(h.stdout, cmd).not.toContain('--version');
    }
    expect(cli(['--version'], repo.dir).stdout).toMatch(/^\d+\.\d+\.\d+/);
    const typo = cli(['scna'], repo.dir);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('secret-guard: unknown command `scna`: did you mean `scan`?');
    expect(cli(['remdiate'], repo.dir).stderr).toContain('did you mean `remediate`?');
  });

  it("scan --help's examples: every command line starts with secret-guard, none wraps into a line of its own", () => {
    const h = cli(['scan', '--help'], makeRepo().dir).stdout;
    const examples = h.slice(h.indexOf('Examples:')).split('\n').slice(1).filter((l) => l.trim());
    expect(examples.length).toBeGreaterThanOrEqual(4);
    const col = examples[0]!.indexOf('scan the files');
    for (const l of examples) {
      // A line is an example (starts with the command) or the wrapped description (starts at its column).
      expect(l.startsWith('  secret-guard scan') || (l.slice(0, col).trim() === '' && l.length > col), l).toBe(true);
    }
  });

  it('git commit --allow-empty through the real hook prints nothing', () => {
    const repo = makeRepo({ files: { 'a.txt': 'x\n' } });
    const hook = join(repo.dir, '.git', 'hooks', 'pre-commit');
    writeFileSync(hook, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" scan --staged\n`);
    chmodSync(hook, 0o755);
    const who = { GIT_AUTHOR_NAME: 'A', GIT_AUTHOR_EMAIL: 'a@example.com', GIT_COMMITTER_NAME: 'A', GIT_COMMITTER_EMAIL: 'a@example.com' };
    const r = spawnSync('git', ['commit', '-q', '--allow-empty', '-m', 'empty'], { cwd: repo.dir, env: { ...process.env, ...who, GIT_CONFIG_NOSYSTEM: '1', HOME: repo.dir, NO_COLOR: '1' }, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout + r.stderr).toBe('');
    // Asked for, it says so.
    expect(cli(['scan', '--staged', '--verbose'], repo.dir).stdout).toMatch(/^nothing to scan: nothing is staged$/m);
  });

  it('a *.env file (config.env, deploy/prod.env) is a secrets file; its .example is not', () => {
    const repo = makeRepo({ files: { 'a.txt': 'x\n' } });
    repo.write({ 'config.env': 'DEBUG=1\n', 'deploy/prod.env': 'DEBUG=1\n', 'deploy/prod.env.example': 'DEBUG=\n' });
    repo.git('add', '-A');
    const r = cli(['scan', '--staged'], repo.dir);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe('secret-guard: commit blocked — 2 secrets files in the staged change');
    expect(r.stdout).toMatch(/^config\.env$/m);
    expect(r.stdout).toMatch(/^deploy\/prod\.env$/m);
    expect(r.stdout).not.toMatch(/^deploy\/prod\.env\.example$/m);
  });
});
