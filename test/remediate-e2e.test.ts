/**
 * The proof, end to end with the real git filter-repo: a repository whose history leaks in a
 * removed file, on an unmerged branch, under a tag, in a merge resolution, in a committed .env
 * and in a commit message, pushed to a bare "origin". `remediate` writes its files and prints the
 * next commands; the test runs the printed clone, rewrite, check and push commands exactly as
 * printed. The rewritten history (and origin after the push) holds none of the secrets,
 * `scan --history` finds nothing in it, and the original repository is byte for byte unchanged.
 * It runs once per git filter-repo version it is given (helpers/tools.ts filterRepoCopies): the
 * plan differs by version, and each plan is made and run with its own.
 */
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { cleanupAll, fakeToken, gitIn, makeRepo, tempDir } from './helpers/repo.js';
import { filterRepoCopies, type FilterRepoCopy } from './helpers/tools.js';
import { runPrinted, stepCommands } from './helpers/printed-steps.js';

const FILTER_REPOS = filterRepoCopies('remediate end to end (the printed commands run git filter-repo)');

const extra: string[] = [];
afterAll(() => {
  cleanupAll();
  for (const d of extra) rmSync(d, { recursive: true, force: true });
});

/** A synthetic SMTP secret key: 36 random characters of the URL-safe alphabet. */
function fakeSmtpKey(): string {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
  return Array.from({ length: 36 }, () => abc[Math.floor(Math.random() * abc.length)]).join('');
}

/** Every file under `dir` (work tree and git directory) but remediate's own output, by content hash and mode. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const abs = join(d, name);
      const rel = relative(dir, abs);
      if (rel === join('.git', 'secret-guard')) continue;
      const st = statSync(abs);
      if (st.isDirectory()) walk(abs);
      else out.set(rel, `${(st.mode & 0o777).toString(8)} ${createHash('sha256').update(readFileSync(abs)).digest('hex')}`);
    }
  };
  walk(dir);
  return out;
}

/** What git says about the repository: refs, HEAD, status (without the index refresh a plain status may write). */
function gitState(dir: string): string {
  const env = { GIT_OPTIONAL_LOCKS: '0' };
  return [
    gitIn(dir, ['for-each-ref', '--format=%(objectname) %(refname)'], env),
    gitIn(dir, ['symbolic-ref', 'HEAD'], env),
    gitIn(dir, ['status', '--porcelain=v1', '-uall', '--ignored'], env),
    gitIn(dir, ['config', '--local', '--list'], env),
    gitIn(dir, ['stash', 'list'], env),
  ].join('\n--\n');
}

/** The commands printed under the step whose title starts with `title` (the step must be there). */
function commandsOf(stdout: string, title: string): string[] {
  const found = stepCommands(stdout, title);
  expect(found, `step "${title}" in:\n${stdout}`).not.toBeNull();
  return found!;
}

describe.skipIf(!FILTER_REPOS.length)('remediate, applied with the real git filter-repo', () => {
  for (const fr of FILTER_REPOS) describe(fr.title, () => applied(fr));
});

function applied(fr: FilterRepoCopy): void {
  const bash = (cwd: string, commands: string[]) => runPrinted(cwd, [...fr.exportPath, ...commands]);
  it('leaves no secret in the rewritten history or on origin, and the original repository untouched', () => {
    const removed = fakeToken();
    const branch = fakeToken();
    const tagged = fakeToken();
    const merged = fakeToken();
    const dotenv = fakeToken();
    const message = fakeToken();
    const smtp = fakeSmtpKey();
    const secrets = { removed, branch, tagged, merged, dotenv, message, smtp };

    const origin = makeRepo({ bare: true });
    const repo = makeRepo({ files: { 'README.md': '# shop\n', 'src/mail.js': `const postmark = require('postmark');\nconst client = new postmark.ServerClient("${removed}");\n` }, message: 'initial' });
    repo.commit({ '.env': `POSTMARK_SERVER_TOKEN=${dotenv}\nDEBUG=1\n` }, 'local settings');
    repo.commit({ 'src/mail.js': "const postmark = require('postmark');\nconst client = new postmark.ServerClient(process.env.POSTMARK_SERVER_TOKEN);\n" }, 'read the token from the environment');
    repo.commit({ 'config/settings.yml': `postmark:\n  server_token: ${tagged}\n` }, 'settings');
    repo.git('tag', '-a', 'v1.0', '-m', 'release 1.0');
    repo.commit({ 'config/settings.yml': 'postmark:\n  server_token: ${POSTMARK_SERVER_TOKEN}\n' }, 'settings from the environment');
    // An unmerged branch.
    repo.git('checkout', '-q', '-b', 'feature/provisioning');
    repo.commit({ 'ops/provision.sh': `export POSTMARK_ACCOUNT_TOKEN=${branch}\n` }, 'provisioning script');
    repo.git('checkout', '-q', 'main');
    // A merge whose resolution alone holds a token.
    repo.git('checkout', '-q', '-b', 'side');
    repo.commit({ 'deploy/app.env.sh': 'export MODE=side\n' }, 'side mode');
    repo.git('checkout', '-q', 'main');
    repo.commit({ 'deploy/app.env.sh': 'export MODE=main\n' }, 'main mode');
    spawnSync('git', ['merge', '-q', 'side'], { cwd: repo.dir, env: { ...process.env, HOME: repo.dir, GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.com' } });
    repo.write({ 'deploy/app.env.sh': `export MODE=both\nexport POSTMARK_SERVER_TOKEN=${merged}\n` });
    repo.git('add', 'deploy/app.env.sh');
    repo.git('commit', '-q', '--no-edit');
    expect(repo.git('rev-list', '--merges', '--count', 'HEAD').trim()).toBe('1');
    repo.git('branch', '-q', '-D', 'side');
    repo.commit({}, `Configure mail\n\nPOSTMARK_SERVER_TOKEN=${message}\n`);
    repo.commit({ 'mail/smtp.env.sh': `export POSTMARK_SMTP_USERNAME=PM-T-outbound-Ab3dE5gH7jK9mN1pQ3sT5v\nexport POSTMARK_SMTP_PASSWORD=${smtp}\n` }, 'smtp relay');
    repo.git('remote', 'add', 'origin', origin.dir);
    repo.git('push', '-q', 'origin', '--all');
    repo.git('push', '-q', 'origin', '--tags');
    const mirror = join(dirname(repo.dir), `${basename(repo.dir)}-rewrite.git`);
    extra.push(mirror);

    const before = { files: snapshot(repo.dir), git: gitState(repo.dir) };
    const r = cli(['remediate'], repo.dir, fr.env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^secret-guard remediate: 7 leaked credentials and 1 committed secrets file/);
    for (const s of Object.values(secrets)) {
      expect(r.stdout).not.toContain(s);
      expect(r.stdout).toContain(`${s.slice(0, 4)}…`);
    }
    expect({ files: snapshot(repo.dir), git: gitState(repo.dir) }).toEqual(before);

    const out = join(repo.dir, '.git', 'secret-guard', 'remediation');
    expect(statSync(out).mode & 0o777).toBe(0o700);
    expect(readdirSync(out).sort()).toEqual(['ROTATION.md', 'blob-callback.py', 'messages.txt', 'paths.txt', 'replacements.txt']);
    for (const f of readdirSync(out)) expect(statSync(join(out, f)).mode & 0o777, f).toBe(0o600);
    const replacements = readFileSync(join(out, 'replacements.txt'), 'utf8');
    for (const s of Object.values(secrets)) expect(replacements).toContain(`${s}==>`);
    // Every secret, not only the one found in a message: a message can name a token without a finding.
    expect(readFileSync(join(out, 'messages.txt'), 'utf8')).toBe(replacements);
    expect(readFileSync(join(out, 'paths.txt'), 'utf8')).toBe('.env\n');
    const rotation = readFileSync(join(out, 'ROTATION.md'), 'utf8');
    expect(rotation.split('\n').filter((l) => /^## \d+\. /.test(l))).toHaveLength(7);
    for (const s of Object.values(secrets)) expect(rotation).not.toContain(s);

    // The printed commands, as printed.
    const work = tempDir();
    // Version-specific: --sensitive-data-removal exactly where this filter-repo lists it (2.47 and later).
    const rewriteCommands = commandsOf(r.stdout, 'Rewrite the mirror');
    expect(rewriteCommands).toHaveLength(1);
    expect(rewriteCommands[0]!.startsWith('git filter-repo --sensitive-data-removal '), rewriteCommands[0]).toBe(fr.sensitiveDataRemoval);
    const rewrite = bash(work, [...commandsOf(r.stdout, 'Make a fresh mirror clone'), ...rewriteCommands]);
    expect(rewrite.code, rewrite.out).toBe(0);
    const checks = commandsOf(r.stdout, 'Check the rewritten mirror');
    expect(checks).toHaveLength(3);
    const scan = bash(mirror, [checks[0]!]);
    expect(scan.code, scan.out).toBe(0);
    expect(scan.out).toMatch(/no findings/);
    expect(bash(mirror, [checks[1]!])).toEqual({ code: 0, out: '' });
    expect(bash(mirror, [checks[2]!])).toEqual({ code: 0, out: '' });

    const history = gitIn(mirror, ['log', '--all', '-p', '--format=%H%n%B']);
    for (const s of Object.values(secrets)) expect(history).not.toContain(s);
    expect(history).toContain('***POSTMARK_SERVER_TOKEN_REMOVED***');
    expect(history).toContain('***POSTMARK_ACCOUNT_TOKEN_REMOVED***');
    expect(history).toContain('***POSTMARK_SMTP_TOKEN_REMOVED***');
    expect(gitIn(mirror, ['for-each-ref', '--format=%(refname)']).split('\n').filter(Boolean).sort()).toEqual(['refs/heads/feature/provisioning', 'refs/heads/main', 'refs/tags/v1.0']);
    expect(gitIn(mirror, ['rev-list', '--merges', '--count', 'main']).trim()).toBe('1');
    expect(gitIn(mirror, ['show', 'v1.0:config/settings.yml'])).toBe('postmark:\n  server_token: ***POSTMARK_SERVER_TOKEN_REMOVED***\n');

    const push = bash(mirror, commandsOf(r.stdout, 'Force-push'));
    expect(push.code, push.out).toBe(0);
    const published = gitIn(origin.dir, ['log', '--all', '-p', '--format=%H%n%B']);
    for (const s of Object.values(secrets)) expect(published).not.toContain(s);
    expect(gitIn(origin.dir, ['log', '--all', '--oneline', '--', '.env'])).toBe('');

    expect({ files: snapshot(repo.dir), git: gitState(repo.dir) }).toEqual(before);
  });
}
