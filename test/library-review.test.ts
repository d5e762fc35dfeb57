/**
 * Review of the library API (`import { scan } from 'secret-guard'`, the built dist/index.js) as a
 * long-lived tool calls it: a seeded differential. Each run builds a few real repositories with
 * random contents (tokens in the shapes the rules find, clean look-alikes, a file over a size
 * limit with a keyword in it, a config of a random kind, a broken one included, a branch for a
 * range, staged and untracked files; one of them with 2,100 files, which the working-tree scan
 * shares with a worker thread) and draws scans of them with random options in every mode.
 *
 * One node process (a scratch script importing the package by its path) runs each scan alone, one
 * after another (a failed scan followed by the next), then all of them at once in one
 * Promise.all, then all at once again in the reverse order. Oracle: the CLI (`scan --format json
 * --verbose` with the same flags) for each. Every answer must be the same in the three runs; a
 * report must carry the CLI's exit code, findings, suppressed counts, notes and stats; where the
 * CLI exits 2 the scan must reject with a typed error (exitCode 2) and never resolve; no token
 * may appear in a rejection, or in a report without showSecrets.
 *
 * SEED=n replays a run; a failure names its seed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { cliAsync } from './helpers/cli-async.js';
import { cliEnv } from './helpers/cli.js';
import { cleanupAll, GIT_IDENTITY, makeRepo, tempDir, type Repo } from './helpers/repo.js';
import { runSeed, seeded, seededToken, type Random } from './helpers/random.js';

afterAll(() => {
  if (!process.env.KEEP) cleanupAll();
});

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** A file that leaks `t`, or (clean) holds it where no rule may report it. */
function leak(r: Random, t: string, clean: boolean): [string, string] {
  if (clean) {
    return r.pick<[string, string]>([
      ['notes.txt', `request ${t} finished\n`],
      ['config/test.env.example', `POSTMARK_API_TEST=${t}\n`],
      ['src/ids.js', `const GUID = '${t}';\n`],
    ]);
  }
  return r.pick<[string, string]>([
    [r.pick(['deploy/prod.env', 'config/.env.production']), `APP=1\nPOSTMARK_SERVER_TOKEN=${t}\n`],
    [r.pick(['config/mail.yml', 'deploy/values.yaml']), `postmark:\n  server_token: ${t}\n`],
    ['appsettings.json', `{\n  "Postmark": {\n    "ServerToken": "${t}"\n  }\n}\n`],
    [r.pick(['src/mail.js', 'lib/send.ts']), `import postmark from 'postmark';\nconst client = new postmark.ServerClient('${t}');\n`],
    [r.pick(['docs/send.md', 'scripts/send.sh']), `curl https://api.postmarkapp.com/email \\\n  -H "X-Postmark-Server-Token: ${t}"\n`],
    ['config/postmark.yml', `token: "${t}"\n`],
  ]);
}

/** A config of a random kind: none, JSON or YAML settings, or one that does not load. */
function config(r: Random): [string, string] | null {
  switch (r.int(7)) {
    case 0:
    case 1:
      return null;
    case 2:
      return ['.secret-guard.json', JSON.stringify({ failOn: r.pick(['warning', 'none', 'error']) })];
    case 3:
      return ['.secret-guard.yml', `ignorePaths:\n  - "docs/**"\n  - "big/**"\nmaxFileSize: ${r.pick(['1kB', '5MB', '2000'])}\n`];
    case 4:
      return ['.secret-guard.json', JSON.stringify({ severity: { 'postmark-server-token': 'warning' }, disabledRules: ['dotenv-not-ignored'] })];
    case 5:
      return ['.secret-guard.yml', 'failOn: [error\n'];
    default:
      return ['.secret-guard.json', '{"ignorePath": ["x"]}'];
  }
}

interface Built {
  repo: Repo;
  tokens: string[];
}

function buildRepo(r: Random, large: boolean): Built {
  const tokens: string[] = [];
  const files: Record<string, string> = { 'README.md': '# app\n' };
  // Over 2,000 files: the working-tree scan reads them on a worker thread as well as the main one.
  if (large) for (let i = 0; i < 2100; i++) files[`vendor/m${Math.floor(i / 100)}/f${i}.txt`] = i % 300 === 7 ? `POSTMARK_SERVER_TOKEN=${(tokens[tokens.length] = seededToken(r))}\n` : `line ${r.hex(8)}\n`;
  const add = (into: Record<string, string>) => {
    const t = seededToken(r);
    tokens.push(t);
    const [p, body] = leak(r, t, r.chance(0.3));
    into[p] = body;
  };
  for (let i = r.int(3); i >= 0; i--) add(files);
  // A file over a small limit that holds a rule keyword: read only when the limit allows.
  if (r.chance(0.6)) files['big/log.txt'] = `postmark\n${'x'.repeat(1500 + r.int(3000))}\n`;
  const cfg = config(r);
  if (cfg) files[cfg[0]] = cfg[1];
  const repo = makeRepo({ files });
  repo.git('checkout', '-q', '-b', 'feature');
  for (let c = r.int(3); c >= 0; c--) {
    const more: Record<string, string> = {};
    add(more);
    repo.commit(more, `feature ${c}`);
  }
  const staged: Record<string, string> = {};
  add(staged);
  repo.write(staged);
  repo.git('add', '-A');
  const work: Record<string, string> = {};
  add(work);
  repo.write(work);
  return { repo, tokens };
}

type Options = Record<string, unknown>;

/** Random options for a scan of `repo`, and the same as the CLI's flags. */
function drawOptions(r: Random, repo: Repo): { options: Options; flags: string[] } {
  const options: Options = { cwd: repo.dir };
  const flags: string[] = [];
  const mode = r.pick(['worktree', 'worktree', 'staged', 'history', 'range']);
  if (mode === 'range') {
    // Now and then a base that is a token pasted by mistake: rejected, and never quoted whole.
    const range = r.chance(0.2) ? `${seededToken(r)}..feature` : 'main..feature';
    options.range = range;
    flags.push('--range', range);
    if (r.chance(0.5)) options.mode = 'range';
  } else {
    if (mode !== 'worktree' || r.chance(0.5)) options.mode = mode;
    if (mode !== 'worktree') flags.push(`--${mode}`);
    else if (r.chance(0.3)) {
      const paths = repo.git('ls-files').split('\n').filter((p) => p && r.chance(0.5));
      if (paths.length) options.paths = paths;
    }
  }
  if (r.chance(0.4)) {
    options.failOn = r.pick(['error', 'warning', 'info', 'none']);
    flags.push('--fail-on', String(options.failOn));
  }
  if (r.chance(0.4)) {
    options.maxFileSize = r.pick<number | string>(['1kB', 1000, '5MB', 100_000]);
    flags.push('--max-file-size', String(options.maxFileSize));
  }
  if (r.chance(0.3)) {
    options.onUnread = r.pick(['accept', 'refuse']);
    flags.push('--on-unread', String(options.onUnread));
  }
  if (r.chance(0.25)) {
    options.config = false;
    flags.push('--no-config');
  } else if (r.chance(0.2)) {
    // A config of the caller's own, outside the repository.
    const file = join(tempDir('sg-libcfg-'), r.pick(['ci.json', 'ci.yml']));
    writeFileSync(file, file.endsWith('.json') ? JSON.stringify({ failOn: 'warning', ignorePaths: ['src/**'] }) : 'disabledRules: [postmark-server-token]\n');
    options.config = file;
    flags.push('--config', file);
  }
  if (r.chance(0.3)) {
    options.showSecrets = true;
    flags.push('--show-secrets');
  }
  if (mode !== 'staged' && r.chance(0.4)) {
    options.threads = r.pick([1, 2]);
    flags.push('--threads', String(options.threads));
  }
  // Paths last, after `--`: what follows it is a path.
  if (options.paths) flags.push('--', ...(options.paths as string[]));
  return { options, flags };
}

interface Answer {
  report?: { exitCode: number; unread: unknown; mode: string; findings: unknown[]; suppressed: unknown; stats: Record<string, unknown>; notes: string[] };
  error?: { name: string; message: string; exitCode: unknown; typed: boolean; props: Record<string, unknown> };
  /** The rejection's own properties, its stack included. */
  own?: string;
}

/**
 * One process, the package imported by path: each scan alone in turn, then all at once, then all
 * at once in the reverse order.
 */
const RUNNER = `import { scan, SecretGuardError } from ${JSON.stringify(join(ROOT, 'dist', 'index.js'))};
async function one(options) {
  try {
    const report = await scan(options);
    delete report.stats.durationMs;
    return { report };
  } catch (e) {
    // Everything a caller may log (console.error prints the stack), for the token check; the
    // stack's frames differ between runs, so the others compare the rest.
    const own = JSON.stringify(e, Object.getOwnPropertyNames(e ?? {}));
    const props = Object.fromEntries(Object.getOwnPropertyNames(e ?? {}).filter((k) => k !== 'stack').map((k) => [k, e[k]]));
    return { error: { name: e?.name, message: String(e?.message), exitCode: e?.exitCode, typed: e instanceof SecretGuardError, props }, own };
  }
}
const cases = JSON.parse(process.argv[2]);
const alone = [];
for (const c of cases) alone.push(await one(c));
const together = await Promise.all(cases.map(one));
const reversed = (await Promise.all([...cases].reverse().map(one))).reverse();
process.stdout.write(JSON.stringify({ alone, together, reversed }));
`;

function runLibrary(dir: string, cases: Options[]): Promise<{ alone: Answer[]; together: Answer[]; reversed: Answer[] }> {
  const script = join(dir, 'runner.mjs');
  writeFileSync(script, RUNNER);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, JSON.stringify(cases)], { cwd: dir, env: cliEnv() });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('close', (code) => {
      if (code !== 0 || err) reject(new Error(`runner exited ${code}: ${err}`));
      else resolve(JSON.parse(out));
    });
  });
}

const TYPED = ['UsageError', 'ConfigError', 'GitError', 'IncompleteScanError'];

describe('the library, alone, concurrently and against the CLI (seeded)', () => {
  it('gives each scan what the CLI gives, whatever runs beside it', async () => {
    const seed = runSeed();
    const r = seeded(seed);
    const repos = Array.from({ length: 4 }, (_, i) => buildRepo(r, i === 0));
    const drawn = Array.from({ length: 10 }, () => {
      const built = r.pick(repos);
      return { built, ...drawOptions(r, built.repo) };
    });
    const [lib, ...cli] = await Promise.all([
      runLibrary(tempDir('sg-libreview-'), drawn.map((d) => d.options)),
      ...drawn.map((d) => cliAsync(['scan', '--format', 'json', '--verbose', ...d.flags], d.built.repo.dir)),
    ]);
    drawn.forEach((d, i) => {
      const where = `SEED=${seed} case ${i}: ${JSON.stringify(d.options)} (CLI flags: ${d.flags.join(' ')})`;
      const { own, ...alone } = lib.alone[i]!;
      const { own: _t, ...together } = lib.together[i]!;
      const { own: _r, ...reversed } = lib.reversed[i]!;
      expect(together, `${where}: concurrent differs from alone`).toEqual(alone);
      expect(reversed, `${where}: concurrent (reversed) differs from alone`).toEqual(alone);
      const c = cli[i]!;
      if (c.code === 2) {
        expect(alone.report, `${where}: the CLI exits 2 (${c.stderr.split('\n')[0]}), the library resolved`).toBeUndefined();
        expect(alone.error, where).toMatchObject({ exitCode: 2, typed: true });
        expect(TYPED, where).toContain(alone.error!.name);
        // The CLI says the same thing (its first line is the library's message, or names the unread file).
        expect(c.stderr, where).toContain(/over maxFileSize not read/.test(alone.error!.message) ? 'not scanned:' : alone.error!.message.split('\n')[0]);
      } else {
        expect(alone.error, `${where}: the CLI exits ${c.code}, the library rejected`).toBeUndefined();
        const json = JSON.parse(c.stdout) as Answer['report'] & { stats: Record<string, unknown> };
        delete json.stats.durationMs;
        expect(alone.report!.exitCode, where).toBe(c.code);
        expect(alone.report!.mode, where).toBe(json.mode);
        expect(alone.report!.findings, where).toEqual(json.findings);
        expect(alone.report!.suppressed, where).toEqual(json.suppressed);
        expect(alone.report!.notes, where).toEqual(json.notes);
        expect(alone.report!.stats, where).toEqual(json.stats);
      }
      // No token in a rejection; none in a report unless asked.
      const text = alone.error ? String(own) : JSON.stringify(d.options.showSecrets ? {} : alone.report);
      for (const t of [...d.built.tokens, ...String(d.options.range ?? '').split('..').filter((x) => x.length === 36)]) expect(text, `${where}: a token in the answer`).not.toContain(t);
    });
  }, 120_000);
});

/** One scan in a fresh process with `env` added to its environment. */
function libraryOnce(options: Options, env: Record<string, string> = {}, cwd = tempDir('sg-libonce-')): Promise<Answer> {
  const script = join(cwd, 'once.mjs');
  writeFileSync(
    script,
    RUNNER.replace(/const cases = [\s\S]*$/, 'process.stdout.write(JSON.stringify(await one(JSON.parse(process.argv[2]))));\n'),
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, JSON.stringify(options)], { cwd, env: cliEnv(env) });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (err += b.toString()));
    child.on('close', (code) => (code !== 0 || err ? reject(new Error(`exited ${code}: ${err}`)) : resolve(JSON.parse(out))));
  });
}

describe('the library refuses what would make it scan something other than it was asked to', () => {
  const leaky = () => makeRepo({ files: { 'deploy/prod.env': `POSTMARK_SERVER_TOKEN=${seededToken(seeded(7))}\n` } });
  const clean = () => makeRepo({ files: { 'README.md': 'hello\n' } });

  it("GIT_DIR or GIT_INDEX_FILE of another repository in the process's environment (a tool started from a git hook)", async () => {
    const [a, b] = [leaky(), clean()];
    // The leaky repository's history was scanned, and reported as the clean one's; the other way
    // round, a repository with a token passed as clean.
    expect(await libraryOnce({ cwd: b.dir, mode: 'history' }, { GIT_DIR: join(a.dir, '.git') })).toMatchObject({ error: { name: 'UsageError', message: expect.stringMatching(/sets GIT_DIR \(git would read another repository\)/) } });
    expect(await libraryOnce({ cwd: a.dir, mode: 'history' }, { GIT_DIR: join(b.dir, '.git') })).toMatchObject({ error: { name: 'UsageError' } });
    expect(await libraryOnce({ cwd: b.dir, mode: 'staged' }, { GIT_INDEX_FILE: join(a.dir, '.git', 'index') })).toMatchObject({ error: { name: 'UsageError', message: expect.stringMatching(/the index .* is not this repository's/) } });
    // Its own repository's, as a hook of it has them: read as git would.
    expect((await libraryOnce({ cwd: a.dir, mode: 'history' }, { GIT_DIR: join(a.dir, '.git') })).report).toMatchObject({ exitCode: 1 });
    expect((await libraryOnce({ cwd: a.dir, mode: 'history' }, { GIT_DIR: '.git' })).report).toMatchObject({ exitCode: 1 });
  });

  it('a pre-commit hook that calls scan() sees what `git commit -a` commits (GIT_INDEX_FILE kept for its own repository)', () => {
    const repo = makeRepo({ files: { 'deploy/prod.env': 'POSTMARK_SERVER_TOKEN=${POSTMARK_SERVER_TOKEN}\n' } });
    const hookScript = join(tempDir('sg-libhook-'), 'hook.mjs');
    writeFileSync(
      hookScript,
      `import { scan } from ${JSON.stringify(join(ROOT, 'dist', 'index.js'))};
const r = await scan({ mode: 'staged' });
process.stderr.write('findings ' + r.findings.map((f) => f.ruleId).join(' ') + '\\n');
process.exit(r.exitCode);
`,
    );
    writeFileSync(join(repo.dir, '.git', 'hooks', 'pre-commit'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(hookScript)}\n`, { mode: 0o755 });
    repo.write({ 'deploy/prod.env': `POSTMARK_SERVER_TOKEN=${seededToken(seeded(8))}\n` });
    // -a stages into a temporary index (GIT_INDEX_FILE): the hook must read that one.
    const r = spawnSync('git', ['commit', '-a', '-q', '-m', 'token'], { cwd: repo.dir, encoding: 'utf8', env: cliEnv(GIT_IDENTITY) });
    expect(r.stderr).toContain('postmark-server-token');
    expect(r.status).not.toBe(0);
  });

  it('an option it does not know, or of the wrong type, instead of ignoring it', async () => {
    const [a] = [leaky()];
    // `dir` is no option: the scan read the process's working directory (clean) instead.
    expect(await libraryOnce({ dir: a.dir } as Options)).toMatchObject({ error: { name: 'UsageError', message: expect.stringMatching(/unknown option "dir"/) } });
    // A string is truthy: 'false' approved the range's suppressions, 'no' showed the secrets.
    expect(await libraryOnce({ cwd: a.dir, showSecrets: 'no' })).toMatchObject({ error: { name: 'UsageError', message: expect.stringMatching(/option showSecrets must be a boolean/) } });
    expect(await libraryOnce({ cwd: a.dir, approveSuppressions: 'false', range: 'HEAD..HEAD' })).toMatchObject({ error: { name: 'UsageError' } });
    expect(await libraryOnce({ cwd: a.dir, paths: 'deploy/prod.env' })).toMatchObject({ error: { name: 'UsageError' } });
    expect((await libraryOnce({ cwd: a.dir, showSecrets: false, failOn: undefined })).report).toMatchObject({ exitCode: 1 });
  });

  it('a cwd that is not a folder is said as such (it was "git is not installed")', async () => {
    const missing = join(tempDir('sg-libcwd-'), 'gone');
    expect(await libraryOnce({ cwd: missing })).toMatchObject({ error: { name: 'UsageError', message: `cwd ${missing} cannot be used: ENOENT` } });
  });

  it('says which files it did not read beside findings (exit 1), where the CLI says "not read either"', async () => {
    const repo = makeRepo({ files: { 'deploy/prod.env': `POSTMARK_SERVER_TOKEN=${seededToken(seeded(9))}\n`, 'big/log.txt': `postmark\n${'x'.repeat(3000)}\n` } });
    const { report } = await libraryOnce({ cwd: repo.dir, maxFileSize: '1kB' });
    expect(report).toMatchObject({ exitCode: 1, unread: { count: 1, accepted: false, paths: ['big/log.txt'] } });
    expect((await cliAsync(['scan', '--max-file-size', '1kB'], repo.dir)).stderr).toMatch(/1 file over --max-file-size not read either/);
    expect((await libraryOnce({ cwd: repo.dir, maxFileSize: '1kB', onUnread: 'accept', failOn: 'none' })).report).toMatchObject({ exitCode: 0, unread: { count: 1, accepted: true } });
    expect((await libraryOnce({ cwd: repo.dir })).report).toMatchObject({ exitCode: 1, unread: { count: 0, accepted: false, paths: [] } });
  });
});
