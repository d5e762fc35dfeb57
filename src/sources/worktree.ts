/**
 * The files git would commit: tracked plus untracked-and-not-ignored, as they are on disk.
 * Outside a repository, every file under the given paths. Links are never followed (git stores
 * a link's target as text; the target, if it is in the repository, is scanned on its own).
 *
 * Speed (measured by `npm run bench`): the two git listings run at once and the tracked files
 * are read while git still walks the tree for untracked ones; a large tree is read by the main
 * thread and one worker together (worktree-worker.ts); each file is read the cheap way
 * (worktree-read.ts). Outcomes are replayed in git's own order, so what is reported, and which
 * error surfaces first, is what a file-by-file scan would give.
 */
import { lstatSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { detectPath, type CompiledRule } from '../core/engine.js';
import type { Finding } from '../core/types.js';
import { IncompleteScanError } from '../cli/errors.js';
import { emptyStats, skip, type ScanResult } from '../scan/result.js';
import { shownPath } from '../report/shown.js';
import { findRepo, git, splitNul } from './git.js';
import { keywordGate } from './gate.js';
import { readEntry, type Entry, type Outcome, type ReadContext } from './worktree-read.js';
import type { BatchMessage, BatchResult, WorkerInit } from './worktree-worker.js';

export interface WorktreeOptions {
  cwd: string;
  paths: string[];
  rules: CompiledRule[];
  maxFileSize: number;
  isIgnoredPath: (path: string) => boolean;
  onFile?: (path: string) => void;
}

function toEntries(root: string, out: Buffer, seen: Set<string>): Entry[] {
  // git prints normalized paths, so plain concatenation is what join() would give, only cheaper.
  const base = root.endsWith('/') ? root : `${root}/`;
  const entries: Entry[] = [];
  for (const rec of splitNul(out)) {
    const tag = rec[0];
    const path = rec.slice(2);
    if (seen.has(path)) continue; // an unmerged path is listed once per stage
    seen.add(path);
    entries.push({ path, abs: base + path, gitState: tag === '?' ? 'untracked' : 'tracked' });
  }
  return entries;
}

async function globEntries(cwd: string, paths: string[]): Promise<{ root: string; entries: Entry[] }> {
  const { default: fg } = await import('fast-glob');
  const targets = paths.length ? paths : ['.'];
  const entries: Entry[] = [];
  for (const t of targets) {
    const abs = resolve(cwd, t);
    let st;
    try {
      st = lstatSync(abs);
    } catch {
      continue; // absentPaths reports it once the rest is read, as in a repository
    }
    // Anything but a folder is one entry: a FIFO or socket named here is reported as unreadable.
    if (!st.isDirectory()) {
      entries.push({ path: relative(cwd, abs).split(sep).join('/'), abs });
      continue;
    }
    const files = await fg('**/*', { cwd: abs, dot: true, onlyFiles: false, followSymbolicLinks: false, ignore: ['**/.git/**'], markDirectories: true });
    for (const f of files) {
      if (f.endsWith('/')) continue;
      const fileAbs = join(abs, f);
      entries.push({ path: relative(cwd, fileAbs).split(sep).join('/'), abs: fileAbs });
    }
  }
  return { root: cwd, entries };
}

/** Files per chunk taken from the shared counter: small enough to balance, large enough to be cheap. */
const CHUNK = 16;
/**
 * Below this many files a second thread costs more than it saves: starting it (loading the
 * engine, compiling the rules) takes some 40 ms of a core. Measured with `npm run bench`.
 */
const WORKER_MIN_FILES = 2000;

/**
 * Whether the index lists at least WORKER_MIN_FILES files, judged by its size alone (an entry
 * takes 62 bytes and its path), so the worker can boot while git is still listing the files.
 * A wrong guess costs the worker's start on a small tree, or a later start on a large one.
 */
function looksLarge(gitDir: string): boolean {
  try {
    return statSync(join(gitDir, 'index')).size >= WORKER_MIN_FILES * 80;
  } catch {
    return false;
  }
}

/** Yields to the event loop now and then, so git's output and the worker's messages get read. */
const turn = () => new Promise<void>((r) => setImmediate(r));

/** What the readers came to for one file: its outcome and its path findings, if any. */
interface Read {
  outcomes: Array<Outcome | 'ignored'>;
  pathFindings: Array<Finding[] | undefined>;
}

const NONE: Finding[] = [];

/**
 * Reads batches of files, on the main thread and, for large batches, on one worker as well.
 * Both take chunks from a shared counter; the main thread never waits for the worker to start,
 * and reads itself whatever the worker did not deliver (a worker that fails costs time, not files).
 * Whoever reads a file also matches its path against the path rules, so that work is shared too.
 */
class Readers {
  private worker: Promise<{ w: Worker; encode: typeof import('./worktree-worker.js').encodeBatch } | undefined> | undefined;
  private batches = 0;
  private pending = new Map<number, (r: BatchResult | null) => void>();

  constructor(
    private readonly ctx: ReadContext,
    private readonly isIgnoredPath: (path: string) => boolean,
  ) {}

  /** Starts the worker (once): it takes a few hundred ms of a core to boot, so the sooner the better. */
  startWorker() {
    this.worker ??= this.spawnWorker().catch(() => undefined); // without it, the main thread reads all
    return this.worker;
  }

  private async spawnWorker() {
    if (availableParallelism() < 2) return undefined;
    const [{ Worker }, { encodeBatch }] = await Promise.all([import('node:worker_threads'), import('./worktree-worker.js')]);
    const init: WorkerInit = { specs: this.ctx.rules.map((r) => r.spec), maxFileSize: this.ctx.maxFileSize };
    let w: Worker;
    try {
      w = new Worker(new URL('./worktree-worker.js', import.meta.url), { workerData: init });
    } catch {
      return undefined; // rules that cannot be cloned: the main thread reads everything
    }
    const fail = () => {
      for (const resolve of this.pending.values()) resolve(null);
      this.pending.clear();
    };
    w.on('message', (r: BatchResult) => {
      this.pending.get(r.batch)?.(r);
      this.pending.delete(r.batch);
    });
    w.on('error', fail);
    w.on('exit', fail);
    return { w, encode: encodeBatch };
  }

  async read(entries: Entry[]): Promise<Read> {
    const outcomes = new Array<Outcome | 'ignored' | undefined>(entries.length);
    const pathFindings = new Array<Finding[] | undefined>(entries.length);
    const todo: number[] = [];
    entries.forEach((e, i) => (this.isIgnoredPath(e.path) ? (outcomes[i] = 'ignored') : todo.push(i)));
    const work = todo.map((i) => entries[i]!);
    const readOne = (k: number) => {
      const e = work[k]!;
      const i = todo[k]!;
      const pf = detectPath(e.path, e.gitState, this.ctx.rules);
      if (pf.length) pathFindings[i] = pf;
      outcomes[i] = readEntry(e, this.ctx);
    };
    const chunks = Math.ceil(work.length / CHUNK);
    const counter = new Int32Array(new SharedArrayBuffer(4));
    let fromWorker: Promise<BatchResult | null> | undefined;
    if (work.length >= WORKER_MIN_FILES) {
      const worker = await this.startWorker();
      if (worker) {
        const batch = this.batches++;
        fromWorker = new Promise((resolve) => this.pending.set(batch, resolve));
        worker.w.postMessage({ batch, ...worker.encode(work), counter: counter.buffer as SharedArrayBuffer, chunkSize: CHUNK } satisfies BatchMessage);
      }
    }
    let mine = 0;
    for (let c = Atomics.add(counter, 0, 1); c < chunks; c = Atomics.add(counter, 0, 1)) {
      const end = Math.min(work.length, (c + 1) * CHUNK);
      for (let k = c * CHUNK; k < end; k++) readOne(k);
      if (++mine % 16 === 0) await turn();
    }
    if (fromWorker && mine < chunks) {
      const r = await fromWorker;
      if (r) {
        r.clean.forEach((n, k) => {
          if (!Number.isNaN(n)) outcomes[todo[k]!] = { scanned: n, findings: NONE };
        });
        for (const [k, o] of r.outcomes) outcomes[todo[k]!] = o;
        for (const [k, pf] of r.pathFindings) pathFindings[todo[k]!] = pf;
      }
    }
    for (let k = 0; k < work.length; k++) if (outcomes[todo[k]!] === undefined) readOne(k);
    return { outcomes: outcomes as Array<Outcome | 'ignored'>, pathFindings };
  }

  close(): void {
    void this.worker?.then((x) => x?.w.terminate());
  }
}

interface Listing {
  cached: Promise<Buffer>;
  others: Promise<Buffer>;
}

/**
 * Both listings, started at once and before the repository is even found (they depend on the
 * working directory only): rev-parse, then ls-files one after the other was one git start too
 * many on the way to the first file. Outside a repository their failure is never looked at.
 */
function startListing(cwd: string, paths: string[]): Listing {
  const listing = (which: string[]) => git(['ls-files', '-z', '-t', ...which, '--full-name', '--', ...paths], cwd);
  const l = { cached: listing(['--cached']), others: listing(['--others', '--exclude-standard']) };
  // Awaited later, if at all; a failure must not be an unhandled rejection meanwhile.
  l.cached.catch(() => {});
  l.others.catch(() => {});
  return l;
}

/**
 * Reads a repository's files. `git ls-files --cached --others` prints the untracked files
 * first and the tracked ones after; asking for the two lists separately lets the tracked files
 * be read while git walks the tree, and the order is put back here.
 */
async function readRepo(root: string, listing: Listing, readers: Readers) {
  const seen = new Set<string>();
  const cached = toEntries(root, await listing.cached, seen);
  const cachedRead = await readers.read(cached);
  const others = toEntries(root, await listing.others, seen);
  const othersRead = await readers.read(others);
  return {
    entries: [...others, ...cached],
    read: { outcomes: [...othersRead.outcomes, ...cachedRead.outcomes], pathFindings: [...othersRead.pathFindings, ...cachedRead.pathFindings] },
  };
}

const isPattern = (p: string) => /[*?[]/.test(p);

/**
 * Given paths that are not on disk, are not glob patterns and hold no listed entry: a typo, or a
 * folder since renamed. Reading nothing there must not pass (a path git still tracks but the
 * work tree lost is listed, and reported as deleted).
 */
function absentPaths(cwd: string, root: string, paths: string[], entries: Entry[]): string[] {
  return paths.filter((p) => {
    if (isPattern(p)) return false;
    const abs = resolve(cwd, p);
    try {
      lstatSync(abs);
      return false;
    } catch {
      const rel = relative(root, abs).split(sep).join('/');
      return !entries.some((e) => rel === '' || e.path === rel || e.path.startsWith(`${rel}/`));
    }
  });
}

export async function scanWorktree(opts: WorktreeOptions): Promise<ScanResult> {
  const started = Date.now();
  const paths = opts.paths.map((p) => (isAbsolute(p) ? relative(opts.cwd, p) || '.' : p));
  const listing = startListing(opts.cwd, paths);
  const repo = await findRepo(opts.cwd);
  const readers = new Readers({ rules: opts.rules, maxFileSize: opts.maxFileSize, gate: keywordGate(opts.rules) }, opts.isIgnoredPath);
  let root: string;
  let entries: Entry[];
  let read: Read;
  try {
    if (repo && !repo.bare) {
      root = repo.root;
      if (!opts.paths.length && looksLarge(repo.gitDir)) void readers.startWorker();
      ({ entries, read } = await readRepo(root, listing, readers));
    } else {
      ({ root, entries } = await globEntries(opts.cwd, opts.paths));
      read = await readers.read(entries);
    }
  } finally {
    readers.close();
  }
  const stats = emptyStats();
  const findings: Finding[] = [];
  const unreadable: string[] = [];
  entries.forEach((e, i) => {
    const o = read.outcomes[i]!;
    if (o === 'ignored') {
      skip(stats, 'ignoredByConfig', e.path, 'ignorePaths in config');
      return;
    }
    const pf = read.pathFindings[i];
    if (pf) findings.push(...pf);
    if ('failed' in o) throw o.failed;
    if ('skip' in o) skip(stats, o.skip, e.path, o.reason);
    else if ('unreadable' in o) unreadable.push(`${shownPath(e.path)} (${o.unreadable})`);
    else if ('scanned' in o) {
      opts.onFile?.(e.path);
      stats.filesScanned++;
      stats.bytesScanned += o.scanned;
      findings.push(...o.findings);
    }
  });
  if (unreadable.length) {
    throw new IncompleteScanError(
      `could not read ${unreadable.length} file(s): ${unreadable.slice(0, 5).join(', ')}${unreadable.length > 5 ? ', …' : ''}`,
      'Make them readable regular files (or exclude them with ignorePaths in .secret-guard.json) and run the scan again.',
    );
  }
  const notes: string[] = [];
  const absent = absentPaths(opts.cwd, root, opts.paths, entries);
  if (absent.length || (entries.length === 0 && opts.paths.some(isPattern))) {
    const what = absent.length ? `${absent.join(', ')}: no such file or folder, so nothing was scanned there` : `no file matches ${opts.paths.join(' ')}: nothing was scanned`;
    throw new IncompleteScanError(what, 'Check the paths, or run `secret-guard scan` with none to scan everything (the whole repository, or every file here outside one).');
  }
  // The paths are there and hold nothing git would commit: a complete answer, said plainly.
  if (entries.length === 0 && opts.paths.length) notes.push(`nothing to scan: ${opts.paths.join(', ')} ${opts.paths.length > 1 ? 'hold' : 'holds'} no file git would commit (none, or only files .gitignore excludes)`);
  else if (entries.length === 0) notes.push('nothing to scan: there are no files git would commit');
  stats.durationMs = Date.now() - started;
  return { mode: repo && !repo.bare ? 'worktree' : 'files', root, findings, stats, notes };
}
