/**
 * The library API from the built package, imported by its name from a scratch project (this
 * checkout linked into its node_modules, as a file: dependency installs it): `scan()` in each mode
 * returns the findings `scan --format json` prints for the same repository, the CLI's exit code,
 * and rejects with the exported typed errors where the CLI exits 2. Its .d.ts types check.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAsync } from './helpers/cli-async.js';
import { cleanupAll, fakeToken, makeRepo, tempDir, type Repo } from './helpers/repo.js';

afterAll(cleanupAll);

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const env = (token: string) => `POSTMARK_SERVER_TOKEN=${token}\n`;

let project: string;
let repo: Repo;
const tokens = { base: fakeToken(), feature: fakeToken(), staged: fakeToken(), work: fakeToken() };

beforeAll(() => {
  project = tempDir('sg-lib-');
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module', dependencies: { 'secret-guard': `file:${ROOT}` } }));
  mkdirSync(join(project, 'node_modules'));
  symlinkSync(ROOT, join(project, 'node_modules', 'secret-guard'), 'dir');
  writeFileSync(
    join(project, 'scan.mjs'),
    `import { scan, ConfigError, UsageError, SecretGuardError } from 'secret-guard';
try {
  process.stdout.write(JSON.stringify({ report: await scan(JSON.parse(process.argv[2])) }));
} catch (e) {
  process.stdout.write(JSON.stringify({ error: { name: e.name, message: e.message, exitCode: e.exitCode, typed: e instanceof SecretGuardError, config: e instanceof ConfigError, usage: e instanceof UsageError } }));
}
`,
  );
  repo = makeRepo({ files: { 'old.txt': env(tokens.base), 'README.md': 'hello\n' } });
  repo.git('checkout', '-q', '-b', 'feature');
  repo.commit({ 'new.txt': env(tokens.feature) }, 'feature');
  repo.write({ 'staged.txt': env(tokens.staged) });
  repo.git('add', 'staged.txt');
  repo.write({ 'work.txt': env(tokens.work) });
});

interface LibRun {
  report?: { exitCode: number; mode: string; findings: Array<Record<string, unknown>>; suppressed: Record<string, number>; stats: Record<string, unknown>; notes: string[] };
  error?: { name: string; message: string; exitCode: number; typed: boolean; config: boolean; usage: boolean };
}

function lib(options: Record<string, unknown>): LibRun {
  const r = spawnSync(process.execPath, ['scan.mjs', JSON.stringify(options)], { cwd: project, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1' } });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as LibRun;
}

describe('import { scan } from "secret-guard"', () => {
  it.each([
    ['worktree', { mode: 'worktree' }, [], ['base', 'feature', 'staged', 'work']],
    ['worktree paths', { mode: 'worktree', paths: ['work.txt'] }, ['work.txt'], ['work']],
    ['staged', { mode: 'staged' }, ['--staged'], ['staged']],
    ['history', { mode: 'history' }, ['--history'], ['base', 'feature']],
    ['range', { mode: 'range', range: 'main..feature' }, ['--range', 'main..feature'], ['feature']],
  ] as const)('%s: the findings of scan --format json, and its exit code', async (_label, options, flags, expected) => {
    const cli = await cliAsync(['scan', '--format', 'json', ...flags], repo.dir);
    const { report } = lib({ cwd: repo.dir, ...options });
    const json = JSON.parse(cli.stdout) as { mode: string; findings: unknown[]; suppressed: unknown; notes: unknown };
    expect(report!.exitCode).toBe(cli.code);
    expect(report!.exitCode).toBe(1);
    expect(report!.findings).toEqual(json.findings);
    expect(report!.mode).toBe(json.mode);
    expect(report!.suppressed).toEqual(json.suppressed);
    expect(report!.notes).toEqual(json.notes);
    // Redacted, and each token where it was put.
    const text = JSON.stringify(report);
    for (const t of Object.values(tokens)) expect(text).not.toContain(t);
    expect(report!.findings.map((f) => f.match).sort()).toEqual(expected.map((k) => `${tokens[k].slice(0, 4)}…`).sort());
    expect(report!.stats).toMatchObject({ filesScanned: expect.any(Number), skipped: expect.any(Object) });
  });

  it('failOn and showSecrets are the flags', () => {
    const { report } = lib({ cwd: repo.dir, mode: 'staged', failOn: 'none', showSecrets: true });
    expect(report!.exitCode).toBe(0);
    expect(report!.findings[0]!.match).toBe(tokens.staged);
  });

  it('rejects with the typed errors where the CLI exits 2, the secret cut from the message', async () => {
    const broken = join(tempDir('sg-cfg-'), 'bad.json');
    writeFileSync(broken, '{"ignorePath": []}');
    const cfg = lib({ cwd: repo.dir, config: broken });
    expect(cfg.error).toMatchObject({ name: 'ConfigError', exitCode: 2, typed: true, config: true });
    expect(cfg.error!.message).toMatch(/bad\.json.*`ignorePath` is not a known key/);
    expect((await cliAsync(['scan', '--config', broken], repo.dir)).code).toBe(2);
    expect(lib({ cwd: repo.dir, config: false }).report!.exitCode).toBe(1);
    const bad = lib({ cwd: repo.dir, mode: 'range', range: `${tokens.work}..HEAD` });
    expect(bad.error).toMatchObject({ exitCode: 2, typed: true });
    expect(bad.error!.message).not.toContain(tokens.work);
    expect(lib({ cwd: repo.dir, mode: 'staged', paths: ['a'] }).error).toMatchObject({ name: 'UsageError', usage: true, exitCode: 2 });
    // `threads` is --threads: checked as the flag is.
    expect(lib({ cwd: repo.dir, mode: 'history', threads: 0 }).error).toMatchObject({ name: 'UsageError', usage: true, exitCode: 2 });
    expect(lib({ cwd: repo.dir, mode: 'history', threads: 1 }).report!.exitCode).toBe(1);
  });

  it('rejects a scan that left a file unread (over maxFileSize, a keyword in it) unless onUnread is accept', () => {
    const big = makeRepo({ files: { 'notes.txt': `postmark\n${'x'.repeat(2000)}\n` } });
    const refused = lib({ cwd: big.dir, maxFileSize: '1kB' });
    expect(refused.error).toMatchObject({ name: 'IncompleteScanError', exitCode: 2, typed: true });
    expect(refused.error!.message).toBe('1 file(s) over maxFileSize not read: notes.txt');
    expect(lib({ cwd: big.dir, maxFileSize: '1kB', onUnread: 'accept' }).report).toMatchObject({ exitCode: 0, stats: { skipped: { tooLarge: 1 } } });
    expect(lib({ cwd: big.dir, onUnread: 'maybe' }).error).toMatchObject({ name: 'UsageError', exitCode: 2 });
  });

  it('its types check in a TypeScript project, and npm pack ships them with the config schema (secret-guard/config.schema.json)', () => {
    writeFileSync(
      join(project, 'use.ts'),
      `import { scan, ConfigError, type ScanReport, type Finding } from 'secret-guard';
const r: ScanReport = await scan({ cwd: '.', mode: 'range', range: 'a..b', failOn: 'warning' });
const f: Finding | undefined = r.findings[0];
const line: number | undefined = f?.line;
const code: 0 | 1 = r.exitCode;
// @ts-expect-error an unknown mode
await scan({ mode: 'everything' });
export { line, code, ConfigError };
`,
    );
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ['use.ts'] }));
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: project, encoding: 'utf8' });
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
    const pack = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    const files = (JSON.parse(pack.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['dist/index.js', 'dist/index.d.ts', 'schema/config.schema.json']));
    const schema = spawnSync(process.execPath, ['--input-type=module', '-e', "import { createRequire } from 'node:module'; process.stdout.write(createRequire(import.meta.url).resolve('secret-guard/config.schema.json'))"], { cwd: project, encoding: 'utf8' });
    expect(schema.stdout).toBe(join(ROOT, 'schema', 'config.schema.json'));
  });
});
