/**
 * `secret-guard install` in real repositories, and the hook it writes run by real `git commit`s:
 * where it goes (core.hooksPath, worktrees), what it does to a hook that is not ours, and that the
 * hook is silent on a clean change, stops the commit on findings, on exit 2 and when secret-guard
 * cannot be found or cannot run, and changes nothing.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CHAINED, MARKER } from '../src/commands/install.js';
import { BIN, cli } from './helpers/cli.js';
import { cleanupAll, fakeToken, GIT_IDENTITY, makeRepo, tempDir, type Repo } from './helpers/repo.js';

afterAll(cleanupAll);

const IDENTITY = { ...GIT_IDENTITY, NO_COLOR: '1' };

/** PATH without any folder that holds a secret-guard, so only what a test puts there is found. */
const PATH = (process.env.PATH ?? '').split(delimiter).filter((d) => d && !existsSync(join(d, 'secret-guard'))).join(delimiter);

const env = (repo: Repo, extra: Record<string, string> = {}) => ({ ...process.env, ...IDENTITY, HOME: repo.dir, PATH, ...extra });

function install(repo: Repo, args: string[] = [], cwd = repo.dir) {
  return cli(['install', ...args], cwd, { HOME: repo.dir, PATH });
}

function commit(repo: Repo, message: string, extra: Record<string, string> = {}) {
  const r = spawnSync('git', ['commit', '-q', '-m', message], { cwd: repo.dir, env: env(repo, extra), encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr, out: r.stdout + r.stderr };
}

/** Runs the installed hook the way git does: from the top of the work tree. */
function runHook(repo: Repo, file: string) {
  const r = spawnSync(file, [], { cwd: repo.dir, env: env(repo), encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout + r.stderr };
}

/** A repository whose node_modules/.bin holds this build of secret-guard, as a devDependency would. */
function project(): Repo {
  const repo = makeRepo({ files: { '.gitignore': 'node_modules/\n', 'README.md': 'hello\n' } });
  mkdirSync(join(repo.dir, 'node_modules', '.bin'), { recursive: true });
  symlinkSync(BIN, join(repo.dir, 'node_modules', '.bin', 'secret-guard'));
  return repo;
}

const head = (repo: Repo) => repo.git('rev-parse', 'HEAD').trim();
const leak = () => {
  const token = fakeToken();
  return { token, text: `POSTMARK_SERVER_TOKEN=${token}\n` };
};
const hookOf = (repo: Repo) => join(repo.dir, '.git', 'hooks', 'pre-commit');

describe('secret-guard install: the hook file', () => {
  it('writes an executable, marked hook; a second run finds it up to date and an older one of ours is updated', () => {
    const repo = project();
    const r = install(repo);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('installed the secret-guard pre-commit hook in .git/hooks/pre-commit');
    expect(r.stderr).toBe('');
    const file = hookOf(repo);
    const bytes = readFileSync(file, 'utf8');
    expect(bytes).toContain(MARKER);
    expect(statSync(file).mode & 0o111).toBe(0o111);

    const again = install(repo);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('up to date');
    expect(readFileSync(file, 'utf8')).toBe(bytes);

    writeFileSync(file, `#!/bin/sh\n# ${MARKER} (an older secret-guard)\nexit 0\n`);
    const updated = install(repo);
    expect(updated.code).toBe(0);
    expect(updated.stdout).toContain('updated');
    expect(readFileSync(file, 'utf8')).toBe(bytes);
  });

  it('goes where core.hooksPath points, relative to the work tree, also when run from a subdirectory', () => {
    const repo = project();
    repo.commit({ 'src/app.js': 'x\n' });
    repo.git('config', 'core.hooksPath', '.githooks');
    const r = install(repo, [], join(repo.dir, 'src'));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('.githooks/pre-commit');
    expect(existsSync(join(repo.dir, '.githooks', 'pre-commit'))).toBe(true);
    expect(existsSync(hookOf(repo))).toBe(false);

    const before = head(repo);
    const { token, text } = leak();
    repo.write({ 'config.env.txt': text });
    repo.git('add', 'config.env.txt');
    const c = commit(repo, 'leak');
    expect(c.code).not.toBe(0);
    expect(c.out).toContain(`${token.slice(0, 4)}…`);
    expect(head(repo)).toBe(before);
  });

  it('from a linked worktree, writes to the hooks folder the worktrees share', () => {
    const repo = project();
    const wt = join(tempDir(), 'wt');
    repo.git('worktree', 'add', '-q', wt);
    const r = cli(['install'], wt, { HOME: repo.dir, PATH });
    expect(r.code).toBe(0);
    expect(existsSync(hookOf(repo))).toBe(true);
  });

  it('refuses a core.hooksPath from the global config (it would run in every repository) unless --force', () => {
    const repo = project();
    const shared = tempDir();
    writeFileSync(join(repo.dir, '.gitconfig'), `[core]\n\thooksPath = ${shared}\n`);
    const r = install(repo);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('global git config');
    expect(r.stderr).toContain('--force');
    expect(existsSync(join(shared, 'pre-commit'))).toBe(false);
    expect(install(repo, ['--force']).code).toBe(0);
    expect(readFileSync(join(shared, 'pre-commit'), 'utf8')).toContain(MARKER);
  });

  it('refuses outside a repository and in a bare one (exit 2)', () => {
    const outside = cli(['install'], tempDir(), { PATH });
    expect(outside.code).toBe(2);
    expect(outside.stderr).toContain('not inside one');
    const bare = makeRepo({ bare: true });
    const r = install(bare);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bare repository');
    expect(install(project(), ['--force', '--chain']).code).toBe(2);
  });
});

describe('secret-guard install: a hook that is not ours', () => {
  const FOREIGN = '#!/bin/sh\n# lint-staged or similar\nexit 0\n';

  it('is left byte for byte as it was, and the message names --chain and --force', () => {
    const repo = project();
    writeFileSync(hookOf(repo), FOREIGN, { mode: 0o755 });
    const r = install(repo);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not secret-guard');
    expect(r.stderr).toContain('--chain');
    expect(r.stderr).toContain('--force');
    expect(readFileSync(hookOf(repo), 'utf8')).toBe(FOREIGN);
    expect(existsSync(join(repo.dir, '.git', 'hooks', CHAINED))).toBe(false);
  });

  it("points to .pre-commit-config.yaml when it is the pre-commit framework's hook", () => {
    const repo = project();
    const framework = '#!/usr/bin/env bash\n# File generated by pre-commit: https://pre-commit.com\n# ID: 138fd403232d2ddd5efb44317e38bf03\nexit 0\n';
    writeFileSync(hookOf(repo), framework, { mode: 0o755 });
    const r = install(repo);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('.pre-commit-config.yaml');
    expect(readFileSync(hookOf(repo), 'utf8')).toBe(framework);
  });

  it('--force replaces it', () => {
    const repo = project();
    writeFileSync(hookOf(repo), FOREIGN, { mode: 0o755 });
    const r = install(repo, ['--force']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('was not secret-guard');
    expect(readFileSync(hookOf(repo), 'utf8')).toContain(MARKER);
  });

  it('--chain keeps it running first: its failure stops the commit with its exit code, and its success leaves the scan to decide', () => {
    const repo = project();
    const failing = '#!/bin/sh\necho "chained hook says no" >&2\nexit 3\n';
    writeFileSync(hookOf(repo), failing, { mode: 0o755 });
    const r = install(repo, ['--chain']);
    expect(r.code).toBe(0);
    const chained = join(repo.dir, '.git', 'hooks', CHAINED);
    expect(readFileSync(chained, 'utf8')).toBe(failing);
    expect(readFileSync(hookOf(repo), 'utf8')).toContain(MARKER);
    expect(install(repo).stdout).toContain('up to date');

    repo.write({ 'clean.txt': 'nothing here\n' });
    repo.git('add', 'clean.txt');
    const direct = runHook(repo, hookOf(repo));
    expect(direct.code).toBe(3);
    expect(direct.out).toContain('chained hook says no');
    const blocked = commit(repo, 'clean but the chained hook fails');
    expect(blocked.code).not.toBe(0);
    expect(blocked.out).toContain('chained hook says no');

    writeFileSync(chained, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const { token, text } = leak();
    repo.write({ 'deploy.env.txt': text });
    repo.git('add', 'deploy.env.txt');
    const leaked = commit(repo, 'leak');
    expect(leaked.code).not.toBe(0);
    expect(leaked.out).toContain(`${token.slice(0, 4)}…`);
    expect(leaked.out).not.toContain(token);
  });

  it('--chain will not overwrite an earlier chained hook', () => {
    const repo = project();
    writeFileSync(hookOf(repo), FOREIGN, { mode: 0o755 });
    writeFileSync(join(repo.dir, '.git', 'hooks', CHAINED), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
    const r = install(repo, ['--chain']);
    expect(r.code).toBe(2);
    expect(readFileSync(hookOf(repo), 'utf8')).toBe(FOREIGN);
  });

  it('--uninstall removes ours and puts a chained hook back; a hook that is not ours is left alone', () => {
    const repo = project();
    writeFileSync(hookOf(repo), FOREIGN, { mode: 0o755 });
    expect(install(repo, ['--uninstall']).code).toBe(2);
    expect(readFileSync(hookOf(repo), 'utf8')).toBe(FOREIGN);
    expect(install(repo, ['--chain']).code).toBe(0);
    const r = install(repo, ['--uninstall']);
    expect(r.code).toBe(0);
    expect(readFileSync(hookOf(repo), 'utf8')).toBe(FOREIGN);
    expect(existsSync(join(repo.dir, '.git', 'hooks', CHAINED))).toBe(false);
    expect(install(repo, ['--uninstall']).code).toBe(2);
  });
});

describe('the installed hook in real commits', () => {
  it('lets a clean commit through with no output, and stops one that stages a token, showing it redacted', () => {
    const repo = project();
    expect(install(repo).code).toBe(0);
    // A Postmark MessageID is UUID-shaped and is not a credential.
    repo.write({ 'notes.md': 'Sent; MessageID: 0a129aee-e1cd-480d-b08d-4f48548ff48d\n' });
    repo.git('add', 'notes.md');
    const clean = commit(repo, 'clean');
    expect(clean).toMatchObject({ code: 0, stdout: '', stderr: '' });

    const before = head(repo);
    const { token, text } = leak();
    repo.write({ 'config/mail.env.txt': text });
    repo.git('add', 'config/mail.env.txt');
    const blocked = commit(repo, 'leak');
    expect(blocked.code).not.toBe(0);
    expect(blocked.out).toContain('postmark-server-token');
    expect(blocked.out).toContain(`${token.slice(0, 4)}…`);
    expect(blocked.out).not.toContain(token);
    expect(head(repo)).toBe(before);
    expect(repo.git('diff', '--cached', '--name-only')).toContain('config/mail.env.txt');
  });

  it('also stops `git commit -a`, which stages into a temporary index', () => {
    const repo = project();
    repo.commit({ 'app.env.txt': 'POSTMARK_SERVER_TOKEN=\n' });
    expect(install(repo).code).toBe(0);
    const { token, text } = leak();
    repo.write({ 'app.env.txt': text });
    const r = spawnSync('git', ['commit', '-q', '-a', '-m', 'leak'], { cwd: repo.dir, env: env(repo), encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stdout + r.stderr).toContain(`${token.slice(0, 4)}…`);
  });

  it('changes nothing: index, config, work tree and refs are as they were, with findings or without', () => {
    const repo = project();
    expect(install(repo).code).toBe(0);
    const { text } = leak();
    repo.write({ 'clean.txt': 'fine\n', 'leak.env.txt': text });
    for (const staged of [['clean.txt'], ['leak.env.txt']]) {
      repo.git('add', ...staged);
      const snapshot = () => ({
        index: readFileSync(join(repo.dir, '.git', 'index')).toString('base64'),
        config: readFileSync(join(repo.dir, '.git', 'config'), 'utf8'),
        refs: repo.git('for-each-ref'),
        files: repo.git('ls-files', '-o', '--exclude-standard'),
      });
      const before = snapshot();
      runHook(repo, hookOf(repo));
      expect(snapshot()).toEqual(before);
    }
  });

  it('fails closed on exit 2: a scan that cannot complete stops the commit', () => {
    const repo = project();
    expect(install(repo).code).toBe(0);
    repo.write({ '.secret-guard.json': '{"ignorePath": ["typo"]}\n', 'a.txt': 'a\n' });
    repo.git('add', 'a.txt', '.secret-guard.json');
    expect(cli(['scan', '--staged'], repo.dir, { HOME: repo.dir }).code).toBe(2);
    const before = head(repo);
    const r = commit(repo, 'with a broken config');
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('ignorePath');
    expect(head(repo)).toBe(before);
  });

  it('fails closed when secret-guard cannot be found: the commit stops and the message says how to install it', () => {
    const repo = makeRepo({ files: { 'README.md': 'hello\n' } });
    const r = install(repo);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('neither in this repository');
    repo.write({ 'a.txt': 'a\n' });
    repo.git('add', 'a.txt');
    const before = head(repo);
    const c = commit(repo, 'no secret-guard anywhere');
    expect(c.code).not.toBe(0);
    expect(c.out).toContain('cannot find secret-guard');
    // A pinned source, never the bare name: the registry's `secret-guard` is not this package.
    expect(c.out).toContain('npm install --save-dev git+https://<its repository>#<commit>');
    expect(c.out).not.toMatch(/npm install (--save-dev|--global) secret-guard/);
    expect(head(repo)).toBe(before);
  });

  it('fails closed when secret-guard is found on PATH but cannot run (an unbuilt package)', () => {
    const repo = makeRepo({ files: { 'README.md': 'hello\n' } });
    const broken = tempDir();
    mkdirSync(join(broken, 'bin'));
    copyFileSync(BIN, join(broken, 'bin', 'secret-guard'));
    const onPath = join(broken, 'bin');
    spawnSync('chmod', ['+x', join(onPath, 'secret-guard')]);
    expect(cli(['install'], repo.dir, { HOME: repo.dir, PATH: `${onPath}${delimiter}${PATH}` }).stderr).toBe('');
    repo.write({ 'a.txt': 'a\n' });
    repo.git('add', 'a.txt');
    const c = commit(repo, 'broken secret-guard', { PATH: `${onPath}${delimiter}${PATH}` });
    expect(c.code).not.toBe(0);
    expect(c.out).toContain('the scan did not complete');
  });
});

/**
 * Real husky from the npm registry (one small package, a few seconds): husky 9 points
 * core.hooksPath at `.husky/_` and runs `.husky/pre-commit` from there; husky 8 points it at
 * `.husky`, whose scripts are the hooks themselves.
 */
describe.each([
  { husky: 'husky@9', setup: [['init']], hooksPath: '.husky/_' },
  { husky: 'husky@8', setup: [['install'], ['add', '.husky/pre-commit', 'test -f package.json']], hooksPath: '.husky' },
])('under $husky', ({ husky, setup, hooksPath }) => {
  it('adds the scan to husky\'s pre-commit script after what is there, and the commit is blocked or passes through husky', () => {
    const repo = project();
    const npmEnv = {
      ...Object.fromEntries(Object.entries(env(repo)).filter(([k]) => !/^npm_/i.test(k))),
      npm_config_cache: process.env.npm_config_cache ?? join(homedir(), '.npm'),
    };
    const sh = (cmd: string, args: string[]) => {
      const r = spawnSync(cmd, args, { cwd: repo.dir, env: npmEnv, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stdout}${r.stderr}`);
    };
    writeFileSync(join(repo.dir, 'package.json'), '{ "name": "app", "version": "1.0.0", "private": true }\n');
    sh('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefer-offline', husky]);
    // npm rebuilt node_modules/.bin; put this build of secret-guard back as a devDependency would.
    if (!existsSync(join(repo.dir, 'node_modules', '.bin', 'secret-guard'))) symlinkSync(BIN, join(repo.dir, 'node_modules', '.bin', 'secret-guard'));
    for (const args of setup) sh(join(repo.dir, 'node_modules', '.bin', 'husky'), args);
    expect(repo.git('config', 'core.hooksPath').trim()).toBe(hooksPath);
    const script = join(repo.dir, '.husky', 'pre-commit');
    const theirs = readFileSync(script, 'utf8').replace(/npm test\n?$/, 'test -f package.json\n');
    writeFileSync(script, theirs);
    const generated = readdirSync(join(repo.dir, '.husky', '_')).map((f) => [f, readFileSync(join(repo.dir, '.husky', '_', f), 'utf8')]);

    const r = install(repo);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('husky');
    expect(r.stdout).toContain('.husky/pre-commit');
    const ours = readFileSync(script, 'utf8');
    expect(ours.startsWith(theirs)).toBe(true);
    expect(ours).toContain('scan --staged');
    // husky 8's scripts are the git hooks, so they must stay executable; husky 9 runs them with sh.
    if (hooksPath === '.husky') expect(statSync(script).mode & 0o111).toBe(0o111);
    expect(readdirSync(join(repo.dir, '.husky', '_')).map((f) => [f, readFileSync(join(repo.dir, '.husky', '_', f), 'utf8')])).toEqual(generated);
    expect(existsSync(hookOf(repo))).toBe(false);
    expect(install(repo).stdout).toContain('nothing to do');
    expect(readFileSync(script, 'utf8')).toBe(ours);

    repo.git('add', 'package.json', '.husky/pre-commit');
    const clean = commit(repo, 'husky and secret-guard');
    expect(clean.code).toBe(0);
    expect(clean.out).not.toContain('secret-guard');

    const before = head(repo);
    const { token, text } = leak();
    repo.write({ 'mail.env.txt': text });
    repo.git('add', 'mail.env.txt');
    const blocked = commit(repo, 'leak');
    expect(blocked.code).not.toBe(0);
    expect(blocked.out).toContain(`${token.slice(0, 4)}…`);
    expect(blocked.out).not.toContain(token);
    expect(head(repo)).toBe(before);

    expect(install(repo, ['--uninstall']).code).toBe(0);
    expect(readFileSync(script, 'utf8')).toBe(theirs);

    // Without a pre-commit script, install writes one (husky 8's as a hook: shebang, husky.sh,
    // executable), and --uninstall removes what it wrote.
    rmSync(script);
    expect(install(repo).stdout).toContain('created .husky/pre-commit');
    if (hooksPath === '.husky') expect(statSync(script).mode & 0o111).toBe(0o111);
    repo.write({ 'other.env.txt': text });
    repo.git('add', 'other.env.txt');
    expect(commit(repo, 'leak again').code).not.toBe(0);
    expect(head(repo)).toBe(before);
    expect(install(repo, ['--uninstall']).stdout).toContain('removed .husky/pre-commit');
    expect(existsSync(script)).toBe(false);
  }, 180_000);
});

describe('secret-guard install never writes through a link', () => {
  it('refuses a hook path that is a symbolic link, with or without --force, and leaves what it points to alone', () => {
    const repo = project();
    const victim = join(tempDir(), 'elsewhere.sh');
    writeFileSync(victim, '#!/bin/sh\necho theirs\n');
    symlinkSync(victim, hookOf(repo));
    for (const args of [[], ['--force'], ['--chain']]) {
      const r = install(repo, args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('is a symbolic link');
      expect(readFileSync(victim, 'utf8')).toBe('#!/bin/sh\necho theirs\n');
    }
  });

  it("refuses a committed husky script that is a link (.husky/pre-commit pointing elsewhere)", () => {
    const repo = project();
    mkdirSync(join(repo.dir, '.husky', '_'), { recursive: true });
    writeFileSync(join(repo.dir, '.husky', '_', 'h'), '');
    repo.git('config', 'core.hooksPath', '.husky/_');
    const victim = join(tempDir(), 'profile');
    writeFileSync(victim, 'export A=1\n');
    symlinkSync(victim, join(repo.dir, '.husky', 'pre-commit'));
    const r = install(repo);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('.husky/pre-commit is a symbolic link');
    expect(readFileSync(victim, 'utf8')).toBe('export A=1\n');
  });

  it('refuses a hooks folder reached through a committed folder link (.husky -> elsewhere), with husky set up there or not', () => {
    for (const withHusky of [false, true]) {
      const repo = project();
      const elsewhere = tempDir();
      if (withHusky) {
        mkdirSync(join(elsewhere, '_'));
        writeFileSync(join(elsewhere, '_', 'h'), '');
      }
      symlinkSync(elsewhere, join(repo.dir, '.husky'));
      repo.git('add', '.husky');
      repo.git('commit', '-q', '-m', 'husky folder');
      repo.git('config', 'core.hooksPath', '.husky/_');
      for (const args of [[], ['--force'], ['--hook', 'pre-push'], ['--uninstall']]) {
        const r = install(repo, args);
        expect(r.code, r.stdout).toBe(2);
        expect(r.stderr).toContain('.husky is a symbolic link');
      }
      expect(readdirSync(elsewhere).sort()).toEqual(withHusky ? ['_'] : []);
      if (withHusky) expect(readdirSync(join(elsewhere, '_'))).toEqual(['h']);
    }
  });

  it('cannot be redirected by temporary names planted in a shared hooks folder', () => {
    const repo = project();
    const shared = tempDir();
    repo.git('config', 'core.hooksPath', shared);
    const victim = join(tempDir(), 'victim');
    writeFileSync(victim, 'untouched\n');
    // The names a predictable scheme (hook name plus the next process ids) would use.
    const last = Number(readFileSync('/proc/sys/kernel/ns_last_pid', 'utf8'));
    for (let pid = last + 1; pid < last + 3000; pid++) symlinkSync(victim, join(shared, `pre-commit.secret-guard-${pid}`));
    const r = install(repo);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('untouched\n');
    expect(readFileSync(join(shared, 'pre-commit'), 'utf8')).toContain(MARKER);
    expect(readdirSync(shared).filter((n) => !n.startsWith('pre-commit.secret-guard-'))).toEqual(['pre-commit']);
  });

  it('warns when the hooks folder is one that other users can write', () => {
    const repo = project();
    const shared = tempDir();
    spawnSync('chmod', ['0777', shared]);
    repo.git('config', 'core.hooksPath', shared);
    const r = install(repo);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('every user can write it');
    expect(install(project()).stderr).toBe('');
  });
});

describe('secret-guard install --hook pre-receive', () => {
  it('writes the server hook in a bare repository, pointing at this secret-guard; client hooks are refused there', () => {
    const bare = makeRepo({ bare: true });
    const r = install(bare, ['--hook', 'pre-receive']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('installed the secret-guard pre-receive hook in');
    const text = readFileSync(join(bare.dir, 'hooks', 'pre-receive'), 'utf8');
    expect(text).toContain(MARKER);
    expect(text).toContain(BIN);
    expect(text).toContain('scan --pre-receive');
    expect(install(bare, ['--hook', 'pre-receive']).stdout).toContain('up to date');
    const c = install(bare, ['--hook', 'commit-msg']);
    expect(c.code).toBe(2);
    expect(c.stderr).toContain('--hook pre-receive');
    expect(install(bare, ['--hook', 'pre-receive', '--uninstall']).stdout).toContain('removed');
    expect(existsSync(join(bare.dir, 'hooks', 'pre-receive'))).toBe(false);
  });
});

describe('secret-guard install in a monorepo', () => {
  /** The app lives in web/, with secret-guard in web/node_modules (linked to this checkout, as npm links a local package). */
  function monorepo(): Repo {
    const repo = makeRepo({ files: { '.gitignore': 'node_modules/\n', 'README.md': 'monorepo\n', 'web/package.json': '{"name":"web","devDependencies":{"secret-guard":"*"}}\n' } });
    const pkg = join(repo.dir, 'web', 'node_modules');
    mkdirSync(join(pkg, '.bin'), { recursive: true });
    symlinkSync(join(BIN, '..', '..'), join(pkg, 'secret-guard'));
    symlinkSync('../secret-guard/bin/secret-guard.js', join(pkg, '.bin', 'secret-guard'));
    return repo;
  }

  it('`cd web && secret-guard install`: no warning, and commits from the root and from web/ are scanned, not blocked for want of secret-guard', () => {
    const repo = monorepo();
    const r = install(repo, [], join(repo.dir, 'web'));
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');

    repo.write({ 'web/notes.md': 'clean\n' });
    repo.git('add', 'web/notes.md');
    expect(commit(repo, 'clean from the root')).toMatchObject({ code: 0, stdout: '', stderr: '' });

    const before = head(repo);
    const { token, text } = leak();
    repo.write({ 'web/config/mail.env.txt': text });
    repo.git('add', 'web/config/mail.env.txt');
    const fromRoot = commit(repo, 'leak from the root');
    expect(fromRoot.code).toBe(1);
    expect(fromRoot.out).not.toContain('cannot find secret-guard');
    expect(fromRoot.out).toContain(`${token.slice(0, 4)}…`);
    const fromWeb = spawnSync('git', ['commit', '-q', '-m', 'leak from web'], { cwd: join(repo.dir, 'web'), env: env(repo), encoding: 'utf8' });
    expect(fromWeb.status).toBe(1);
    expect(fromWeb.stdout + fromWeb.stderr).toContain(`${token.slice(0, 4)}…`);
    expect(head(repo)).toBe(before);
  });

  it('run from the root, where no secret-guard is installed, install says the hook will not find it', () => {
    const repo = monorepo();
    const r = install(repo);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('neither in this repository');
  });
});
