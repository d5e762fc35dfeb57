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
import { cleanupAll, fakeToken, gitIn, GIT_IDENTITY, makeRepo, tempDir, type Repo } from './helpers/repo.js';
import { needTool } from './helpers/tools.js';

const PRE_COMMIT = needTool('pre-commit', 'the pre-push test under the real pre-commit framework');

afterAll(cleanupAll);

const IDENTITY = { ...GIT_IDENTITY, NO_COLOR: '1' };

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

  it('names a file it could not read and stops the push, unless the hook runs with --on-unread accept', () => {
    const { repo, server } = project();
    expect(install(repo, ['--hook', 'pre-push']).code).toBe(0);
    // A binary with no rule keyword was searched, and is no reason to stop; a file over the size limit was not read.
    // bundle.js is over the limit and names Postmark; vendor.js is over it with no keyword, so it can hold no finding.
    const big = (what: string) => `// ${what}\n${'x'.repeat(6 * 1024 * 1024)}\n`;
    repo.commit({ 'logo.bin': 'MAIL_TOKEN=\0abc\n', 'dist/bundle.js': big('bundle for the postmark mailer'), 'dist/vendor.js': big('vendor') }, 'build output');
    const before = gitIn(server, ['for-each-ref']);
    const p = run(repo, ['push', 'origin', 'main']);
    expect(p.code).not.toBe(0);
    expect(p.out).toContain('secret-guard: not scanned: dist/bundle.js:');
    expect(p.out).not.toContain('logo.bin');
    expect(p.out).not.toContain('vendor.js');
    expect(p.out).toContain('secret-guard: push stopped: 1 pushed file could not be read');
    expect(gitIn(server, ['for-each-ref'])).toBe(before);
    const hook = join(repo.dir, '.git', 'hooks', 'pre-push');
    writeFileSync(hook, readFileSync(hook, 'utf8').replace('scan --pre-push "$@"', 'scan --pre-push --on-unread accept "$@"'));
    const ok = run(repo, ['push', 'origin', 'main']);
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toContain('secret-guard: not scanned: dist/bundle.js:');
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

  it('reads the message as git keeps it: git commit -v\'s diff below the scissors line is not the message, but a scissors line in a -m message hides nothing', () => {
    const { repo } = project();
    expect(install(repo, ['--hook', 'commit-msg']).code).toBe(0);
    const token = fakeToken();
    // git commit -v: the staged diff (a token in it is the pre-commit hook's to judge) follows
    // the scissors line and git's comment lines; git drops it, and so does the commit-msg scan.
    repo.write({ 'deploy.env.txt': `POSTMARK_SERVER_TOKEN=${token}\n` });
    repo.git('add', 'deploy.env.txt');
    const v = spawnSync('git', ['commit', '-q', '-v'], { cwd: repo.dir, env: { ...process.env, ...IDENTITY, HOME: repo.dir, GIT_EDITOR: "sed -i -e '1s/^/fix mail/'" }, encoding: 'utf8' });
    expect(v.status, v.stdout + v.stderr).toBe(0);
    expect(repo.git('log', '-1', '--format=%B').trim()).toBe('fix mail');

    // -m keeps a scissors line and everything after it (cleanup mode whitespace): scanned.
    const other = fakeToken();
    const before = repo.git('rev-parse', 'HEAD').trim();
    repo.write({ 'notes.md': 'y\n' });
    repo.git('add', 'notes.md');
    const m = run(repo, ['commit', '-q', '-m', `fix mail\n# ------------------------ >8 ------------------------\nPOSTMARK_SERVER_TOKEN=${other}`]);
    expect(m.code, m.out).not.toBe(0);
    expect(m.out).toContain('secret-guard: commit blocked');
    expect(m.out).not.toContain(other);
    expect(repo.git('rev-parse', 'HEAD').trim()).toBe(before);

    const file = join(tempDir(), 'COMMIT_EDITMSG');
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

describe('scan --pre-push under the real pre-commit framework', () => {
  /**
   * pre-commit names only the first ref of a push that brings new commits; the gate reads every
   * local branch and tag the remote's tracking refs do not hold. A `repo: local` hook with
   * `language: system` runs this build as the framework runs any hook, with no install step.
   */
  it.skipIf(!PRE_COMMIT)('stops `git push origin clean dirty` though the framework names only clean, and reads a pushed tag\'s message', () => {
    const { repo, server } = project();
    writeFileSync(join(repo.dir, '.pre-commit-config.yaml'), `repos:\n- repo: local\n  hooks:\n  - id: secret-guard-pre-push\n    name: secret-guard\n    entry: "'${process.execPath}' '${BIN}' scan --pre-push"\n    language: system\n    pass_filenames: false\n    always_run: true\n    stages: [push]\n`);
    repo.git('add', '.pre-commit-config.yaml');
    repo.git('commit', '-q', '-m', 'pre-commit config');
    expect(run(repo, ['push', '-q', 'origin', 'main']).code).toBe(0);
    const pc = spawnSync(PRE_COMMIT!, ['install', '--hook-type', 'pre-push'], { cwd: repo.dir, env: { ...process.env, ...IDENTITY, HOME: repo.dir, PRE_COMMIT_HOME: tempDir() }, encoding: 'utf8' });
    expect(pc.status, pc.stdout + pc.stderr).toBe(0);
    const env = { PRE_COMMIT_HOME: tempDir(), PRE_COMMIT_COLOR: 'never' };
    const push = (...args: string[]) => {
      const r = spawnSync('git', ['push', 'origin', ...args], { cwd: repo.dir, env: { ...process.env, ...IDENTITY, HOME: repo.dir, ...env }, encoding: 'utf8' });
      return { code: r.status ?? -1, out: r.stdout + r.stderr };
    };

    repo.git('checkout', '-q', '-b', 'clean', 'main');
    repo.commit({ 'notes.md': 'clean\n' }, 'clean');
    repo.git('checkout', '-q', '-b', 'dirty', 'main');
    const token = fakeToken();
    const sha = repo.commit({ 'deploy.env.txt': `POSTMARK_SERVER_TOKEN=${token}\n` }, 'leak');
    const before = gitIn(server, ['for-each-ref']);
    const r = push('clean', 'dirty');
    expect(r.code, r.out).not.toBe(0);
    expect(r.out).toContain(`refs/heads/dirty  ${sha.slice(0, 12)}  deploy.env.txt:1`);
    expect(r.out).not.toContain(token);
    expect(gitIn(server, ['for-each-ref'])).toBe(before);

    // An annotated tag of a new clean commit, its message holding a token: the framework names
    // the tag object, and the gate reads its message.
    repo.git('checkout', '-q', 'clean');
    repo.git('branch', '-q', '-D', 'dirty');
    repo.commit({ 'notes.md': 'cleaner\n' }, 'release');
    const msg = fakeToken();
    repo.git('tag', '-a', 'v1', '-m', `release\n\nPOSTMARK_API_TOKEN=${msg}`);
    const t = push('v1');
    expect(t.code, t.out).not.toBe(0);
    expect(t.out).toContain('tag message');
    expect(gitIn(server, ['for-each-ref'])).toBe(before);
    repo.git('tag', '-d', 'v1');
    const ok = push('clean');
    expect(ok.code, ok.out).toBe(0);
  });
});

describe('--show-secrets in the client gates', () => {
  it('--pre-push and --commit-msg show the secret when asked, as scan does, and cut it otherwise', () => {
    const { repo } = project();
    const base = repo.git('rev-parse', 'HEAD').trim();
    const token = fakeToken();
    const sha = repo.commit({ 'deploy.env.txt': `POSTMARK_SERVER_TOKEN=${token}\n` }, 'leak');
    const input = `refs/heads/main ${sha} refs/heads/main ${base}\n`;
    const shown = cli(['scan', '--pre-push', '--show-secrets', 'origin', 'url'], repo.dir, {}, input);
    expect(shown.code, shown.stderr).toBe(1);
    expect(shown.stdout).toContain(`deploy.env.txt:1  Postmark Server API token [postmark-server-token]  ${token}`);
    const cut = cli(['scan', '--pre-push', 'origin', 'url'], repo.dir, {}, input);
    expect(cut.code).toBe(1);
    expect(cut.stdout).not.toContain(token);

    const msg = join(tempDir(), 'COMMIT_EDITMSG');
    writeFileSync(msg, `deploy\n\nPOSTMARK_SERVER_TOKEN=${token}\n`);
    const m = cli(['scan', '--commit-msg', msg, '--show-secrets'], repo.dir);
    expect(m.code, m.stderr).toBe(1);
    expect(m.stdout).toContain(token);
    expect(cli(['scan', '--commit-msg', msg], repo.dir).stdout).not.toContain(token);
  });
});
