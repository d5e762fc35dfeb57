/**
 * The hook never harms the commit: `scan --staged` (what the pre-commit hook runs) only reads.
 * In a repository with staged, unstaged, partially staged and untracked changes, and a work
 * tree whose stat information is stale (the case where `git status` would rewrite the index,
 * which the test checks it does, so the snapshot is known to see such a write),
 * every byte and timestamp under .git and in the work tree is the same afterwards. With no
 * findings it prints nothing but one line for each staged file it could not read (binary, too
 * large, an encoding it cannot decode); run from a real pre-commit hook, a clean commit's output
 * is otherwise what it would be without the hook.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, lstatSync, readdirSync, readFileSync, readlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliAsync } from './helpers/cli-async.js';
import { BIN } from './helpers/cli.js';
import { cleanupAll, fakeToken, makeRepo, type Repo } from './helpers/repo.js';

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

  it('names, one line each, the staged files it passed over; a binary with no keyword passes, a file over the limit with one stops the commit', async () => {
    const { repo } = busyRepo(false);
    repo.commit({ '.secret-guard.json': '{"maxFileSize": "2kB"}' }, 'config');
    repo.write({
      'assets/logo.png': Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]), Buffer.alloc(64, 7)]),
      // Over the limit with no keyword: searched, can hold no finding, not named.
      'logs/plain.log': `${'x'.repeat(3000)}\n`,
      'docs/small.md': '# fine\n',
    });
    repo.git('add', 'assets', 'logs', 'docs');
    const binary = 'secret-guard: not scanned: assets/logo.png: binary';
    expect(await cliAsync(['scan', '--staged'], repo.dir)).toEqual({ code: 0, stdout: '', stderr: `${binary}\n` });
    repo.write({ 'logs/big.log': `${'x'.repeat(3000)}\npostmark\n` });
    repo.git('add', 'logs');
    const lines = [
      binary,
      'secret-guard: not scanned: logs/big.log: 3010 bytes, over --max-file-size (a rule keyword is in it)',
      'secret-guard: 1 file over --max-file-size not read, so the commit is stopped (exit 2): a check that cannot read a file cannot vouch for it.',
      'Raise maxFileSize or add such paths to ignorePaths in .secret-guard.json.',
    ];
    expect(await cliAsync(['scan', '--staged'], repo.dir)).toEqual({ code: 2, stdout: '', stderr: `${lines.join('\n')}\n` });
    // --quiet asks for findings only on stdout; what was not read is still said.
    expect((await cliAsync(['scan', '--staged', '--quiet'], repo.dir)).stderr).toBe(`${lines.join('\n')}\n`);
    // With a finding the report is printed as before, and the unread files are named beside it.
    repo.write({ 'deploy.sh': `export POSTMARK_SERVER_TOKEN=${fakeToken()}\n` });
    repo.git('add', 'deploy.sh');
    const blocked = await cliAsync(['scan', '--staged'], repo.dir);
    expect(blocked.code).toBe(1);
    expect(blocked.stdout).toMatch(/^deploy\.sh\n  1:\d+ /m);
    const either = [lines[0], lines[1], 'secret-guard: 1 file over --max-file-size not read either.', lines[3]];
    expect(blocked.stderr).toBe(`${either.join('\n')}\n`);
  });

  it('from a real pre-commit hook: a clean commit prints what it would without the hook; a token blocks it', () => {
    const { repo, token } = busyRepo(false);
    const hook = join(repo.dir, '.git', 'hooks', 'pre-commit');
    writeFileSync(hook, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" scan --staged\n`);
    chmodSync(hook, 0o755);
    // Both streams, as the person committing sees them.
    const commit = (msg: string) => {
      const who = { GIT_AUTHOR_NAME: 'Test Author', GIT_AUTHOR_EMAIL: 'author@example.com', GIT_COMMITTER_NAME: 'Test Author', GIT_COMMITTER_EMAIL: 'author@example.com' };
      const r = spawnSync('git', ['commit', '-q', '-m', msg], { cwd: repo.dir, env: { ...process.env, ...who, GIT_CONFIG_NOSYSTEM: '1', HOME: repo.dir, NO_COLOR: '1' }, encoding: 'utf8' });
      return { code: r.status, out: `${r.stdout}${r.stderr}` };
    };
    expect(commit('clean')).toEqual({ code: 0, out: '' });
    // A file the hook could not read does not stop the commit, and is named.
    repo.write({ 'assets/icon.ico': Buffer.from([0, 0, 1, 0, 1, 0, 16, 16, 0, 0]) });
    repo.git('add', 'assets/icon.ico');
    expect(commit('icon')).toEqual({ code: 0, out: 'secret-guard: not scanned: assets/icon.ico: binary\n' });
    repo.write({ 'deploy.sh': `export POSTMARK_SERVER_TOKEN=${token}\n` });
    repo.git('add', 'deploy.sh');
    const blocked = commit('leak');
    expect(blocked.code).toBe(1);
    expect(blocked.out).toMatch(/^deploy\.sh\n  1:\d+ +error +Postmark Server API token/m);
    expect(blocked.out).not.toContain(token);
    expect(repo.git('log', '--format=%s')).toBe('icon\nclean\ninitial\n');
  });
});
