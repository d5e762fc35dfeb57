/**
 * The hook never harms the commit: `scan --staged` (what the pre-commit hook runs) only reads.
 * In a repository with staged, unstaged, partially staged and untracked changes, and a work
 * tree whose stat information is stale (the case where `git status` would rewrite the index,
 * which the test checks it does, so the snapshot is known to see such a write),
 * every byte and timestamp under .git and in the work tree is the same afterwards. With no
 * findings it prints nothing at all; run from a real pre-commit hook, a clean commit's output is
 * what it would be without the hook.
 */
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, readdirSync, readFileSync, readlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliAsync } from './helpers/cli-async.js';
import { BIN } from './helpers/cli.js';
import { cleanupAll, fakeToken, gitIn, makeRepo, type Repo } from './helpers/repo.js';

afterAll(cleanupAll);

/** Every path under `dir` with its type, mode, size, mtime and content hash. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const abs = join(d, name);
      const st = lstatSync(abs);
      const rel = relative(dir, abs);
      if (st.isDirectory()) {
        out.set(rel, `dir ${st.mode.toString(8)} ${st.mtimeMs}`);
        walk(abs);
      } else if (st.isSymbolicLink()) {
        out.set(rel, `link ${readlinkSync(abs)} ${st.mtimeMs}`);
      } else {
        out.set(rel, `file ${st.mode.toString(8)} ${st.size} ${st.mtimeMs} ${st.ino} ${createHash('sha256').update(readFileSync(abs)).digest('hex')}`);
      }
    }
  };
  walk(dir);
  return out;
}

function expectUnchanged(before: Map<string, string>, after: Map<string, string>, label: string): void {
  const changed = [...new Set([...before.keys(), ...after.keys()])].filter((k) => before.get(k) !== after.get(k)).map((k) => `${k}: ${before.get(k) ?? '(none)'} -> ${after.get(k) ?? '(none)'}`);
  expect(changed, label).toEqual([]);
}

/**
 * Staged: a new file and a modified one. Unstaged: a modification. Partially staged: one change
 * in the index, another on top in the work tree. Untracked: a file and a folder.
 */
function busyRepo(withToken: boolean): { repo: Repo; token: string } {
  const token = fakeToken();
  const repo = makeRepo({
    files: {
      'README.md': '# app\n',
      'src/app.js': 'const a = 1;\n',
      'src/partial.txt': 'one\ntwo\nthree\n',
      'src/unstaged.txt': 'same\n',
    },
  });
  repo.write({ 'src/new.js': withToken ? `const postmark = require('postmark');\nconst c = new postmark.ServerClient('${token}');\n` : 'export const b = 2;\n', 'src/app.js': 'const a = 2;\n' });
  repo.git('add', 'src/new.js', 'src/app.js');
  repo.write({ 'src/partial.txt': 'one\ntwo (staged)\nthree\n' });
  repo.git('add', 'src/partial.txt');
  repo.write({
    'src/partial.txt': 'one\ntwo (staged)\nthree (unstaged)\n',
    'src/unstaged.txt': 'changed, not staged\n',
    'untracked.txt': 'scratch\n',
    'tmp/notes.md': 'notes\n',
  });
  return { repo, token };
}

/** Moves every tracked file's mtime (same content): the index's stat data goes stale. */
function makeStale(repo: Repo): void {
  const later = new Date(Date.now() + 120_000);
  for (const f of ['README.md', 'src/app.js', 'src/partial.txt', 'src/unstaged.txt', 'src/new.js']) utimesSync(join(repo.dir, f), later, later);
}

describe('scan --staged only reads', () => {
  for (const withToken of [false, true]) {
    it(`${withToken ? 'with' : 'without'} a finding: the index, .git and the work tree are byte for byte and mtime for mtime the same`, async () => {
      const { repo } = busyRepo(withToken);
      const status = repo.git('status', '--porcelain=v1');
      // status itself may refresh the index; the snapshot is taken after it.
      expect(status).toContain('MM src/partial.txt');
      expect(status).toContain('A  src/new.js');
      expect(status).toContain('?? untracked.txt');
      makeStale(repo);
      const before = snapshot(repo.dir);
      const r = await cliAsync(['scan', '--staged'], repo.dir);
      expect(r.code, r.stderr).toBe(withToken ? 1 : 0);
      expectUnchanged(before, snapshot(repo.dir), 'after scan --staged');
      for (const format of ['json', 'sarif'] as const) {
        await cliAsync(['scan', '--staged', '--format', format], repo.dir);
        expectUnchanged(before, snapshot(repo.dir), `after scan --staged --format ${format}`);
      }
      // The control: a plain `git status` here does rewrite the index, and the snapshot sees it.
      repo.git('status', '--porcelain=v1');
      expect(snapshot(repo.dir).get('.git/index')).not.toBe(before.get('.git/index'));
    });
  }

  it('the other modes only read too', async () => {
    const { repo } = busyRepo(true);
    repo.git('status', '--porcelain=v1');
    makeStale(repo);
    const before = snapshot(repo.dir);
    // Each run must have completed (a run that died parsing its flags reads nothing and proves nothing).
    const runs: Array<[string[], number]> = [[['scan'], 1], [['scan', '--history'], 0], [['scan', '--range', 'HEAD..HEAD'], 0], [['rules'], 0]];
    for (const [args, code] of runs) {
      const r = await cliAsync(args, repo.dir);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(code);
      expectUnchanged(before, snapshot(repo.dir), args.join(' '));
    }
  });

  it('with no findings it prints nothing, in every state a commit can be in', async () => {
    const { repo } = busyRepo(false);
    const r = await cliAsync(['scan', '--staged'], repo.dir);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
    // A finding silenced inline is no finding either.
    repo.write({ 'src/allowed.js': `const c = new postmark.ServerClient('${fakeToken()}'); // secret-guard:allow test fixture\n` });
    repo.git('add', 'src/allowed.js');
    expect(await cliAsync(['scan', '--staged'], repo.dir)).toEqual({ code: 0, stdout: '', stderr: '' });
    // The working-tree scan keeps its summary: a person ran it and wants to know what it read.
    expect((await cliAsync(['scan'], repo.dir)).stdout).toMatch(/no findings · \d+ files scanned/);
  });

  it('from a real pre-commit hook: a clean commit prints what it would without the hook; a token blocks it', () => {
    const { repo, token } = busyRepo(false);
    const hook = join(repo.dir, '.git', 'hooks', 'pre-commit');
    writeFileSync(hook, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" scan --staged\n`);
    chmodSync(hook, 0o755);
    const commit = (msg: string) => {
      try {
        return { code: 0, out: gitIn(repo.dir, ['commit', '-q', '-m', msg], { NO_COLOR: '1' }) };
      } catch (err) {
        const e = err as { status: number; stdout: string; stderr: string };
        return { code: e.status, out: `${e.stdout}${e.stderr}` };
      }
    };
    expect(commit('clean')).toEqual({ code: 0, out: '' });
    repo.write({ 'deploy.sh': `export POSTMARK_SERVER_TOKEN=${token}\n` });
    repo.git('add', 'deploy.sh');
    const blocked = commit('leak');
    expect(blocked.code).toBe(1);
    expect(blocked.out).toMatch(/deploy\.sh:1:\d+ +error +Postmark Server API token/);
    expect(blocked.out).not.toContain(token);
    expect(repo.git('log', '--format=%s')).toBe('clean\ninitial\n');
  });
});
