/**
 * The generated inputs, cached under bench/.work/ between runs. A data set is rebuilt when its
 * parameters or any generator source file change (the stamp holds a hash of both).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateHistory } from '../gen/history.mjs';
import { generateTree, git } from '../gen/tree.mjs';

const BENCH = dirname(dirname(fileURLToPath(import.meta.url)));
export const WORK = join(BENCH, '.work');
const GEN = join(BENCH, 'gen');

function generatorVersion() {
  const h = createHash('sha256');
  for (const f of readdirSync(GEN).sort()) h.update(f).update(readFileSync(join(GEN, f)));
  return h.digest('hex').slice(0, 16);
}

/** Returns the manifest of data set `name`, building it first when the cache is stale. */
async function cached(name, params, build, log) {
  const dir = join(WORK, name);
  // The stamp lives beside the data, not in it: inside, the working-tree scan would read it.
  const stampFile = join(WORK, `${name}.stamp.json`);
  const key = { generator: generatorVersion(), params };
  if (existsSync(stampFile) && existsSync(dir)) {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
    if (JSON.stringify(stamp.key) === JSON.stringify(key)) return { dir, ...stamp.manifest };
  }
  log(`generating ${name} (${JSON.stringify(params)}) …`);
  const t0 = Date.now();
  rmSync(dir, { recursive: true, force: true });
  rmSync(stampFile, { force: true });
  mkdirSync(WORK, { recursive: true });
  const manifest = await build(dir);
  manifest.generatedInSeconds = (Date.now() - t0) / 1000;
  writeFileSync(stampFile, JSON.stringify({ key, manifest }, null, 1));
  log(`  done in ${manifest.generatedInSeconds.toFixed(1)} s`);
  return { dir, ...manifest };
}

export function worktreeData(params, log, suffix = '') {
  return cached(`worktree${suffix}`, params, async (dir) => generateTree(dir, params), log);
}

/** A 10,000-file repository for the staged latency, without planted tokens. */
export function stagedData(params, log, suffix = '') {
  return cached(`staged${suffix}`, params, async (dir) => generateTree(dir, { ...params, plant: false, ignored: 0 }), log);
}

export function historyData(params, log, suffix = '') {
  return generatedHistory('history', params, log, suffix);
}

/** The keyword-dense history (bench/gen/history.mjs `dense`): Postmark in most files, large pages edited often, thousands of token files. */
export function denseHistoryData(params, log, suffix = '') {
  return generatedHistory('history-dense', params, log, suffix);
}

/** A history from bench/gen/history.mjs, cached under `name`, repacked as a clone would be. */
function generatedHistory(name, params, log, suffix) {
  return cached(
    `${name}${suffix}`,
    params,
    async (dir) => {
      const m = await generateHistory(dir, params);
      git(dir, ['repack', '-a', '-d', '-q']);
      return { ...m, ...repoFacts(dir) };
    },
    log,
  );
}

/** Commits reachable from any ref, and the count and total size of unique blobs. */
export function repoFacts(dir) {
  const commits = Number(git(dir, ['rev-list', '--all', '--count']).toString().trim());
  let blobs = 0;
  let blobBytes = 0;
  for (const line of git(dir, ['cat-file', '--batch-all-objects', '--batch-check=%(objecttype) %(objectsize)']).toString().split('\n')) {
    if (!line.startsWith('blob ')) continue;
    blobs++;
    blobBytes += Number(line.slice(5));
  }
  return { commits, blobs, blobBytes };
}

/** A mirror clone (objects hard-linked) with git-secrets configured, so the original stays untouched. */
export function gitSecretsMirror(repo, name, pattern) {
  const dir = join(WORK, `${name}.git-secrets.git`);
  rmSync(dir, { recursive: true, force: true });
  git(WORK, ['clone', '-q', '--mirror', repo, dir]);
  git(dir, ['secrets', '--add', pattern]);
  return dir;
}

/**
 * For the staged latency on a real repository without touching it: a clone that borrows its
 * objects (`--shared`), with the index read from HEAD and no checkout (the staged scan reads
 * the index and the object database only), and one small tracked text file changed in the
 * index. Returns null when HEAD has no such file.
 */
export function stagedClone(repo, name, appended) {
  const dir = join(WORK, `${name}.staged-clone`);
  rmSync(dir, { recursive: true, force: true });
  git(WORK, ['clone', '-q', '--shared', '--no-checkout', repo, dir]);
  try {
    git(dir, ['read-tree', 'HEAD']);
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null; // no commit yet
  }
  const files = git(dir, ['ls-files', '-z']).toString().split('\0').filter(Boolean).length;
  const candidates = git(dir, ['ls-tree', '-r', '-z', '--long', 'HEAD']).toString().split('\0').filter(Boolean);
  for (const rec of candidates) {
    const [meta, path] = rec.split('\t');
    const [mode, type, id, size] = meta.split(/ +/);
    if (mode !== '100644' || type !== 'blob' || Number(size) < 200 || Number(size) > 100_000 || !/\.(js|ts|mjs|py|go|rb|md|json|ya?ml)$/.test(path)) continue;
    const content = git(dir, ['cat-file', 'blob', id]);
    if (content.includes(0)) continue;
    const blob = git(dir, ['hash-object', '-w', '--stdin'], Buffer.concat([content, Buffer.from(appended)])).toString().trim();
    git(dir, ['update-index', '--cacheinfo', `100644,${blob},${path}`]);
    return { dir, path, files };
  }
  rmSync(dir, { recursive: true, force: true });
  return null;
}
