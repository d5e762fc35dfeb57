/**
 * How merges are judged by the three range-like modes, in real repositories pushed to a real bare
 * server: `scan --range OLD..NEW` (a CI job on the push), `--pre-receive` (the server's hook) and
 * `--pre-push` (the client's hook). The history a server holds when the gate is installed is
 * whatever it is: old tokens on main or on other branches, tracked .env files.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, cli } from './helpers/cli.js';
import { cleanupAll, fakeToken, GIT_IDENTITY, makeRepo, type Repo } from './helpers/repo.js';
import { scanHistoryJson } from './helpers/report.js';

afterAll(cleanupAll);

const PATH = 'config/mail.env.example';
const CLEAN = 'POSTMARK_SERVER_TOKEN=${POSTMARK_SERVER_TOKEN}\n';
const line = (token: string, extra = '') => `POSTMARK_SERVER_TOKEN=${token}\n${extra}`;

interface World {
  client: Repo;
  server: string;
  /** Installs the server's pre-receive hook and the client's pre-push hook (the gate arrives now). */
  gate(): void;
  /** A push only the server's hook judges. */
  receive(...args: string[]): { code: number; out: string };
  /** The same push, judged only by the client's hook (--dry-run: nothing is sent). */
  prePush(...args: string[]): { code: number; out: string };
  /** A push with no hook on either side (the history before the gate). */
  plain(...args: string[]): void;
}

function world(): World {
  const client = makeRepo({ files: { '.gitignore': 'node_modules/\n', 'README.md': 'hello\n' } });
  mkdirSync(join(client.dir, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(BIN, join(client.dir, 'node_modules', '.bin', 'secret-guard'));
  const server = makeRepo({ bare: true }).dir;
  client.git('remote', 'add', 'origin', server);
  const git = (args: string[]) => {
    const p = spawnSync('git', args, { cwd: client.dir, env: { ...process.env, ...GIT_IDENTITY, NO_COLOR: '1', HOME: client.dir }, encoding: 'utf8' });
    return { code: p.status ?? -1, out: p.stdout + p.stderr };
  };
  let gated = false;
  return {
    client,
    server,
    gate() {
      expect(cli(['install', '--hook', 'pre-receive'], server, { HOME: server }).code).toBe(0);
      expect(cli(['install', '--hook', 'pre-push'], client.dir, { HOME: client.dir }).code).toBe(0);
      gated = true;
    },
    receive: (...args) => {
      const r = git(['push', '--no-verify', 'origin', ...args]);
      // The client's tracking refs follow what the server accepted, as after a real push.
      git(['fetch', '-q', 'origin']);
      return r;
    },
    prePush: (...args) => git(['push', '--dry-run', 'origin', ...args]),
    plain: (...args) => {
      expect(gated).toBe(false);
      const r = git(['push', '-q', 'origin', ...args]);
      expect(r.code, r.out).toBe(0);
      git(['fetch', '-q', 'origin']);
    },
  };
}

/** A fresh client and server (no gate yet), and a token to leak. */
function withToken(): { w: World; client: Repo; token: string } {
  const w = world();
  return { w, client: w.client, token: fakeToken() };
}

/**
 * main held a token when the gate arrived; `feature`, from there, edits the file keeping it
 * (pushed: it carries the token, it introduces nothing); main then removes it (pushed).
 */
function featureCarriesWhatMainRemoved(): { w: World; client: Repo; token: string } {
  const { w, client, token } = withToken();
  client.commit({ [PATH]: line(token) }, 'mail settings');
  w.plain('main');
  w.gate();
  client.git('checkout', '-q', '-b', 'feature');
  client.commit({ [PATH]: line(token, 'MAIL_FROM=ops@example.com\n') }, 'sender address');
  expect(w.receive('feature').code).toBe(0);
  client.git('checkout', '-q', 'main');
  client.commit({ [PATH]: CLEAN }, 'read the token from the environment');
  expect(w.receive('main').code).toBe(0);
  return { w, client, token };
}

/**
 * The gate arrives on a server whose main already holds a token and a tracked .env, committed
 * after `feature` forked from it; both branches are on the server.
 */
function oldLeaksOnMain(): { w: World; client: Repo; token: string } {
  const { w, client, token } = withToken();
  client.git('checkout', '-q', '-b', 'feature');
  client.commit({ 'src/app.js': 'console.log(1)\n' }, 'feature work');
  client.git('checkout', '-q', 'main');
  client.commit({ [PATH]: line(token), 'app/.env': 'DATABASE_URL=postgres://app:hunter2@db.internal/app\n' }, 'mail settings');
  w.plain('main', 'feature');
  w.gate();
  return { w, client, token };
}

/** The gate arrives on a server whose main committed a token (`old`) and then removed it. */
function removedOnMain(): { w: World; client: Repo; token: string; old: string } {
  const { w, client, token } = withToken();
  const old = client.commit({ [PATH]: line(token) }, 'mail settings');
  client.commit({ [PATH]: CLEAN }, 'read the token from the environment');
  w.plain('main');
  w.gate();
  return { w, client, token, old };
}

const rev = (repo: Repo, what: string) => repo.git('rev-parse', what).trim();
const range = (dir: string, spec: string, tokens: string[]) => scanHistoryJson(dir, ['--range', spec], tokens);

type Verdict = 'refused' | 'accepted';
const verdict = (code: number): Verdict => (code === 0 ? 'accepted' : 'refused');

/**
 * The push of `refs` judged by each mode: the client's hook (dry run), a CI job's range
 * `from..to` (when given), then the server's hook (the real push, last: it moves the refs).
 * `shown` must be in what each refusal prints; no secret in `tokens` may be printed.
 */
function judged(w: World, refs: string[], opts: { range?: string; shown: string; tokens?: string[] }): Record<string, Verdict> {
  const out: Record<string, Verdict> = {};
  const seen = (text: string) => {
    for (const t of opts.tokens ?? []) expect(text).not.toContain(t);
  };
  const pp = w.prePush(...refs);
  seen(pp.out);
  if (pp.code !== 0) expect(pp.out).toContain(opts.shown);
  out.prePush = verdict(pp.code);
  if (opts.range) {
    const r = range(w.client.dir, opts.range, opts.tokens ?? []);
    expect(r.code === 0 || r.code === 1, r.stderr).toBe(true);
    if (r.code === 1) expect(r.findings.map((f) => f.file)).toContain(opts.shown);
    out.range = verdict(r.code);
  }
  const pr = w.receive(...refs);
  seen(pr.out);
  if (pr.code !== 0) expect(pr.out).toContain(opts.shown);
  out.preReceive = verdict(pr.code);
  return out;
}

describe('misses: what a merge puts back on a branch that removed it', () => {
  it('main merging a feature branch the server already holds, resolved to keep the token main removed, is refused by every mode', () => {
    // The feature branch forked while main held the token, and edited the file (the token only
    // carried along: its commit introduces nothing). main then removed the token; merging the
    // feature into main and resolving the conflict to the feature's side puts it back on main.
    const { w, client, token } = featureCarriesWhatMainRemoved();
    const before = rev(client, 'main');
    expect(() => client.git('merge', '-q', 'feature')).toThrow();
    client.git('checkout', '--theirs', '--', PATH);
    client.git('add', PATH);
    client.git('commit', '-q', '--no-edit');
    expect(client.git('diff', before, 'main', '--', PATH)).toContain(`+POSTMARK_SERVER_TOKEN=${token}`);

    // A CI job on the push (before..after) sees it: the feature's commits are in its range. The
    // gates must too: the feature branch being on the server already does not make the token
    // main's again.
    expect(judged(w, ['main'], { range: `${before}..main`, shown: PATH, tokens: [token] })).toEqual({ prePush: 'refused', range: 'refused', preReceive: 'refused' });
  });

  it('the same with a .env main stopped tracking, kept by the merge of a feature branch the server holds', () => {
    const w = world();
    const { client } = w;
    client.commit({ 'app/.env': 'DATABASE_URL=postgres://app:hunter2@db.internal/app\n' }, 'local settings');
    w.plain('main');
    w.gate();
    client.git('checkout', '-q', '-b', 'feature');
    client.commit({ 'app/.env': 'DATABASE_URL=postgres://app:hunter2@db.internal/app\nMAIL_FROM=ops@example.com\n' }, 'sender address');
    expect(w.receive('feature').code).toBe(0);
    client.git('checkout', '-q', 'main');
    client.git('rm', '-q', '--cached', 'app/.env');
    client.commit({ '.gitignore': 'node_modules/\n.env\n' }, 'stop tracking .env');
    expect(w.receive('main').code).toBe(0);
    const before = rev(client, 'main');
    expect(() => client.git('merge', '-q', 'feature')).toThrow(); // modify/delete
    client.git('add', '-f', 'app/.env');
    client.git('commit', '-q', '--no-edit');
    expect(client.git('diff', '--name-status', before, 'main')).toMatch(/^A\tapp\/\.env$/m);

    expect(judged(w, ['main'], { range: `${before}..main`, shown: 'app/.env' })).toEqual({ prePush: 'refused', range: 'refused', preReceive: 'refused' });
  });

  it('main merging a branch made from an old commit of main that still held the token, resolved to its side, is refused by every mode', () => {
    // Abuse of "a merged-in parent the server holds had it": the branch never touched the file; it
    // only starts before main removed the token. Its push brings nothing new; the merge that takes
    // the file from it puts the token back on main.
    const { w, client, token, old } = removedOnMain();
    client.git('checkout', '-q', '-b', 'old-settings', old);
    client.commit({ 'docs/mail.md': 'how mail is sent\n' }, 'notes');
    expect(w.receive('old-settings').code).toBe(0);
    client.git('checkout', '-q', 'main');
    const before = rev(client, 'main');
    client.git('merge', '-q', '--no-ff', '--no-commit', 'old-settings');
    client.git('checkout', 'old-settings', '--', PATH);
    client.git('commit', '-q', '--no-edit');
    expect(client.git('diff', before, 'main', '--', PATH)).toContain(`+POSTMARK_SERVER_TOKEN=${token}`);
    expect(judged(w, ['main'], { range: `${before}..main`, shown: PATH, tokens: [token] })).toEqual({ prePush: 'refused', range: 'refused', preReceive: 'refused' });
  });

  /**
   * main held a token; `feature`, from there, edits the file keeping it (pushed: it introduces
   * nothing); main removes it (pushed); `feature` merges main, resolving the conflict to its side.
   */
  function featureKeptToken(): { w: World; token: string; before: string } {
    const { w, client, token } = featureCarriesWhatMainRemoved();
    client.git('checkout', '-q', 'feature');
    expect(() => client.git('merge', '-q', 'main')).toThrow();
    client.git('checkout', '--ours', '--', PATH);
    client.git('add', PATH);
    client.git('commit', '-q', '--no-edit');
    return { w, token, before: rev(client, 'main') };
  }

  it('that feature branch and main pushed onto it in one push is refused by both gates', () => {
    const { w, token } = featureKeptToken();
    expect(judged(w, ['feature', 'feature:main'], { shown: PATH, tokens: [token] })).toEqual({ prePush: 'refused', preReceive: 'refused' });
  });
});

describe('false refusals: what the server already held, merged in ordinary ways', () => {
  it('a feature branch rebased onto a main that held a token and a .env before the gate, then merging a topic, force-pushed, is accepted', () => {
    // The gate is installed on a repository with old leaks on main. Rebasing a branch onto main and
    // merging a topic branch brings none of them: every pushed commit inherits them from main.
    const { w, client, token } = oldLeaksOnMain();
    client.git('checkout', '-q', 'feature');
    client.git('rebase', '-q', 'main');
    client.git('checkout', '-q', '-b', 'topic');
    client.commit({ 'src/topic.js': 'console.log(2)\n' }, 'topic work');
    client.git('checkout', '-q', 'feature');
    client.git('merge', '-q', '--no-ff', '--no-edit', 'topic');
    // A pull request's CI (main..feature) finds nothing new; neither may the gates.
    expect(judged(w, ['+feature'], { range: 'main..feature', shown: PATH, tokens: [token] })).toEqual({ prePush: 'accepted', range: 'accepted', preReceive: 'accepted' });
  });

  /**
   * A release branch that got a token before the gate (on the server since), which merges main to
   * take its fixes: the merge's first parent is the release, its second main.
   */
  function releaseMergedMain(): { w: World; token: string } {
    const { w, client, token } = withToken();
    client.git('checkout', '-q', '-b', 'release');
    client.commit({ [PATH]: line(token) }, 'release settings');
    client.git('checkout', '-q', 'main');
    client.commit({ 'src/app.js': 'console.log(1)\n' }, 'a fix');
    w.plain('main', 'release');
    w.gate();
    client.git('checkout', '-q', 'release');
    client.git('merge', '-q', '--no-edit', 'main');
    return { w, token };
  }

  it('a release branch that merged main, pushed to the release and then to main, is accepted both times', () => {
    const { w, token } = releaseMergedMain();
    expect(judged(w, ['release'], { shown: PATH, tokens: [token] })).toEqual({ prePush: 'accepted', preReceive: 'accepted' });
    expect(judged(w, ['release:main'], { shown: PATH, tokens: [token] })).toEqual({ prePush: 'accepted', preReceive: 'accepted' });
  });

  it('the same push of the release and of main at once is accepted too (or main alone): the release brought the token, which the server holds', () => {
    const { w, token } = releaseMergedMain();
    expect(judged(w, ['release:main'], { shown: PATH, tokens: [token] })).toEqual({ prePush: 'accepted', preReceive: 'accepted' });
    const again = releaseMergedMain();
    expect(judged(again.w, ['release', 'release:main'], { shown: PATH, tokens: [again.token] })).toEqual({ prePush: 'accepted', preReceive: 'accepted' });
  });
});

describe('--pre-push when the remote\'s value of the ref is not in the clone', () => {
  it('a force-push over a colleague\'s commit the clone never fetched, with a merge, on a main that held a token before the gate, is accepted as the server accepts it', () => {
    // `git push --force` after a rebase or a reset, while someone else pushed to the branch: git
    // gives the hook the remote's value, which this clone does not have. Nothing the push brings
    // is new; the server's hook, which has that commit, accepts the same push.
    const { w, client, token } = withToken();
    client.commit({ [PATH]: line(token) }, 'mail settings');
    client.git('checkout', '-q', '-b', 'feature');
    client.commit({ 'src/app.js': 'console.log(1)\n' }, 'feature work');
    w.plain('main', 'feature');
    w.gate();
    const colleague = makeRepo();
    colleague.git('fetch', '-q', w.server, 'feature');
    colleague.git('checkout', '-q', '-b', 'feature', 'FETCH_HEAD');
    colleague.commit({ 'src/other.js': 'console.log(2)\n' }, 'colleague work');
    colleague.git('push', '-q', w.server, 'feature');
    client.git('checkout', '-q', '-b', 'topic');
    client.commit({ 'src/topic.js': 'console.log(3)\n' }, 'topic work');
    client.git('checkout', '-q', 'feature');
    client.git('merge', '-q', '--no-ff', '--no-edit', 'topic');
    expect(judged(w, ['+feature'], { shown: PATH, tokens: [token] })).toEqual({ prePush: 'accepted', preReceive: 'accepted' });
  });
});

describe('what already behaves (kept so that a fix of the above cannot undo it)', () => {
  it('a feature branch merging main repeatedly while main holds an old token and a .env, pushed with main and a tag at once, is accepted', () => {
    const { w, client, token } = oldLeaksOnMain();
    client.git('checkout', '-q', 'feature');
    client.git('merge', '-q', '--no-edit', 'main');
    expect(judged(w, ['feature'], { range: 'main..feature', shown: PATH, tokens: [token] })).toEqual({ prePush: 'accepted', range: 'accepted', preReceive: 'accepted' });
    client.git('checkout', '-q', 'main');
    client.commit({ 'src/other.js': 'console.log(3)\n' }, 'more on main');
    expect(w.receive('main').code).toBe(0);
    client.git('checkout', '-q', 'feature');
    client.commit({ 'src/app.js': 'console.log(2)\n' }, 'more feature work');
    client.git('merge', '-q', '--no-edit', 'main');
    client.git('tag', '-a', '-m', 'first cut', 'v1');
    expect(judged(w, ['feature', 'feature:main', 'v1'], { range: 'origin/main..feature', shown: PATH, tokens: [token] })).toEqual({ prePush: 'accepted', range: 'accepted', preReceive: 'accepted' });
  });

  it('a merge whose other parent is an old commit of main that still held the token is refused by every mode', () => {
    // git will not merge an ancestor; a merge made by hand (commit-tree) can name one, and
    // resolve the file to its side: the walk excuses it (the other parent holds the token), the
    // net change must not.
    const { w, client, token, old } = removedOnMain();
    const before = rev(client, 'main');
    client.write({ [PATH]: line(token) });
    client.git('add', PATH);
    const tree = client.git('write-tree').trim();
    const merge = client.git('commit-tree', tree, '-p', before, '-p', old, '-m', `Merge ${old.slice(0, 7)}`).trim();
    client.git('update-ref', 'refs/heads/main', merge);
    expect(judged(w, ['main'], { range: `${before}..main`, shown: PATH, tokens: [token] })).toEqual({ prePush: 'refused', range: 'refused', preReceive: 'refused' });
  });

  it('an evil merge (a token neither parent holds) is refused by every mode', () => {
    const { w, client, token } = withToken();
    client.commit({ [PATH]: CLEAN }, 'mail settings');
    w.plain('main');
    w.gate();
    client.git('checkout', '-q', '-b', 'feature');
    client.commit({ 'src/app.js': 'console.log(1)\n' }, 'feature work');
    expect(w.receive('feature').code).toBe(0);
    client.git('checkout', '-q', 'main');
    const before = rev(client, 'main');
    client.git('merge', '-q', '--no-ff', '--no-commit', 'feature');
    client.write({ [PATH]: line(token) });
    client.git('add', PATH);
    client.git('commit', '-q', '--no-edit');
    expect(judged(w, ['main'], { range: `${before}..main`, shown: PATH, tokens: [token] })).toEqual({ prePush: 'refused', range: 'refused', preReceive: 'refused' });
  });

  it('an octopus merge of main (holding an old token and a .env) and a server branch into a feature branch is accepted, and so is main taking it', () => {
    const { w, client, token } = withToken();
    client.git('checkout', '-q', '-b', 'a');
    client.commit({ 'src/a.js': '1\n' }, 'a');
    client.git('checkout', '-q', '-b', 'b', 'main');
    client.commit({ 'src/b.js': '1\n' }, 'b');
    client.git('checkout', '-q', 'main');
    client.commit({ [PATH]: line(token), 'app/.env': 'X=1\n' }, 'old leak');
    w.plain('main', 'a', 'b');
    w.gate();
    client.git('checkout', '-q', '-b', 'c', 'a');
    client.commit({ 'src/c.js': '1\n' }, 'c');
    client.git('merge', '-q', '--no-edit', 'main', 'b');
    expect(judged(w, ['c'], { range: 'main..c', shown: PATH, tokens: [token] })).toEqual({ prePush: 'accepted', range: 'accepted', preReceive: 'accepted' });
    client.git('checkout', '-q', 'a');
    client.git('merge', '-q', '--no-edit', 'b', 'main');
    expect(judged(w, ['a', 'a:main'], { range: 'origin/main..a', shown: PATH, tokens: [token] })).toEqual({ prePush: 'accepted', range: 'accepted', preReceive: 'accepted' });
  });

  it('a file holding an old token, renamed on a feature branch that then merges main\'s edit of it, and merged into main, is accepted', () => {
    const { w, client, token } = withToken();
    client.commit({ 'config/old.env.example': line(token, 'A=1\nB=2\nC=3\n') }, 'mail settings');
    w.plain('main');
    w.gate();
    client.git('checkout', '-q', '-b', 'feature');
    client.git('mv', 'config/old.env.example', PATH);
    client.commit({}, 'move');
    expect(w.receive('feature').code).toBe(0);
    client.git('checkout', '-q', 'main');
    client.commit({ 'config/old.env.example': line(token, 'A=1\nB=2\nC=4\n') }, 'main edits');
    expect(w.receive('main').code).toBe(0);
    client.git('checkout', '-q', 'feature');
    client.git('merge', '-q', '--no-edit', 'main');
    expect(judged(w, ['feature'], { range: 'main..feature', shown: PATH, tokens: [token] })).toEqual({ prePush: 'accepted', range: 'accepted', preReceive: 'accepted' });
    client.git('checkout', '-q', 'main');
    client.commit({ 'src/x.js': '1\n' }, 'main work');
    expect(w.receive('main').code).toBe(0);
    client.git('merge', '-q', '--no-edit', 'feature');
    expect(judged(w, ['main'], { range: 'origin/main..main', shown: PATH, tokens: [token] })).toEqual({ prePush: 'accepted', range: 'accepted', preReceive: 'accepted' });
  });
});
