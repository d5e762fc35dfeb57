// `npm run build`: the config validator (schema/ → src/config/schema-validator.generated.ts), tsc
// (src/ → dist/), the compiled rules (rules/ → dist/rules.json), the CLI's bundle (dist/ →
// dist/bundle/). One clone's set-up builds up to three times (`prepare` on install, `pretest`,
// `prepack` in a pack), and a full tsc is about 5 s of CPU, so a build of what is already built
// costs well under a second:
// - tsc is incremental; its record is .tsbuildinfo beside package.json (git ignores it, the package
//   does not ship it). tsc trusts that record and never looks at dist/, so the record is dropped,
//   and tsc starts over, when an output is missing;
// - the validator, the rules and the bundle are made again when an input is newer than their output.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const at = (...p) => join(root, ...p);
const record = at('.tsbuildinfo');

/**
 * pre-commit 4.4 and later install a node hook with `npm install -g git+file://<its clone>`. npm
 * prepares a git dependency by installing its devDependencies in the clone and running `prepare`
 * there, but it hands its own `global` setting down (npm_config_global=true), so that install puts
 * the clone's packages in the global prefix instead: none of the build's tools are beside it, and
 * every pre-commit user's hook install failed. Only then (`prepare` under a global install, tsc
 * missing), the build installs its devDependencies into the clone itself first.
 */
function installBuildToolsIfLeftOut() {
  const env = process.env;
  if (env.npm_lifecycle_event !== 'prepare' || env.npm_config_global !== 'true' || !env.npm_execpath) return;
  try {
    createRequire(import.meta.url).resolve('typescript/package.json');
    return;
  } catch {
    // not installed: the case above
  }
  const args = [env.npm_execpath, 'install', '--global=false', '--include=dev', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund'];
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
installBuildToolsIfLeftOut();

/** Every file under `dir` (none when it does not exist). */
function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** `dir` and every folder under it: a file added, removed or renamed changes its folder's time. */
function dirs(dir) {
  if (!existsSync(dir)) return [];
  return [dir, ...readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isDirectory()).map((e) => join(e.parentPath, e.name))];
}

/** When `f` was last written; a missing file counts as just now, so what needs it is made again. */
const mtime = (f) => (existsSync(f) ? statSync(f).mtimeMs : Infinity);
/** Whether `output` exists and no input was changed after it was written. */
const fresh = (output, inputs) => existsSync(output) && inputs.every((f) => mtime(f) <= mtime(output));

// The validator: an input of tsc, so it comes first. build-schema writes only when its text
// changes, so a rebuild of the same schema leaves tsc nothing to do.
const validator = at('src', 'config', 'schema-validator.generated.ts');
if (!fresh(validator, [at('schema', 'config.schema.json'), at('scripts', 'build-schema.mjs'), at('node_modules', 'ajv', 'package.json')])) {
  await import('./build-schema.mjs');
}

// tsc: started only when something it reads was changed after the last build began (sources,
// tsconfig.json, package.json, and the installed packages, which npm's install stamps in
// node_modules/.package-lock.json) or an output is missing. The record's time is set to when that
// build began, so a source saved while tsc ran is built again next time. Even when started, tsc
// compares sources by content and writes only what changed.
const started = Date.now();
const sourceDir = at('src');
const sources = walk(sourceDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
const outputs = sources.flatMap((f) => {
  const base = join(root, 'dist', relative(sourceDir, f)).replace(/\.ts$/, '');
  return [`${base}.js`, `${base}.d.ts`];
});
const tscInputs = [...walk(sourceDir), ...dirs(sourceDir), at('tsconfig.json'), at('package.json'), at('node_modules', '.package-lock.json')];
const complete = outputs.every((f) => existsSync(f));
if (!complete || !existsSync(record) || !tscInputs.every((f) => mtime(f) < mtime(record))) {
  if (!complete) rmSync(record, { force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const built = spawnSync(process.execPath, [tsc, '-p', at('tsconfig.json'), '--incremental', '--tsBuildInfoFile', record], { cwd: root, stdio: 'inherit' });
  if (built.status !== 0) {
    // tsc wrote its record even so: dated back, it cannot pass a build that failed as up to date.
    if (existsSync(record)) utimesSync(record, 0, 0);
    // tsc also wrote what it could into dist/, so the bundle is older than the code beside it: gone,
    // bin/ says the package is not built (exit 2) rather than run code the sources no longer hold.
    rmSync(at('dist', 'bundle'), { recursive: true, force: true });
    process.exit(built.status ?? 1);
  }
  utimesSync(record, started / 1000, started / 1000);
}

// The rules: their files, the loader, the script, and the build of the linter that passes them.
const rulesJson = at('dist', 'rules.json');
const bundleDir = at('dist', 'bundle');
const ruleInputs = [...walk(at('rules')), at('test', 'helpers', 'rules.mjs'), at('scripts', 'build-rules.mjs'), ...walk(at('dist')).filter((f) => f !== rulesJson && !f.startsWith(bundleDir))];
if (!fresh(rulesJson, ruleInputs)) await import('./build-rules.mjs');

// The CLI's bundle (dist/bundle/, what bin/ loads): dist/'s modules in a few chunks. A commit hook
// starts node every time, and resolving and reading the 55 modules and 9 files of picomatch a
// staged scan loads was a tenth of its time (20–30 ms of 0.29 s). Chunks keep the commands' lazy
// imports lazy; the entries sit in one folder at dist/'s depth, so each worker is beside its
// chunks (`new URL('./history-worker.js', import.meta.url)`) and every path the code reads
// relative to itself (../rules.json, ../../schema/) is the same as from dist/cli/. Three packages
// stay packages: yargs reads its locales beside its own file, and re2js and yaml are loaded only
// for a config's own rules or a YAML config. A CommonJS package in the bundle may require node's
// own modules at run time, which an ES module can do only through a require of its making (yaml's
// `require("process")` made every YAML config an internal error when yaml was bundled): the banner
// gives each chunk one. The library (dist/index.js) is not bundled.
const BUNDLE_ENTRIES = ['cli/main.js', 'sources/history-worker.js', 'sources/worktree-worker.js'];
const bundleInputs = [...walk(at('dist')).filter((f) => f.endsWith('.js') && !f.startsWith(bundleDir)), at('scripts', 'build.mjs'), at('package.json'), at('node_modules', '.package-lock.json')];
// Every entry, not only main.js: a worker's file gone would cost a history scan (exit 2) or, in the
// working tree, the second thread.
if (!BUNDLE_ENTRIES.every((e) => fresh(join(bundleDir, basename(e)), bundleInputs))) {
  rmSync(bundleDir, { recursive: true, force: true });
  const { build } = await import('esbuild');
  await build({
    entryPoints: BUNDLE_ENTRIES.map((f) => at('dist', f)),
    outdir: bundleDir,
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: ['yargs', 're2js', 'yaml'],
    banner: { js: "import { createRequire as __sgRequire } from 'node:module'; const require = __sgRequire(import.meta.url);" },
    logLevel: 'warning',
  });
}
