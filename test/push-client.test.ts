/**
 * The client-side gates in real repositories: the pre-push hook (`install --hook pre-push`) stops
 * a push whose new commits hold a token even when the commit skipped the pre-commit hook with
 * --no-verify, and the commit-msg hook (`install --hook commit-msg`) stops a message with a token.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, cli } from './helpers/cli.js';
import { cleanupAll, fakeToken, gitIn, makeRepo, tempDir, type Repo } from './helpers/repo.js';

afterAll(cleanupAll);

const IDENTITY = {
  GIT_AUTHOR_NAME: 'Test Author',
  GIT_AUTHOR_EMAIL: 'author@example.com',
  GIT_COMMITTER_NAME: 'Test Author',
  GIT_COMMITTER_EMAIL: 'author@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  NO_COLOR: '1',
};

function run(repo: Repo, args: string[]) {
  const r = spawnSync('git', args, { cwd: repo.dir, env: { ...process.env, ...IDENTITY, HOME: repo.dir }, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout + r.stderr };
}

/** A project with this build of secret-guard in node_modules/.bin, and a bare remote it has pushed to. */
function project(): { repo: Repo; server: string } {
  const repo = makeRepo({ files: { '.gitignore': 'node_modules/\n', 'README.md': 'hello\n' } });
  mkdirSync(join(repo.dir, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(BIN, join(repo.dir, 'node_modules', '.bin', 'secret-guard'));
  const server = makeRepo({ bare: true }).dir;
  repo.git('remote', 'add', 'origin', server);
  expect(run(repo, ['push', '-q', '-u', 'origin', 'main']).code).toBe(0);
  return { repo, server };
}

const install = (repo: Repo, args: string[]) => cli(['install', ...args], repo.dir, { HOME: repo.dir });

describe('the pre-push hook', () => {
  it('stops a push of a token committed with --no-verify; the remote is unchanged; a clean push passes', () => {
    const { repo, server } = project();
    expect(install(repo, []).code).toBe(0);
    const r = install(repo, ['--hook', 'pre-push']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('installed the secret-guard pre-push hook in .git/hooks/pre-push');
    expect(r.stderr).toBe('');

    const token = fakeToken();
    repo.write({ 'config/mail.env.txt': `POSTMARK_SERVER_TOKEN=${token}\n` });
    repo.git('add', 'config/mail.env.txt');
    expect(run(repo, ['commit', '-q', '-m', 'skip the hook']).code).not.toBe(0);
    expect(run(repo, ['commit', '-q', '--no-verify', '-m', 'skip the hook']).code).toBe(0);
    const sha = repo.git('rev-parse', 'HEAD').trim();
    const before = gitIn(server, ['for-each-ref']);
    const p = run(repo, ['push', 'origin', 'main']);
    expect(p.code).not.toBe(0);
    expect(p.out).toContain('secret-guard: push stopped: 1 finding in commits the remote does not have (nothing was sent)');
    expect(p.out).toContain(`refs/heads/main  ${sha.slice(0, 12)}  config/mail.env.txt:1`);
    expect(p.out).toContain(`${token.slice(0, 4)}…`);
    expect(p.out).not.toContain(token);
    expect(gitIn(server, ['for-each-ref'])).toBe(before);

    // The same on a new branch: its commits are those on no origin/* ref.
    repo.git('checkout', '-q', '-b', 'topic');
    expect(run(repo, ['push', 'origin', 'topic']).code).not.toBe(0);
    expect(gitIn(server, ['for-each-ref'])).toBe(before);

    repo.git('checkout', '-q', 'main');
    repo.git('reset', '-q', '--hard', 'HEAD~1');
    repo.commit({ 'notes.md': 'clean\n' }, 'clean');
    const ok = run(repo, ['push', 'origin', 'main']);
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).not.toContain('secret-guard');
    // Everything up to date: git runs the hook with no lines, and that passes.
    const again = run(repo, ['push', 'origin', 'main']);
    expect(again.code, again.out).toBe(0);
    expect(again.out).toContain('Everything up-to-date');
    // A branch whose commits the remote already has, and a deletion, pass.
    repo.git('branch', 'same');
    expect(run(repo, ['push', 'origin', 'same']).code).toBe(0);
    expect(run(repo, ['push', 'origin', ':same']).code).toBe(0);
  });

  it('--chain keeps an existing pre-push hook (which gets the same ref lines); --uninstall puts it back', () => {
    const { repo } = project();
    const hook = join(repo.dir, '.git', 'hooks', 'pre-push');
    const log = join(tempDir(), 'chained.log');
    writeFileSync(hook, `#!/bin/sh\n{ echo "args=$1 $2"; cat; } > '${log}'\n`, { mode: 0o755 });
    const refused = install(repo, ['--hook', 'pre-push']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('secret-guard install --hook pre-push --chain');
    expect(install(repo, ['--hook', 'pre-push', '--chain']).code).toBe(0);
    expect(existsSync(`${hook}.chained`)).toBe(true);
    repo.commit({ 'a.txt': 'a\n' }, 'a');
    const sha = repo.git('rev-parse', 'HEAD').trim();
    expect(run(repo, ['push', 'origin', 'main']).code).toBe(0);
    expect(readFileSync(log, 'utf8')).toContain(`refs/heads/main ${sha} refs/heads/main`);
    const u = install(repo, ['--hook', 'pre-push', '--uninstall']);
    expect(u.code).toBe(0);
    expect(readFileSync(hook, 'utf8')).toContain('chained.log');
    expect(existsSync(`${hook}.chained`)).toBe(false);
  });
});

describe('the commit-msg hook', () => {
  it('stops a commit whose message holds a token, and lets a clean one through', () => {
    const { repo } = project();
    const r = install(repo, ['--hook', 'commit-msg']);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(repo.dir, '.git', 'hooks', 'commit-msg'))).toBe(true);
    const before = repo.git('rev-parse', 'HEAD').trim();
    const token = fakeToken();
    repo.write({ 'notes.md': 'x\n' });
    repo.git('add', 'notes.md');
    const c = run(repo, ['commit', '-q', '-m', `deploy\n\nused POSTMARK_SERVER_TOKEN=${token} for the test`]);
    expect(c.code).not.toBe(0);
    expect(c.out).toContain('secret-guard: commit blocked: the commit message holds 1 Postmark credential');
    expect(c.out).toContain(`${token.slice(0, 4)}…`);
    expect(c.out).not.toContain(token);
    expect(repo.git('rev-parse', 'HEAD').trim()).toBe(before);
    expect(run(repo, ['commit', '-q', '-m', 'deploy: read the token from the environment']).code).toBe(0);
  });

  it('reads the message as git keeps it: the part below the scissors line (git commit -v) is not the message', () => {
    const { repo } = project();
    const token = fakeToken();
    const file = join(tempDir(), 'COMMIT_EDITMSG');
    writeFileSync(file, `fix mail\n# ------------------------ >8 ------------------------\n+POSTMARK_SERVER_TOKEN=${token}\n`);
    expect(cli(['scan', '--commit-msg', file], repo.dir).code).toBe(0);
    writeFileSync(file, `fix mail\nPOSTMARK_SERVER_TOKEN=${token}\n# ------------------------ >8 ------------------------\n`);
    const r = cli(['scan', '--commit-msg', file], repo.dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('line 2');
    expect(cli(['scan', '--commit-msg', join(tempDir(), 'missing')], repo.dir).code).toBe(2);
  });
});

describe('scan --pre-push under the pre-commit framework (refs in PRE_COMMIT_* variables, stdin empty)', () => {
  it('scans TO_REF after FROM_REF, and a new branch named only by LOCAL_BRANCH; with neither it refuses rather than pass', () => {
    const { repo } = project();
    const base = repo.git('rev-parse', 'HEAD').trim();
    repo.git('checkout', '-q', '-b', 'topic');
    const token = fakeToken();
    const sha = repo.commit({ 'deploy.env.txt': `POSTMARK_SERVER_TOKEN=${token}\n` }, 'leak');
    const pc = { PRE_COMMIT: '1', PRE_COMMIT_REMOTE_NAME: 'origin', PRE_COMMIT_REMOTE_URL: 'x', PRE_COMMIT_REMOTE_BRANCH: 'refs/heads/topic', PRE_COMMIT_LOCAL_BRANCH: 'refs/heads/topic' };
    const ranged = cli(['scan', '--pre-push'], repo.dir, { ...pc, PRE_COMMIT_FROM_REF: base, PRE_COMMIT_TO_REF: sha }, '');
    expect(ranged.code).toBe(1);
    expect(ranged.stdout).toContain(`${token.slice(0, 4)}…`);
    const branchOnly = cli(['scan', '--pre-push'], repo.dir, pc, '');
    expect(branchOnly.code).toBe(1);
    expect(branchOnly.stdout).toContain(sha.slice(0, 12));
    const nothing = cli(['scan', '--pre-push'], repo.dir, { PRE_COMMIT: '1', PRE_COMMIT_REMOTE_NAME: 'origin' }, '');
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('read no ref updates');
  });
});
