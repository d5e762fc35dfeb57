/**
 * A working tree to scan: a git repository of many files in a realistic mix, committed, plus
 * an ignored node_modules/ that both scanners must skip. Returns a manifest of what it holds,
 * including where the planted tokens are, so the runner can check the scan found them.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EXT, LANGS, PLANTS, binaryFile, jsonConfig, jsonFixture, lockfile, minifiedBundle, rng, sourceFile, yamlConfig } from './content.mjs';

const AREAS = ['packages', 'services', 'apps', 'libs', 'tools'];
const SUBS = ['src', 'lib', 'test', 'internal', 'api', 'handlers', 'models', 'utils', 'config', 'fixtures'];

/** The kinds of file and how often each occurs; sizes are medians, lows and highs in bytes. */
const KINDS = [
  { kind: 'source', weight: 0.745 },
  { kind: 'doc', weight: 0.04 },
  { kind: 'fixture', weight: 0.05 },
  { kind: 'yaml', weight: 0.045 },
  { kind: 'jsonConfig', weight: 0.045 },
  { kind: 'binary', weight: 0.04 },
  { kind: 'minified', weight: 0.004 },
  { kind: 'lockfile', weight: 0.001 },
];

function pickKind(r) {
  let x = r.next();
  for (const k of KINDS) {
    if ((x -= k.weight) < 0) return k.kind;
  }
  return 'source';
}

function fileFor(r, kind, n, sdkBundles) {
  const area = r.pick(AREAS);
  const pkg = `${area}/${['core', 'billing', 'notify', 'search', 'auth', 'orders', 'ledger', 'gateway', 'admin', 'reports'][n % 10]}-${(n >> 4) % 40}`;
  const sub = r.pick(SUBS);
  const base = `${pkg}/${sub}/f${n}`;
  switch (kind) {
    case 'source': {
      const lang = r.pick(LANGS.filter((l) => l !== 'md'));
      return { path: `${base}.${EXT[lang]}`, data: sourceFile(r, lang, r.size(5000, 300, 150_000), r.chance(0.02)) };
    }
    case 'doc':
      return { path: `${pkg}/docs/d${n}.md`, data: sourceFile(r, 'md', r.size(4000, 500, 60_000), r.chance(0.05)) };
    case 'fixture':
      return { path: `${pkg}/fixtures/data${n}.json`, data: jsonFixture(r, r.size(12_000, 500, 600_000)) };
    case 'yaml':
      return { path: `${pkg}/config/c${n}.yml`, data: yamlConfig(r, r.size(2000, 200, 40_000)) };
    case 'jsonConfig':
      return { path: `${pkg}/config/c${n}.json`, data: jsonConfig(r, r.size(2000, 200, 40_000)) };
    case 'binary':
      return { path: `${pkg}/assets/img${n}.${r.pick(['png', 'woff2', 'ico', 'jpg'])}`, data: binaryFile(r, r.size(15_000, 500, 400_000)) };
    case 'minified': {
      const sdk = sdkBundles.left-- > 0;
      return { path: `${pkg}/dist/bundle${n}.min.js`, data: minifiedBundle(r, r.int(150_000, 1_400_000), sdk) };
    }
    case 'lockfile':
      return { path: `${pkg}/package-lock.json`, data: lockfile(r, r.int(200_000, 1_500_000)) };
  }
  throw new Error(kind);
}

/**
 * Writes the tree under `dir` (which must not exist or be empty) and commits it.
 * Keeps adding files until both `files` and `bytes` are reached.
 */
export function generateTree(dir, { files, bytes, seed, ignored = 500, plant = true }) {
  const r = rng(seed);
  const made = new Set();
  const dirs = new Set();
  const write = (path, data) => {
    const abs = join(dir, path);
    const d = dirname(abs);
    if (!dirs.has(d)) {
      mkdirSync(d, { recursive: true });
      dirs.add(d);
    }
    writeFileSync(abs, data);
  };
  mkdirSync(dir, { recursive: true });
  let total = 0;
  const counts = {};
  const planted = [];
  if (plant) {
    for (const p of PLANTS) {
      const token = r.token();
      const text = p.text(token);
      write(p.path, text);
      made.add(p.path);
      total += text.length;
      planted.push({ path: p.path, line: p.line });
    }
  }
  write('.gitignore', 'node_modules/\n*.log\n.cache/\n');
  made.add('.gitignore');
  const sdkBundles = { left: 3 };
  for (let n = 0; made.size < files || total < bytes; n++) {
    const kind = pickKind(r);
    const f = fileFor(r, kind, n, sdkBundles);
    if (made.has(f.path)) continue;
    made.add(f.path);
    write(f.path, f.data);
    total += f.data.length;
    counts[kind] = (counts[kind] ?? 0) + 1;
  }
  // What git ignores is not scanned by either tool; it is here so both have to skip it.
  for (let i = 0; i < ignored; i++) write(`node_modules/dep${i % 50}/index${i}.js`, sourceFile(r, 'js', r.size(3000, 200, 30_000)));
  git(dir, ['init', '-q', '-b', 'main']);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '-q', '-m', 'Generated tree for the benchmark']);
  return { files: made.size, bytes: total, counts, planted };
}

export function git(cwd, args, input) {
  return execFileSync('git', ['-c', 'core.autocrlf=false', '-c', 'gc.auto=0', ...args], {
    cwd,
    input,
    maxBuffer: 1 << 30,
    env: { ...process.env, GIT_AUTHOR_NAME: 'Bench', GIT_AUTHOR_EMAIL: 'bench@example.com', GIT_COMMITTER_NAME: 'Bench', GIT_COMMITTER_EMAIL: 'bench@example.com', GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z' },
  });
}
