/**
 * A merge in a pull request (or a push) that brings back a token the base branch removed: the
 * branch's own commit only carries the token (its old side had it) and the merge changes nothing
 * against its first parent, yet HEAD holds the token where the base no longer does, and merging
 * the pull request puts it back on the base's tip. The range scan and the push gates judge the
 * net change too (merge base of BASE and HEAD → HEAD) once the walk met a merge.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { cleanupAll, fakeToken, GIT_IDENTITY, makeRepo, type Repo } from './helpers/repo.js';
import { scanHistoryJson } from './helpers/report.js';

afterAll(cleanupAll);

const PATH = 'config/mail.env.example';
const CLEAN = 'POSTMARK_SERVER_TOKEN=${POSTMARK_SERVER_TOKEN}\n';

/**
 * main: `before` (the token) → the token read from the environment. `pr`, from `before`, edits the
 * file keeping the token, then merges main and resolves the conflict with `resolve` ('ours' keeps
 * the token, 'theirs' main's clean version).
 */
function mergeBack(resolve: 'ours' | 'theirs', repo?: Repo): { repo: Repo; token: string; merge: string } {
  const token = fakeToken();
  const r = repo ?? makeRepo();
  r.commit({ [PATH]: `POSTMARK_SERVER_TOKEN=${token}\n` }, 'mail settings');
  const before = r.git('rev-parse', 'HEAD').trim();
  r.commit({ [PATH]: CLEAN }, 'read the token from the environment');
  r.git('checkout', '-q', '-b', 'pr', before);
  r.commit({ [PATH]: `POSTMARK_SERVER_TOKEN=${token}\nMAIL_FROM=ops@example.com\n` }, 'sender address');
  expect(() => r.git('merge', '-q', 'main')).toThrow(); // a conflict in the file
  r.git('checkout', `--${resolve}`, '--', PATH);
  r.git('add', PATH);
  r.git('commit', '-q', '--no-edit');
  return { repo: r, token, merge: r.git('rev-parse', 'HEAD').trim() };
}

/**
 * main commits a .env, then stops tracking it; `pr`, from before that, edits it and merges main,
 * resolving the modify/delete conflict by keeping the file (`keep`) or letting it go.
 */
function envBack(keep: boolean, on?: Repo): { repo: Repo; merge: string } {
  const repo = on ?? makeRepo();
  repo.commit({ 'app/.env': 'DATABASE_URL=postgres://app:hunter2@db.internal/app\n' }, 'local settings');
  const before = repo.git('rev-parse', 'HEAD').trim();
  repo.git('rm', '-q', '--cached', 'app/.env');
  repo.commit({ '.gitignore': '.env\n' }, 'stop tracking .env');
  repo.git('checkout', '-q', '-b', 'pr', before);
  repo.commit({ 'app/.env': 'DATABASE_URL=postgres://app:hunter2@db.internal/app\nMAIL_FROM=ops@example.com\n' }, 'sender address');
  expect(() => repo.git('merge', '-q', 'main')).toThrow(); // modify/delete
  if (keep) repo.git('add', 'app/.env');
  else repo.git('rm', '-q', 'app/.env');
  repo.git('commit', '-q', '--no-edit');
  return { repo, merge: repo.git('rev-parse', 'HEAD').trim() };
}

const range = (dir: string, spec: string, tokens: string[]) => scanHistoryJson(dir, ['--range', spec], tokens);

describe('--range: a merge in the pull request that brings back a token the base branch removed', () => {
  it('the range fails when HEAD holds a token at a path where BASE no longer does', () => {
    const { repo, token, merge } = mergeBack('ours');
    expect(repo.git('diff', 'main', 'pr', '--', PATH)).toContain(`+POSTMARK_SERVER_TOKEN=${token}`);
    const r = range(repo.dir, 'main..pr', [token]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.findings.map((f) => f.file)).toEqual([PATH]);
    expect(r.findings[0]).toMatchObject({ commit: merge, holders: { inHead: true, refs: ['refs/heads/pr'] } });
    expect(r.json.notes.join('\n')).toContain('a merge brought it back');
  });

  it('a merge that keeps the base\'s clean version reports nothing', () => {
    const { repo, token } = mergeBack('theirs');
    const r = range(repo.dir, 'main..pr', [token]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.findings).toEqual([]);
  });

  it('a token the base still holds at the path is not new, nor one the branch kept where the base moved on without merging', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { [PATH]: `POSTMARK_SERVER_TOKEN=${token}\n`, 'a.txt': 'a\n' } });
    const start = repo.git('rev-parse', 'HEAD').trim();
    repo.git('checkout', '-q', '-b', 'side');
    repo.commit({ 'b.txt': 'b\n' }, 'side work');
    repo.git('checkout', '-q', '-b', 'pr', start);
    repo.commit({ [PATH]: `POSTMARK_SERVER_TOKEN=${token}\nMAIL_FROM=ops@example.com\n` }, 'sender address');
    repo.git('merge', '-q', '--no-edit', 'side');
    // main still holds the token where pr does: nothing new.
    const held = range(repo.dir, 'main..pr', [token]);
    expect(held.code, held.stderr).toBe(0);
    expect(held.findings).toEqual([]);
    // main removes it afterwards; pr never merged that: merging pr keeps main's clean file.
    repo.git('checkout', '-q', 'main');
    repo.commit({ [PATH]: CLEAN }, 'read the token from the environment');
    const moved = range(repo.dir, 'main..pr', [token]);
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.findings).toEqual([]);
  });

  it('a token brought back against the merge base is not new when BASE holds it again at the path', () => {
    const { repo, token } = mergeBack('ours');
    repo.git('checkout', '-q', 'main');
    repo.commit({ [PATH]: `POSTMARK_SERVER_TOKEN=${token}\n` }, 'the token again, on main');
    const r = range(repo.dir, 'main..pr', [token]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.findings).toEqual([]);
  });

  it('a token moved in the range (renamed, then rewritten) is not new while BASE holds it at the old path, and is once BASE removed it there', () => {
    const token = fakeToken();
    const old = 'config/q.env.example';
    const lines = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}_${i}=v${i}\n`).join('');
    const repo = makeRepo({ files: { [old]: `POSTMARK_SERVER_TOKEN=${token}\n${lines('LINE', 4)}` } });
    repo.git('checkout', '-q', '-b', 'side');
    repo.commit({ 'b.txt': 'b\n' }, 'side work');
    repo.git('checkout', '-q', '-b', 'pr', 'main');
    repo.git('mv', old, PATH);
    repo.commit({}, 'rename');
    repo.commit({ [PATH]: `POSTMARK_SERVER_TOKEN=${token}\n${lines('OTHER', 9)}` }, 'rewrite');
    repo.git('merge', '-q', '--no-edit', 'side');
    // The tree diff of the whole range pairs no rename: a delete and an add.
    expect(repo.git('diff', '--name-status', '-M', 'main', 'pr')).toMatch(/^D\t/m);
    const moved = range(repo.dir, 'main..pr', [token]);
    expect(moved.code, moved.stderr).toBe(0);
    expect(moved.findings).toEqual([]);
    // main removes it at the old path: merging pr (the old path deleted) puts it back at the new one.
    repo.git('checkout', '-q', 'main');
    repo.commit({ [old]: `POSTMARK_SERVER_TOKEN=\${POSTMARK_SERVER_TOKEN}\n${lines('LINE', 4)}` }, 'read the token from the environment');
    const back = range(repo.dir, 'main..pr', [token]);
    expect(back.code, back.stderr).toBe(1);
    expect(back.findings.map((f) => f.file)).toEqual([PATH]);
  });

  it('a branch that merged main while main held the token, and again after main removed it, keeping it, still fails', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    const fork = repo.git('rev-parse', 'HEAD').trim();
    repo.commit({ [PATH]: `POSTMARK_SERVER_TOKEN=${token}\n` }, 'mail settings');
    repo.git('checkout', '-q', '-b', 'pr', fork);
    repo.commit({ 'b.txt': 'b\n' }, 'branch work');
    repo.git('merge', '-q', '--no-edit', 'main'); // the token comes in with main
    repo.git('checkout', '-q', 'main');
    repo.commit({ [PATH]: CLEAN }, 'read the token from the environment');
    repo.git('checkout', '-q', 'pr');
    repo.commit({ [PATH]: `POSTMARK_SERVER_TOKEN=${token}\nMAIL_FROM=ops@example.com\n` }, 'sender address');
    expect(() => repo.git('merge', '-q', 'main')).toThrow();
    repo.git('checkout', '--ours', '--', PATH);
    repo.git('add', PATH);
    repo.git('commit', '-q', '--no-edit');
    const r = range(repo.dir, 'main..pr', [token]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.findings.map((f) => f.file)).toEqual([PATH]);
  });

  it('a token a commit of the range introduced is reported once, at that commit', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { [PATH]: CLEAN } });
    repo.git('checkout', '-q', '-b', 'side');
    repo.commit({ 'b.txt': 'b\n' }, 'side work');
    repo.git('checkout', '-q', '-b', 'pr', 'main');
    const leak = repo.commit({ [PATH]: `POSTMARK_SERVER_TOKEN=${token}\n` }, 'the token');
    repo.git('merge', '-q', '--no-edit', 'side');
    const r = range(repo.dir, 'main..pr', [token]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.findings.map((f) => [f.file, f.commit])).toEqual([[PATH, leak]]);
  });
});

describe('--range: a merge in the pull request that brings back a secrets file the base branch stopped tracking', () => {
  it('the range fails when HEAD tracks a .env the base no longer does', () => {
    const { repo, merge } = envBack(true);
    expect(repo.git('diff', '--name-status', 'main', 'pr')).toMatch(/^A\tapp\/\.env$/m);
    const r = range(repo.dir, 'main..pr', []);
    expect(r.code, r.stderr).toBe(1);
    expect(r.findings.map((f) => [f.ruleId, f.file, f.commit])).toEqual([['dotenv-not-ignored', 'app/.env', merge]]);
    expect(r.json.notes.join('\n')).toContain('a merge brought it back');
  });

  it('a merge that lets the file go reports nothing, nor does a .env the base still tracks', () => {
    const gone = envBack(false);
    const r = range(gone.repo.dir, 'main..pr', []);
    expect(r.code, r.stderr).toBe(0);
    expect(r.findings).toEqual([]);
    const { repo } = envBack(true);
    repo.git('checkout', '-q', 'main');
    repo.write({ 'app/.env': 'DATABASE_URL=${DATABASE_URL}\n' });
    repo.git('add', '-f', 'app/.env');
    repo.git('commit', '-q', '-m', 'tracked again, on main');
    const held = range(repo.dir, 'main..pr', []);
    expect(held.code, held.stderr).toBe(0);
    expect(held.findings).toEqual([]);
  });
});

describe('--pre-receive: a push whose merge brings back a token the server\'s main removed', () => {
  it('refuses the branch and its push onto main', () => {
    const server = makeRepo({ bare: true }).dir;
    const client = makeRepo({ files: { 'README.md': 'hello\n' } });
    client.git('remote', 'add', 'origin', server);
    const push = (...args: string[]) => {
      const p = spawnSync('git', ['push', 'origin', ...args], { cwd: client.dir, env: { ...process.env, ...GIT_IDENTITY, NO_COLOR: '1', HOME: client.dir }, encoding: 'utf8' });
      return { code: p.status ?? -1, out: p.stdout + p.stderr };
    };
    // The token and its removal reached the server before the hook was installed.
    const { token } = mergeBack('ours', client);
    expect(push('main').code).toBe(0);
    expect(cli(['install', '--hook', 'pre-receive'], server, { HOME: server }).code).toBe(0);
    for (const target of ['pr', 'pr:main']) {
      const r = push(target);
      expect(r.code, r.out).not.toBe(0);
      expect(r.out).toContain('remote: secret-guard: push refused');
      expect(r.out).toContain(PATH);
      expect(r.out).toContain('a merge brought it back');
      expect(r.out).not.toContain(token);
    }
    // The clean resolution passes.
    client.git('checkout', '-q', '-b', 'clean', 'pr~1');
    expect(() => client.git('merge', '-q', 'main')).toThrow();
    client.git('checkout', '--theirs', '--', PATH);
    client.git('add', PATH);
    client.git('commit', '-q', '--no-edit');
    const ok = push('clean');
    expect(ok.code, ok.out).toBe(0);
  });

  it('accepts a feature branch that merges main, whose tip already holds a token on the server', () => {
    // A gate installed on a repository whose main still holds an old token: merging main into a
    // branch brings the token in, not back. The walk excuses it (the merge's other parent has it);
    // the net change of the branch's push (its old tip → its new one) must too.
    const token = fakeToken();
    const server = makeRepo({ bare: true }).dir;
    const client = makeRepo({ files: { 'README.md': 'hello\n' } });
    client.git('remote', 'add', 'origin', server);
    client.git('checkout', '-q', '-b', 'feature');
    client.commit({ 'src/app.js': 'console.log(1)\n' }, 'feature work');
    client.git('checkout', '-q', 'main');
    client.commit({ [PATH]: `POSTMARK_SERVER_TOKEN=${token}\n` }, 'mail settings');
    const push = (target: string) => {
      const p = spawnSync('git', ['push', 'origin', target], { cwd: client.dir, env: { ...process.env, ...GIT_IDENTITY, NO_COLOR: '1', HOME: client.dir }, encoding: 'utf8' });
      return { code: p.status ?? -1, out: p.stdout + p.stderr };
    };
    expect(push('main').code).toBe(0);
    expect(push('feature').code).toBe(0);
    expect(cli(['install', '--hook', 'pre-receive'], server, { HOME: server }).code).toBe(0);
    client.git('checkout', '-q', 'feature');
    client.git('merge', '-q', '--no-edit', 'main');
    const r = push('feature');
    expect(r.code, r.out).toBe(0);
    expect(r.out).not.toContain(token);
  });

  it('refuses a push whose merge keeps a .env the server\'s main stopped tracking', () => {
    const server = makeRepo({ bare: true }).dir;
    const client = makeRepo({ files: { 'README.md': 'hello\n' } });
    client.git('remote', 'add', 'origin', server);
    envBack(true, client);
    const push = (target: string) => {
      const p = spawnSync('git', ['push', 'origin', target], { cwd: client.dir, env: { ...process.env, ...GIT_IDENTITY, NO_COLOR: '1', HOME: client.dir }, encoding: 'utf8' });
      return { code: p.status ?? -1, out: p.stdout + p.stderr };
    };
    expect(push('main').code).toBe(0);
    expect(cli(['install', '--hook', 'pre-receive'], server, { HOME: server }).code).toBe(0);
    const r = push('pr');
    expect(r.code, r.out).not.toBe(0);
    expect(r.out).toContain('app/.env');
    expect(r.out).toContain('a merge brought it back');
    expect(r.out).not.toContain('hunter2');
  });
});

describe('--pre-push: the same push, judged on the client', () => {
  it('stops the new branch and its push onto main, against what the remote holds', () => {
    const server = makeRepo({ bare: true }).dir;
    const { repo, token, merge } = mergeBack('ours');
    repo.git('remote', 'add', 'origin', server);
    repo.git('push', '-q', 'origin', 'main');
    repo.git('fetch', '-q', 'origin');
    const zero = '0'.repeat(40);
    const onMain = repo.git('rev-parse', 'origin/main').trim();
    for (const line of [`refs/heads/pr ${merge} refs/heads/pr ${zero}`, `refs/heads/pr ${merge} refs/heads/main ${onMain}`]) {
      const r = cli(['scan', '--pre-push', 'origin', server], repo.dir, {}, `${line}\n`);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout + r.stderr).toContain(`${merge.slice(0, 12)}  ${PATH}:1`);
      expect(r.stdout + r.stderr).toContain('a merge brought it back');
      expect(r.stdout + r.stderr).not.toContain(token);
    }
  });
});
