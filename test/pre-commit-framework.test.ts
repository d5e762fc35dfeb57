/**
 * The pre-commit framework, for real: this project as it is now (the files git would commit,
 * committed into a fresh repository) is the hook repository; a consumer repository points
 * `.pre-commit-config.yaml` at it by path and commit sha. pre-commit clones it and installs it
 * with npm as it installs every node hook (`npm install` with devDependencies, so `prepare`
 * builds; `npm pack`; a global install of the tarball), then real `git commit`s run the hook.
 *
 * It needs `pre-commit` and the npm registry, and installs once per pre-commit (about a minute).
 * Without pre-commit it is skipped with a line saying how to get it, except under CI, where .ci/run
 * installs it and its absence fails (a skipped test there would pass for a broken manifest).
 *
 * pre-commit 4.4 and later install differently (`npm install -g git+file://<clone>`, where npm
 * builds the clone itself), so the run covers each pre-commit it is given: the one on PATH, and
 * those SG_TEST_PRE_COMMIT_ALSO names (paths, separated as in PATH). .ci/run gives Debian's 3.0.4
 * on PATH and PyPI's newest in a venv.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupAll, fakeToken, GIT_IDENTITY, tempDir } from './helpers/repo.js';
import { copiesByVersion, needTool } from './helpers/tools.js';

const ON_PATH = needTool('pre-commit', 'the pre-commit framework tests');

/** Each pre-commit to test, one per version: the one on PATH and those SG_TEST_PRE_COMMIT_ALSO names. */
function preCommits(): Array<{ bin: string; version: string }> {
  return copiesByVersion(ON_PATH, 'SG_TEST_PRE_COMMIT_ALSO', (bin) => {
    const r = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    const version = /pre-commit (\S+)/.exec(`${r.stdout}`)?.[1];
    if (r.status !== 0 || !version) throw new Error(`${bin} --version: ${r.stdout}${r.stderr}${r.error ?? ''}`);
    return version;
  });
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const home = tempDir('sg-pc-home-');
const ENV: NodeJS.ProcessEnv = {
  // npm's own variables from an enclosing `npm test` (prefixes, user config) must not reach the
  // npm that pre-commit runs; only the download cache is shared, to save the network, and taken
  // as it is when it holds a package (as package-install.test.ts's --prefer-offline does).
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))),
  npm_config_cache: process.env.npm_config_cache ?? join(homedir(), '.npm'),
  npm_config_prefer_offline: 'true',
  HOME: home,
  PRE_COMMIT_COLOR: 'never',
  NO_COLOR: '1',
  ...GIT_IDENTITY,
};

function run(cmd: string, args: string[], cwd: string): { code: number; out: string } {
  const r: SpawnSyncReturns<string> = spawnSync(cmd, args, { cwd, env: ENV, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

function ok(cmd: string, args: string[], cwd: string): string {
  const r = run(cmd, args, cwd);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}:\n${r.out}`);
  return r.out;
}

/** The project as a fresh commit: tracked and untracked-not-ignored files, as they are on disk. */
function snapshotProject(): { dir: string; sha: string } {
  const dir = tempDir('sg-pc-hookrepo-');
  const files = ok('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], ROOT).split('\0').filter(Boolean);
  for (const f of files) {
    const from = join(ROOT, f);
    if (!existsSync(from)) continue; // deleted in the work tree, not yet in the index
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    copyFileSync(from, join(dir, f));
    chmodSync(join(dir, f), statSync(from).mode & 0o777);
  }
  ok('git', ['init', '-q'], dir);
  ok('git', ['add', '-A'], dir);
  ok('git', ['commit', '-q', '-m', 'snapshot'], dir);
  return { dir, sha: ok('git', ['rev-parse', 'HEAD'], dir).trim() };
}

afterAll(cleanupAll);

// Without pre-commit, one skipped suite: a file with none fails the run (`npm test` must pass without it).
const copies = preCommits();
for (const { bin, version } of copies.length ? copies : [{ bin: '', version: 'not installed' }]) {
  describe.skipIf(!bin)(`the pre-commit framework (${version}) installs and runs the hooks from a git repository`, () => {
    let consumer = '';
    const head = () => ok('git', ['rev-parse', 'HEAD'], consumer).trim();

    beforeAll(() => {
      // A cache of its own: pre-commit versions keep different databases in it.
      ENV.PRE_COMMIT_HOME = tempDir('sg-pc-cache-');
      const hooks = snapshotProject();
      consumer = tempDir('sg-pc-consumer-');
      ok('git', ['init', '-q', '-b', 'main'], consumer);
      writeFileSync(
        join(consumer, '.pre-commit-config.yaml'),
        ['repos:', `  - repo: ${hooks.dir}`, `    rev: ${hooks.sha}`, '    hooks:', '      - id: secret-guard', '      - id: secret-guard-history', ''].join('\n'),
      );
      ok('git', ['add', '.pre-commit-config.yaml'], consumer);
      ok('git', ['commit', '-q', '-m', 'pre-commit config'], consumer);
      ok(bin, ['install'], consumer);
      ok(bin, ['install-hooks'], consumer);
    }, 600_000);

    it('lets a clean commit through (a MessageID is not a credential) and the history hook passes on a clean history', () => {
      writeFileSync(join(consumer, 'notes.md'), 'Delivered. MessageID: 0a129aee-e1cd-480d-b08d-4f48548ff48d\n');
      ok('git', ['add', 'notes.md'], consumer);
      const before = head();
      const r = run('git', ['commit', '-m', 'clean'], consumer);
      expect(r.out).toMatch(/secret-guard \(Postmark credentials in the staged change\)\.+Passed/);
      expect(r.code).toBe(0);
      expect(head()).not.toBe(before);
      const history = run(bin, ['run', '--hook-stage', 'manual', 'secret-guard-history'], consumer);
      expect(history.out).toMatch(/Passed/);
      expect(history.code).toBe(0);
    });

    it('stops a commit that stages a token, showing it redacted', () => {
      const token = fakeToken();
      writeFileSync(join(consumer, 'mail.env.txt'), `POSTMARK_SERVER_TOKEN=${token}\n`);
      ok('git', ['add', 'mail.env.txt'], consumer);
      const before = head();
      const r = run('git', ['commit', '-m', 'leak'], consumer);
      expect(r.code).not.toBe(0);
      expect(r.out).toMatch(/Failed/);
      expect(r.out).toContain('postmark-server-token');
      expect(r.out).toContain(`${token.slice(0, 4)}…`);
      expect(r.out).not.toContain(token);
      expect(head()).toBe(before);

      // Committed anyway (--no-verify): the manual history hook finds it.
      ok('git', ['commit', '-q', '--no-verify', '-m', 'leak anyway'], consumer);
      const history = run(bin, ['run', '--hook-stage', 'manual', 'secret-guard-history'], consumer);
      expect(history.code).not.toBe(0);
      expect(history.out).toContain(`${token.slice(0, 4)}…`);
      expect(history.out).not.toContain(token);
    });

    it('stops the commit when the scan cannot complete (exit 2: an invalid config)', () => {
      writeFileSync(join(consumer, '.secret-guard.json'), '{"ignorePath": ["typo"]}\n');
      ok('git', ['add', '.secret-guard.json'], consumer);
      const before = head();
      const r = run('git', ['commit', '-m', 'broken config'], consumer);
      expect(r.code).not.toBe(0);
      expect(r.out).toContain('exit code: 2');
      expect(r.out).toContain('ignorePath');
      expect(head()).toBe(before);
    });
  });
}
