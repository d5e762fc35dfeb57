/**
 * The two install paths that work while the package is not published, for real:
 * - `npm pack` of this project (as git would commit it), then `npm install --save-dev ./<tgz>` in
 *   a scratch project: the tarball holds the build (dist/, the compiled rules) and no `prepare`,
 *   so the install needs no TypeScript and npm prints no install-script warning;
 * - `npm install --save-dev git+file://<repo>#<sha>` (standing in for git+https://…#<sha>): npm
 *   clones at the commit and the `prepare` script builds it; the same with --global.
 * Then `npx --no secret-guard scan` in the scratch project finds a token there. Needs the npm
 * registry (or npm's cache) for the dependencies.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyModules } from './helpers/modules.js';
import { checkoutTempDir, cleanupAll, fakeToken, GIT_IDENTITY, tempDir } from './helpers/repo.js';

afterAll(cleanupAll);

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; scripts: Record<string, string> };

const ENV: NodeJS.ProcessEnv = {
  // npm's variables from an enclosing `npm test` must not reach these npm runs; the cache is shared.
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k))),
  npm_config_cache: process.env.npm_config_cache ?? join(homedir(), '.npm'),
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  NO_COLOR: '1',
  ...GIT_IDENTITY,
};

function run(cmd: string, args: string[], cwd: string): { code: number; out: string; stdout: string } {
  const r = spawnSync(cmd, args, { cwd, env: { ...ENV, HOME: cwd }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

function ok(cmd: string, args: string[], cwd: string): string {
  const r = run(cmd, args, cwd);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}:\n${r.out}`);
  return r.out;
}

/** The project as git would commit it (tracked and untracked-not-ignored files), in a fresh repository. */
function snapshotProject(): { dir: string; sha: string; files: string[] } {
  // Beside the checkout: its node_modules is linked in below.
  const dir = checkoutTempDir('sg-pkg-src-');
  const files = ok('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], ROOT).split('\0').filter((f) => f && existsSync(join(ROOT, f)));
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    copyFileSync(join(ROOT, f), join(dir, f));
    chmodSync(join(dir, f), statSync(join(ROOT, f)).mode & 0o777);
  }
  ok('git', ['init', '-q'], dir);
  ok('git', ['add', '--', ...files], dir);
  ok('git', ['commit', '-q', '-m', 'snapshot'], dir);
  return { dir, sha: ok('git', ['rev-parse', 'HEAD'], dir).trim(), files };
}

/** A user's project: a git repository with node_modules ignored and a token in a config file. */
function scratchProject(): { dir: string; token: string } {
  const dir = tempDir('sg-pkg-user-');
  const token = fakeToken();
  ok('git', ['init', '-q', '-b', 'main'], dir);
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'user-app', version: '1.0.0', private: true }, null, 2)}\n`);
  writeFileSync(join(dir, '.gitignore'), 'node_modules/\n');
  writeFileSync(join(dir, 'mail.env.txt'), `POSTMARK_SERVER_TOKEN=${token}\n`);
  return { dir, token };
}

function expectScanFinds(project: { dir: string; token: string }) {
  const r = run('npx', ['--no', 'secret-guard', 'scan'], project.dir);
  expect(r.code, r.out).toBe(1);
  expect(r.stdout).toMatch(/^mail\.env\.txt\n  1:23 +error +Postmark Server API token \[postmark-server-token\]/m);
  expect(r.out).not.toContain(project.token);
}

let source: ReturnType<typeof snapshotProject>;
beforeAll(() => {
  source = snapshotProject();
}, 120_000);

describe('a packed tarball', () => {
  let tarball = '';
  let listing: string[] = [];
  const marker = `changed after the commit ${fakeToken()}`;

  beforeAll(() => {
    // The build needs the devDependencies: this checkout's, as a clone's `npm install` would have
    // them. And the checkout's build, as a clone that has built holds one (.tsbuildinfo is tsc's
    // record of it), with one source changed since: prepack's build must compile it again, and the
    // tarball hold what it made. (The build from nothing is the git URL's, below.)
    copyModules(source.dir);
    for (const p of ['dist', '.tsbuildinfo']) ok('cp', ['-a', join(ROOT, p), join(source.dir, p)], ROOT);
    appendFileSync(join(source.dir, 'src', 'index.ts'), `\n// ${marker}\n`);
    // And one in the CLI's entry, whose bundle (dist/bundle/, what bin/ loads) must follow it.
    appendFileSync(join(source.dir, 'src', 'cli', 'main.ts'), `\nexport const packMarker = ${JSON.stringify(marker)};\n`);
    const dest = tempDir('sg-pkg-tgz-');
    ok('npm', ['pack', '--pack-destination', dest], source.dir);
    tarball = join(dest, readdirSync(dest).find((f) => f.endsWith('.tgz'))!);
    listing = ok('tar', ['tzf', tarball], dest).split('\n').filter(Boolean);
  }, 180_000);

  it('holds the build of the sources as they are, the rules, README and LICENSE, no sources; its package.json has no prepare; the checkout is left as it was', () => {
    expect(tarball.endsWith(`${pkg.name}-${pkg.version}.tgz`)).toBe(true);
    for (const f of ['bin/secret-guard.js', 'dist/cli/main.js', 'dist/bundle/main.js', 'dist/bundle/history-worker.js', 'dist/bundle/worktree-worker.js', 'dist/rules.json', 'rules/postmark-server-token.yml', 'README.md', 'LICENSE', 'package.json']) {
      expect(listing, f).toContain(`package/${f}`);
    }
    expect(listing.filter((f) => /^package\/(src|test|bench|fixtures|scripts|action)\/|tsbuildinfo/.test(f))).toEqual([]);
    expect(ok('tar', ['xzOf', tarball, 'package/dist/index.js'], source.dir)).toContain(marker);
    expect(ok('tar', ['xzOf', tarball, 'package/dist/bundle/main.js'], source.dir)).toContain(marker);
    const packed = JSON.parse(ok('tar', ['xzOf', tarball, 'package/package.json'], source.dir)) as typeof pkg;
    expect(packed.scripts.prepare).toBeUndefined();
    expect(packed.version).toBe(pkg.version);
    // postpack put package.json back byte for byte and left nothing behind.
    expect(readFileSync(join(source.dir, 'package.json'), 'utf8')).toBe(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(existsSync(join(source.dir, '.package.json.prepack'))).toBe(false);
  });

  it('installs as a devDependency without TypeScript and without an install-script warning; npx --no secret-guard scan finds the token', () => {
    const project = scratchProject();
    const install = run('npm', ['install', '--save-dev', '--prefer-offline', tarball], project.dir);
    expect(install.code, install.out).toBe(0);
    expect(install.out).not.toMatch(/install-scripts|allowScripts|prepare|tsc|warn/i);
    expect(existsSync(join(project.dir, 'node_modules', 'typescript'))).toBe(false);
    expect(existsSync(join(project.dir, 'node_modules', 'secret-guard', 'dist', 'rules.json'))).toBe(true);
    expectScanFinds(project);
  }, 180_000);

  it('in a monorepo: installed in web/, `cd web && npx --no secret-guard install`, and a commit from the root or from web/ that adds a token is blocked', () => {
    const dir = tempDir('sg-pkg-mono-');
    ok('git', ['init', '-q', '-b', 'main'], dir);
    writeFileSync(join(dir, '.gitignore'), 'node_modules/\n');
    mkdirSync(join(dir, 'web', 'src'), { recursive: true });
    writeFileSync(join(dir, 'web', 'package.json'), `${JSON.stringify({ name: 'web', version: '1.0.0', private: true }, null, 2)}\n`);
    const web = join(dir, 'web');
    expect(run('npm', ['install', '--save-dev', '--prefer-offline', tarball], web).code).toBe(0);
    const install = run('npx', ['--no', 'secret-guard', 'install'], web);
    expect(install.code, install.out).toBe(0);
    expect(install.out).not.toMatch(/warn|cannot find/i);
    ok('git', ['add', '-A'], dir);
    ok('git', ['commit', '-q', '-m', 'start'], dir);
    const token = fakeToken();
    writeFileSync(join(web, 'src', 'mail.js'), `const postmark = require('postmark');\nconst client = new postmark.ServerClient('${token}');\n`);
    ok('git', ['add', '-A'], dir);
    for (const from of [dir, web]) {
      const c = run('git', ['commit', '-q', '-m', 'send mail'], from);
      expect(c.code, c.out).toBe(1);
      expect(c.out).toContain('secret-guard: commit blocked — 1 credential in the staged change');
      expect(c.out).not.toContain(token);
    }
    writeFileSync(join(web, 'src', 'mail.js'), "const postmark = require('postmark');\nconst client = new postmark.ServerClient(process.env.POSTMARK_SERVER_TOKEN);\n");
    ok('git', ['add', '-A'], dir);
    const clean = run('git', ['commit', '-q', '-m', 'send mail'], web);
    expect(clean.code, clean.out).toBe(0);
    expect(clean.out).toBe('');
  }, 180_000);

  it("the CI examples' jobs, run as they would be, use secret-guard as the base commit pins it: a pull request that points the devDependency at a package of its own is still checked by the base's", () => {
    const dir = tempDir('sg-pkg-ci-');
    ok('git', ['init', '-q', '-b', 'main'], dir);
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'user-app', version: '1.0.0', private: true }, null, 2)}\n`);
    writeFileSync(join(dir, '.gitignore'), 'node_modules/\n');
    mkdirSync(join(dir, 'vendor'));
    copyFileSync(tarball, join(dir, 'vendor', 'secret-guard.tgz'));
    ok('npm', ['install', '--save-dev', '--prefer-offline', './vendor/secret-guard.tgz'], dir);
    ok('git', ['add', '-A'], dir);
    ok('git', ['commit', '-q', '-m', 'secret-guard, pinned'], dir);
    const base = ok('git', ['rev-parse', 'HEAD'], dir).trim();
    // The pull request: its own "secret-guard", which passes everything, and a token.
    mkdirSync(join(dir, 'tools', 'sg'), { recursive: true });
    writeFileSync(join(dir, 'tools', 'sg', 'package.json'), JSON.stringify({ name: 'secret-guard', version: '9.9.9', bin: { 'secret-guard': 'bin.js' } }));
    writeFileSync(join(dir, 'tools', 'sg', 'bin.js'), '#!/usr/bin/env node\nprocess.exit(0);\n', { mode: 0o755 });
    ok('npm', ['install', '--save-dev', '--prefer-offline', './tools/sg'], dir);
    const token = fakeToken();
    writeFileSync(join(dir, 'mail.js'), `const postmark = require('postmark');\nconst client = new postmark.ServerClient('${token}');\n`);
    ok('git', ['add', '-A'], dir);
    ok('git', ['commit', '-q', '-m', 'send mail'], dir);
    const head = ok('git', ['rev-parse', 'HEAD'], dir).trim();
    // What the examples did before: install in the checkout, run what it installed. The pull request's own tool passes it.
    const checkout = tempDir('sg-pkg-ci-pr-');
    ok('git', ['clone', '-q', dir, checkout], dir);
    ok('npm', ['ci', '--prefer-offline'], checkout);
    expect(run('npx', ['--no', 'secret-guard', 'scan', '--range', `${base}..${head}`], checkout).code).toBe(0);
    for (const file of ['github-actions.yml', 'gitlab-ci.yml']) {
      const job = tempDir('sg-pkg-ci-job-');
      const ws = join(job, 'ws');
      ok('git', ['clone', '-q', dir, ws], job);
      ok('git', ['checkout', '-q', '--detach', head], ws);
      const lines = ciLines(file, { 'github.event.pull_request.base.sha': base, 'github.event.pull_request.head.sha': head }).map((l) => l.replaceAll('/tmp/secret-guard-base', join(job, 'secret-guard-base')));
      const env = { ...ENV, HOME: job, RUNNER_TEMP: job, CI_MERGE_REQUEST_DIFF_BASE_SHA: base, CI_MERGE_REQUEST_SOURCE_BRANCH_SHA: head, CI_COMMIT_SHA: head, NO_COLOR: '1' };
      // A GitHub step is a shell of its own, started in the workspace; GitLab's script is one shell.
      let r = spawnSync('true');
      for (const script of file.startsWith('gitlab') ? [lines.join('\n')] : lines) {
        r = spawnSync('bash', ['-e', '-c', script], { cwd: ws, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
        if (r.status !== 0) break;
      }
      expect(r.status, `${file}:\n${r.stdout}${r.stderr}`).toBe(1);
      expect(`${r.stdout}${r.stderr}`).not.toContain(token);
      const report = file.startsWith('gitlab') ? readFileSync(join(ws, 'gl-secret-detection-report.json'), 'utf8') : readFileSync(join(ws, 'secret-guard.sarif'), 'utf8');
      expect(report).toContain('mail.js');
      expect(report).toContain('postmark-hardcoded-client');
    }
  }, 300_000);
});

/** A CI example's shell lines: GitHub's `run` steps (with `${{ … }}` given) or GitLab's `script`. */
function ciLines(file: string, vars: Record<string, string>): string[] {
  const doc = parseYaml(readFileSync(join(ROOT, 'examples', file), 'utf8'));
  const raw: string[] = file.startsWith('gitlab') ? doc['secret-guard'].script : doc.jobs.secrets.steps.filter((st: { run?: string }) => st.run).map((st: { run: string; env?: Record<string, string> }) => [...Object.entries(st.env ?? {}).map(([k, v]) => `export ${k}="${v}"`), st.run].join('\n'));
  return raw.map((l) => l.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (_m, name: string) => vars[name] ?? `\${{ ${name} }}`));
}

describe('a git URL pinned to a commit', () => {
  it('installs with npm install git+file://…#<sha>: npm runs the prepare build in its clone; npx --no secret-guard scan finds the token', () => {
    const project = scratchProject();
    const spec = `git+file://${source.dir}#${source.sha}`;
    const install = run('npm', ['install', '--save-dev', '--prefer-offline', spec], project.dir);
    expect(install.code, install.out).toBe(0);
    const saved = JSON.parse(readFileSync(join(project.dir, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    expect(saved.devDependencies['secret-guard']).toBe(spec);
    // Built by prepare in npm's clone (dist/ is not in git).
    expect(existsSync(join(project.dir, 'node_modules', 'secret-guard', 'dist', 'rules.json'))).toBe(true);
    expect(existsSync(join(project.dir, 'node_modules', 'typescript'))).toBe(false);
    expectScanFinds(project);
  }, 300_000);

  // --install-links: without it npm 11 links the global package to its clone, then deletes the clone.
  it('installs globally with npm install -g --install-links git+file://…#<sha> (a server\'s push gate; pre-commit 4.4+ installs so too): npm hands `global` down to the prepare build, which installs its tools in the clone itself', () => {
    const project = scratchProject();
    const prefix = tempDir('sg-pkg-global-');
    const install = run('npm', ['install', '--global', '--install-links', '--prefix', prefix, '--prefer-offline', `git+file://${source.dir}#${source.sha}`], project.dir);
    expect(install.code, install.out).toBe(0);
    const bin = join(prefix, 'bin', 'secret-guard');
    const r = run(bin, ['scan'], project.dir);
    expect(r.code, r.out).toBe(1);
    expect(r.stdout).toMatch(/^mail\.env\.txt\n  1:23 +error +Postmark Server API token \[postmark-server-token\]/m);
    expect(r.out).not.toContain(project.token);
  }, 300_000);
});
