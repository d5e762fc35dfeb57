/**
 * What remediate's plan says, through bin/ on real repositories with a real bare server: step 2
 * names the file and line HEAD still holds; the check command runs this secret-guard by absolute
 * path where no secret-guard is on PATH; a push freeze sits between the mirror clone and the
 * forced push; re-clones re-install the hook; the self-hosted server's old commits are pruned by
 * the printed command; an old clone merged back is caught by the range job; a token only in a
 * commit message is not "in HEAD, remove it from the code". The end-to-end case runs once per git
 * filter-repo version it is given (helpers/tools.ts filterRepoCopies), each plan made and run with
 * its own.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, cli } from './helpers/cli.js';
import { cleanupAll, fakeToken, gitIn, makeRepo, tempDir } from './helpers/repo.js';
import { filterRepoCopies, type FilterRepoCopy } from './helpers/tools.js';

const FILTER_REPOS = filterRepoCopies('remediate plan texts (the printed commands run git filter-repo)');
const extra: string[] = [];
afterAll(() => {
  cleanupAll();
  for (const d of extra) spawnSync('rm', ['-rf', '--', d]);
});

/** The block of one step: its title line to the next blank line. */
function step(stdout: string, title: RegExp): { n: number; text: string; commands: string[] } {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => /^\d+\. /.test(l) && title.test(l));
  expect(start, `step ${title} in:\n${stdout}`).toBeGreaterThan(-1);
  const body: string[] = [];
  for (const l of lines.slice(start + 1)) {
    if (l === '') break;
    body.push(l);
  }
  return { n: Number(/^(\d+)\./.exec(lines[start]!)![1]), text: [lines[start]!, ...body].join('\n'), commands: body.filter((l) => l.startsWith('     ')).map((l) => l.slice(5)) };
}

/**
 * bash with a PATH that has git, node's folder and the git filter-repo the plan was made for, but no
 * secret-guard: like a mirror clone's shell. The plan's options depend on that filter-repo's
 * version: another one on the PATH fails on them. `-e`: a step that fails stops the run there.
 */
function bash(fr: FilterRepoCopy, cwd: string, commands: string[]): { code: number; out: string } {
  const tool = fr.dir ? [fr.dir] : [];
  const PATH = [...tool, dirname(process.execPath), '/usr/bin', '/bin'].join(':');
  const r = spawnSync('bash', ['-e', '-c', commands.join('\n')], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', GIT_CONFIG_NOSYSTEM: '1', PATH }, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

describe('remediate: the plan names what is true and runs as printed', () => {
  it('a token only in a commit message is not "in HEAD, remove it from the code"', () => {
    const t = fakeToken();
    const repo = makeRepo({ files: { 'README.md': '# app\n' } });
    repo.commit({}, `Configure mail\n\nPOSTMARK_SERVER_TOKEN=${t}\n`);
    const r = cli(['remediate'], repo.dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/Postmark Server API token .*in messages only/);
    expect(r.stdout).not.toContain('Take the leaks out of the current code');
    const md = readFileSync(join(repo.dir, '.git', 'secret-guard', 'remediation', 'ROTATION.md'), 'utf8');
    expect(md).toContain('**In HEAD:** no — only in commit messages, never in a file');
    expect(md).not.toContain('remove it from the code');
  });

  for (const fr of FILTER_REPOS) endToEnd(fr);
});

function endToEnd(fr: FilterRepoCopy): void {
  it(`end to end on a self-hosted bare server: step 2, freeze, absolute check, expire and prune, merge-back caught (${fr.title})`, () => {
    const t = fakeToken();
    const server = makeRepo({ bare: true });
    const repo = makeRepo({ files: { 'config/mail.yml': `postmark:\n  server_token: ${t}\n` } });
    // HEAD moved the token down two lines since it was introduced: step 2 names HEAD's line.
    repo.commit({ 'config/mail.yml': `# mail\n# settings\npostmark:\n  server_token: ${t}\n` }, 'comment');
    const leaked = repo.git('rev-parse', 'HEAD').trim();
    repo.git('remote', 'add', 'origin', server.dir);
    repo.git('push', '-q', 'origin', 'main');
    const old = tempDir();
    gitIn(old, ['clone', '-q', server.dir, 'old']);
    extra.push(join(dirname(repo.dir), `${basename(repo.dir)}-rewrite.git`));

    const r = cli(['remediate'], repo.dir, fr.env);
    expect(r.code).toBe(1);
    const out = r.stdout;
    expect(step(out, /Take the leaks out of the current code/).text).toContain('HEAD still holds a leaked credential at config/mail.yml line 4');
    const freeze = step(out, /Freeze pushes to origin/);
    const clone = step(out, /fresh mirror clone/);
    const push = step(out, /Force-push/);
    expect(freeze.n).toBeLessThan(clone.n);
    expect(push.text).toContain('lift the push freeze');
    const reclone = step(out, /Collaborators re-clone/).text;
    expect(reclone).toContain('run `secret-guard install` again');
    expect(reclone).toMatch(/old clone is merged back.*secret-guard scan --range BASE\.\.HEAD.*fails on them/);

    // The user fixes the code first (step 2), pushes, then follows the plan as printed.
    repo.commit({ 'config/mail.yml': '# mail\n# settings\npostmark:\n  server_token: ${POSTMARK_SERVER_TOKEN}\n' }, 'token from the environment');
    repo.git('push', '-q', 'origin', 'main');
    const check = step(out, /Check the rewritten mirror/).commands;
    expect(check[0]).toBe(`${process.execPath} ${BIN} scan --history`);
    const run = bash(fr, repo.dir, [...clone.commands, ...step(out, /Rewrite the mirror/).commands, check[0]!, ...push.commands]);
    expect(run.code, run.out).toBe(0);
    // Without the printed line, no secret-guard on that PATH: the absolute path is what made it run.
    expect(bash(fr, repo.dir, ['command -v secret-guard']).code).not.toBe(0);

    // The forced push left the old commit on the server, served by id, until the printed line runs there.
    expect(spawnSync('git', ['cat-file', '-e', `${leaked}^{commit}`], { cwd: server.dir }).status).toBe(0);
    const expire = step(out, /bare repository you host yourself/);
    expect(expire.commands).toEqual(['git reflog expire --expire=now --all && git gc --prune=now']);
    const pruned = bash(fr, server.dir, expire.commands);
    expect(pruned.code, pruned.out).toBe(0);
    expect(spawnSync('git', ['cat-file', '-e', `${leaked}^{commit}`], { cwd: server.dir }).status).not.toBe(0);

    // An old clone merged back: the range job of its pull request fails on the old commits.
    const fresh = tempDir();
    gitIn(fresh, ['clone', '-q', server.dir, 'new']);
    const work = join(fresh, 'new');
    gitIn(work, ['fetch', '-q', join(old, 'old'), 'main:old-main']);
    gitIn(work, ['checkout', '-q', '-b', 'pr', 'origin/main']);
    gitIn(work, ['merge', '-q', '--allow-unrelated-histories', '-X', 'theirs', '--no-edit', 'old-main'], { GIT_AUTHOR_NAME: 'A', GIT_AUTHOR_EMAIL: 'a@example.com', GIT_COMMITTER_NAME: 'A', GIT_COMMITTER_EMAIL: 'a@example.com' });
    const ci = cli(['scan', '--range', 'origin/main..pr'], work);
    expect(ci.code, ci.stdout + ci.stderr).toBe(1);
    expect(ci.stdout).toContain('postmark-server-token');
  });
}
