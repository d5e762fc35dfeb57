/**
 * `npm run build` (scripts/build.mjs) does nothing when dist/ is up to date and never leaves it
 * stale: on a copy of the project's build inputs and its build (times kept), a second build
 * rewrites nothing, a changed rule is compiled again, a changed source reaches the CLI's bundle,
 * and a changed source is compiled again, its type error failing this build and every later one
 * until it is fixed. (The build from nothing
 * runs in package-install and the pre-commit framework, through npm's own `prepare`.)
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyModules } from './helpers/modules.js';
import { checkoutTempDir, cleanupAll } from './helpers/repo.js';

afterAll(cleanupAll);

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function ok(cmd: string, args: string[]) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}

let dir = '';
const build = () => {
  const r = spawnSync(process.execPath, [join(dir, 'scripts', 'build.mjs')], { cwd: dir, encoding: 'utf8' });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
};
/** Every file of dist/ and the tsc record, with the time it was last written. */
const times = () =>
  Object.fromEntries(
    [...readdirSync(join(dir, 'dist'), { recursive: true, encoding: 'utf8' }).map((f) => join('dist', f)), '.tsbuildinfo'].map((f) => [f, statSync(join(dir, f)).mtimeMs]),
  );

beforeAll(() => {
  // Beside the checkout: its node_modules is linked in below.
  dir = checkoutTempDir('sg-build-');
  mkdirSync(join(dir, 'test', 'helpers'), { recursive: true });
  // cp -a keeps the times of folders too (a folder's time says a file was added or removed).
  const inputs = ['src', 'scripts', 'schema', 'rules', 'test/helpers/rules.mjs', 'tsconfig.json', 'package.json', 'dist', '.tsbuildinfo'];
  for (const p of inputs.filter((p) => existsSync(join(ROOT, p)))) ok('cp', ['-a', join(ROOT, p), join(dir, p)]);
  copyModules(dir);
  // Whatever state the checkout's build is in, this one is brought up to date first.
  const first = build();
  expect(first.code, first.out).toBe(0);
}, 120_000);

describe('npm run build', () => {
  it('rewrites nothing when dist/ is up to date', () => {
    const before = times();
    const r = build();
    expect(r.code, r.out).toBe(0);
    expect(times()).toEqual(before);
  });

  it('compiles the rules again when a rule changes, and nothing else', () => {
    const file = join(dir, 'rules', 'postmark-server-token.yml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^title: .*$/m, 'title: Renamed for the build test'));
    const before = times();
    const r = build();
    expect(r.code, r.out).toBe(0);
    const after = times();
    expect(readFileSync(join(dir, 'dist', 'rules.json'), 'utf8')).toContain('Renamed for the build test');
    expect(Object.keys(after).filter((f) => after[f] !== before[f])).toEqual([join('dist', 'rules.json')]);
  });

  it("bundles the CLI again when a source changes: bin/ runs the code as it is", () => {
    const main = join(dir, 'dist', 'bundle', 'main.js');
    expect(readFileSync(main, 'utf8')).not.toContain('bundleProbe');
    appendFileSync(join(dir, 'src', 'cli', 'main.ts'), "\nexport const bundleProbe = 'in the bundle';\n");
    const r = build();
    expect(r.code, r.out).toBe(0);
    expect(readFileSync(main, 'utf8')).toContain('bundleProbe');
    const before = times();
    expect(build().code).toBe(0);
    expect(times()).toEqual(before);
    // A worker's file gone: made again, though main.js is fresh.
    rmSync(join(dir, 'dist', 'bundle', 'history-worker.js'));
    expect(build().code).toBe(0);
    expect(existsSync(join(dir, 'dist', 'bundle', 'history-worker.js'))).toBe(true);
  }, 60_000);

  // The bundle's chunks sit elsewhere than the modules they came from; every file the code names
  // relative to itself (a worker, the rules, the schema, bin/) must still be there. A worktree
  // worker that is not found costs only time, so no report would show it.
  it('every file the bundle names relative to itself exists, the workers among them', () => {
    // The checkout's own build (pretest made it): the copy above has only the build's inputs.
    const bundle = join(ROOT, 'dist', 'bundle');
    const named: string[] = [];
    for (const f of readdirSync(bundle).filter((f) => f.endsWith('.js'))) {
      for (const m of readFileSync(join(bundle, f), 'utf8').matchAll(/new URL\(["']([^"']+)["'], import\.meta\.url\)/g)) named.push(m[1]!);
    }
    expect(named).toEqual(expect.arrayContaining(['./history-worker.js', './worktree-worker.js', '../rules.json']));
    for (const rel of named) expect(existsSync(join(bundle, rel)), rel).toBe(true);
  });

  it('compiles a changed source again; a type error fails this build and the next one', () => {
    const before = readFileSync(join(dir, 'dist', 'index.js'), 'utf8');
    expect(before).not.toContain('buildProbe');
    appendFileSync(join(dir, 'src', 'index.ts'), "\nexport const buildProbe: number = 'not a number';\n");
    const r = build();
    expect(r.code).not.toBe(0);
    expect(r.out).toContain("src/index.ts(");
    expect(r.out).toContain('TS2322');
    // tsc writes what it can even on a type error: dist/ follows the source, and the CLI's
    // bundle, older than it now, is gone (bin/ exits 2: the package is not built).
    expect(readFileSync(join(dir, 'dist', 'index.js'), 'utf8')).toContain('buildProbe');
    expect(existsSync(join(dir, 'dist', 'bundle'))).toBe(false);
    const again = build();
    expect(again.code).not.toBe(0);
    expect(again.out).toContain('TS2322');
  }, 60_000);
});
