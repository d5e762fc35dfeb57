/**
 * The files git would commit: tracked plus untracked-and-not-ignored, as they are on disk, and
 * as the index holds them where git does not look at the disk (skip-worktree: a sparse checkout;
 * assume-unchanged). Outside a repository, every file under the given paths. Links are never
 * followed (git stores a link's target as text; the target, if it is in the repository, is
 * scanned on its own).
 *
 * Speed (measured by `npm run bench`): the two git listings run at once and the tracked files
 * are read while git still walks the tree for untracked ones; a large tree is read by the main
 * thread and one worker together (worktree-worker.ts); each file is read the cheap way
 * (worktree-read.ts). Outcomes are replayed in git's own order, so what is reported, and which
 * error surfaces first, is what a file-by-file scan would give.
 */
import { isUtf8 } from 'node:buffer';
import { lstatSync, readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { detectPath, type CompiledRule } from '../core/engine.js';
import type { Finding } from '../core/types.js';
import type { StdinReader } from '../cli/context.js';
import { GitError, IncompleteScanError, UsageError } from '../errors.js';
import { emptyStats, skip, type ScanResult } from '../scan/result.js';
import { record } from '../scan/content.js';
import { shownPath } from '../report/shown.js';
import { fetchLeftOut, findRepo, git, gitRaw, pathFromBytes, splitNul, splitNulBytes, type GitResult, type Repo } from './git.js';
import { keywordGate } from './gate.js';
import { BlobReader, MissingObjectError } from './history-blobs.js';
import { defaultThreads } from './threads.js';
import { absentPaths, isAbsent, isMagic, isNamed, isPattern, namedPaths, physical, unlistedNamed } from './worktree-named.js';
import { contentOutcome, readEntry, type Entry, type Outcome, type ReadContext } from './worktree-read.js';
import type { BatchMessage, BatchResult, WorkerInit } from './worktree-worker.js';

export interface WorktreeOptions {
  cwd: string;
  paths: string[];
  rules: CompiledRule[];
  maxFileSize: number;
  isIgnoredPath: (path: string) => boolean;
  onFile?: (path: string) => void;
  /** For `scan -`. */
  stdin?: StdinReader;
  /** The repository around `cwd`, when the caller resolved it already (null: none). */
  repo?: Repo | null;
  /** --threads (default: one per core, at most 2). */
  threads?: number;
}

function toEntries(root: string, out: Buffer, seen: Set<string>): Entry[] {
  // git prints normalized paths, so plain concatenation is what join() would give, only cheaper.
  const base = root.endsWith('/') ? root : `${root}/`;
  const entries: Entry[] = [];
  const add = (tag: string | undefined, path: string, abs: string | Buffer) => {
    if (seen.has(path)) return; // an unmerged path is listed once per stage
    seen.add(path);
    // `ls-files -v`: S is skip-worktree, a lower-case tag assume-unchanged.
    const fromIndex = tag === 'S' || (tag !== undefined && tag !== '?' && tag !== tag.toUpperCase());
    entries.push(fromIndex ? { path, abs, gitState: 'tracked', fromIndex } : { path, abs, gitState: tag === '?' ? 'untracked' : 'tracked' });
  };
  // The common case: every name is UTF-8 and none needs pathFromBytes' escaping.
  if (isUtf8(out) && !out.includes(0x5c)) {
    for (const rec of splitNul(out)) add(rec[0], rec.slice(2), base + rec.slice(2));
    return entries;
  }
  // A name that is not UTF-8 is read through its bytes and reported in its escaped form.
  const baseBytes = Buffer.from(base);
  for (const rec of splitNulBytes(out)) {
    const raw = rec.subarray(2);
    const path = pathFromBytes(raw);
    add(String.fromCharCode(rec[0]!), path, isUtf8(raw) ? base + raw.toString('utf8') : Buffer.concat([baseBytes, raw]));
  }
  return entries;
}

/**
 * Every file under `dir`, names read as bytes (a name that is not UTF-8 is still a file to
 * read). A folder that cannot be listed is recorded, never passed over: what it holds is unread.
 */
function walk(dir: Buffer, rel: string, entries: Entry[], unlisted: string[], gitDirs: string[]): void {
  if (isGitDir(dir)) {
    gitDirs.push(`${shownPath(rel || '.')}/`);
    return;
  }
  let names: Dirent<Buffer>[];
  try {
    names = readdirSync(dir, { withFileTypes: true, encoding: 'buffer' });
  } catch (err) {
    unlisted.push(`${shownPath(rel || '.')}/ (${listError(err)})`);
    return;
  }
  names.sort((a, b) => Buffer.compare(a.name, b.name));
  for (const d of names) {
    const abs = Buffer.concat([dir, SLASH, d.name]);
    const path = rel ? `${rel}/${pathFromBytes(d.name)}` : pathFromBytes(d.name);
    if (d.isDirectory()) {
      if (!d.name.equals(DOT_GIT)) walk(abs, path, entries, unlisted, gitDirs);
    } else {
      entries.push({ path, abs: isUtf8(abs) ? abs.toString('utf8') : abs });
    }
  }
}

/**
 * A git directory (a bare repository, or a .git folder named or entered): its files are git's
 * compressed objects and packs, which no rule can read, so reading them as files would pass
 * every token in them. What git looks for: HEAD, objects/ and refs/.
 */
function isGitDir(dir: Buffer): boolean {
  try {
    return (
      lstatSync(Buffer.concat([dir, Buffer.from('/HEAD')])).isFile() &&
      lstatSync(Buffer.concat([dir, Buffer.from('/objects')])).isDirectory() &&
      lstatSync(Buffer.concat([dir, Buffer.from('/refs')])).isDirectory()
    );
  } catch {
    return false;
  }
}

const SLASH = Buffer.from('/');
const DOT_GIT = Buffer.from('.git');
const listError = (err: unknown) => {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (code ?? 'read error');
};

/** Outside a repository: the given files, and every file under the given folders. */
function globEntries(cwd: string, paths: string[]): { root: string; entries: Entry[]; unlisted: string[]; gitDirs: string[] } {
  const targets = paths.length ? paths : ['.'];
  const entries: Entry[] = [];
  const unlisted: string[] = [];
  const gitDirs: string[] = [];
  for (const t of targets) {
    const abs = resolve(cwd, t);
    let st;
    try {
      st = lstatSync(abs);
    } catch (err) {
      // A missing path is reported by absentPaths once the rest is read, as in a repository;
      // one that cannot be reached (a folder above it is mode 000) is read, and fails as unreadable.
      if (!isAbsent(err)) entries.push({ path: relative(cwd, abs).split(sep).join('/'), abs });
      continue;
    }
    const rel = relative(cwd, abs).split(sep).join('/');
    // Anything but a folder is one entry: a FIFO or socket named here is reported as unreadable.
    if (!st.isDirectory()) entries.push({ path: rel, abs });
    else walk(Buffer.from(abs), rel, entries, unlisted, gitDirs);
  }
  return { root: cwd, entries, unlisted, gitDirs };
}

/**
 * Files per chunk taken from the shared counter: small enough to balance, large enough to be
 * cheap. A batch is cut into at least CHUNKS_PER_BATCH chunks: postmark.js's docs/ (133 pages,
 * 42 MB) in chunks of 16 left one thread idle for the last chunk, a tenth of the scan.
 */
const CHUNK = 16;
const CHUNKS_PER_BATCH = 64;
/**
 * Below this many files a second thread costs more than it saves: starting it (loading the
 * engine, compiling the rules) takes some 40 ms of a core. Measured with `npm run bench`.
 */
const WORKER_MIN_FILES = 2000;
/**
 * Or this many bytes in fewer files: generated documentation (postmark.js's docs/, 42 MB in 133
 * pages that say "postmark" throughout) is all engine work, which a second core halves.
 */
const WORKER_MIN_BYTES = 16 * 1024 * 1024;

/**
 * Whether the files to read add up to WORKER_MIN_BYTES, by lstat as the reader sees them (a link
 * is read as its own text, never followed); one that cannot be stat'ed counts nothing here, the
 * reader reports it.
 */
function manyBytes(work: Entry[]): boolean {
  let bytes = 0;
  for (const e of work) {
    try {
      bytes += lstatSync(e.abs).size;
    } catch {
      continue;
    }
    if (bytes >= WORKER_MIN_BYTES) return true;
  }
  return false;
}

/**
 * Whether the index lists at least WORKER_MIN_FILES files, or files of WORKER_MIN_BYTES together
 * (sizes as the index last recorded them), so the worker can boot while git is still listing the
 * files: it takes a tenth of a second or more, during which the main thread reads alone.
 * A wrong guess costs the worker's start on a small tree, or a later start on a large one.
 */
function looksLarge(gitDir: string): boolean {
  const file = join(gitDir, 'index');
  try {
    // An entry takes 62 bytes and its path: an index this large lists enough files, and is not read.
    if (statSync(file).size >= WORKER_MIN_FILES * 80) return true;
    return indexBytes(readFileSync(file)) >= WORKER_MIN_BYTES;
  } catch {
    return false;
  }
}

/**
 * The sizes of the index's entries added up (git's index format, versions 2 and 3, SHA-1 object
 * names), stopping once WORKER_MIN_BYTES is reached; 0 for anything else (version 4 compresses
 * paths, a SHA-256 repository has longer names) or anything that does not read as expected.
 */
function indexBytes(index: Buffer): number {
  if (index.length < 12 || index.toString('latin1', 0, 4) !== 'DIRC') return 0;
  const version = index.readUInt32BE(4);
  if (version !== 2 && version !== 3) return 0;
  const count = index.readUInt32BE(8);
  let at = 12;
  let bytes = 0;
  for (let i = 0; i < count && bytes < WORKER_MIN_BYTES; i++) {
    if (at + 62 > index.length) return 0;
    bytes += index.readUInt32BE(at + 36);
    const flags = index.readUInt16BE(at + 60);
    const head = 62 + (version === 3 && flags & 0x4000 ? 2 : 0);
    const nul = index.indexOf(0, at + head);
    if (nul === -1) return 0;
    // The name's NUL and padding bring the entry to a multiple of 8 bytes.
    at += (nul - at + 8) & ~7;
  }
  return bytes;
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
    /** --threads: the main thread and one worker at most. */
    private readonly threads = defaultThreads(),
  ) {}

  /** Starts the worker (once): it takes a few hundred ms of a core to boot, so the sooner the better. */
  startWorker() {
    this.worker ??= this.spawnWorker().catch(() => undefined); // without it, the main thread reads all
    return this.worker;
  }

  private async spawnWorker() {
    if (this.threads < 2) return undefined;
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
    const chunkSize = Math.max(1, Math.min(CHUNK, Math.ceil(work.length / CHUNKS_PER_BATCH)));
    const chunks = Math.ceil(work.length / chunkSize);
    const counter = new Int32Array(new SharedArrayBuffer(4));
    let fromWorker: Promise<BatchResult | null> | undefined;
    if (work.length >= WORKER_MIN_FILES || (work.length > CHUNK && manyBytes(work))) {
      const worker = await this.startWorker();
      if (worker) {
        const batch = this.batches++;
        fromWorker = new Promise((resolve) => this.pending.set(batch, resolve));
        worker.w.postMessage({ batch, ...worker.encode(work), counter: counter.buffer as SharedArrayBuffer, chunkSize } satisfies BatchMessage);
      }
    }
    let mine = 0;
    for (let c = Atomics.add(counter, 0, 1); c < chunks; c = Atomics.add(counter, 0, 1)) {
      const end = Math.min(work.length, (c + 1) * chunkSize);
      for (let k = c * chunkSize; k < end; k++) readOne(k);
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

  /** Entries read from the index's blobs instead of the disk (Entry.fromIndex), on this thread. */
  async readBlobs(cwd: string, paths: string[], entries: Entry[]): Promise<Read> {
    const listed = await git(['ls-files', '-z', '-s', '--full-name', '--', ...paths], cwd);
    const blobs = new Map<string, { mode: string; oid: string }>();
    for (const rec of splitNulBytes(listed)) {
      const tab = rec.indexOf(0x09);
      const [mode, oid] = rec.subarray(0, tab).toString('latin1').split(' ');
      const path = pathFromBytes(rec.subarray(tab + 1));
      if (!blobs.has(path)) blobs.set(path, { mode: mode!, oid: oid! });
    }
    const outcomes = new Array<Outcome | 'ignored'>(entries.length);
    const pathFindings = new Array<Finding[] | undefined>(entries.length);
    const wanted: number[] = [];
    entries.forEach((e, k) => {
      const blob = blobs.get(e.path);
      if (this.isIgnoredPath(e.path)) outcomes[k] = 'ignored';
      else if (!blob) outcomes[k] = { failed: new GitError(`${shownPath(e.path)} is listed in the index but \`git ls-files -s\` does not name its blob`) };
      else if (blob.mode === '160000') outcomes[k] = { skip: 'submodule', reason: 'submodule (scan it on its own)' };
      else wanted.push(k);
    });
    if (!wanted.length) return { outcomes, pathFindings };
    // One cat-file for them all; a blob over the limit is searched for keywords as it goes past.
    const reader = new BlobReader(cwd, this.ctx.maxFileSize, () => this.ctx.gate);
    try {
      await Promise.all(
        wanted.map((k) =>
          reader.read(blobs.get(entries[k]!.path)!.oid).then((content) => {
            const e = entries[k]!;
            const pf = detectPath(e.path, e.gitState, this.ctx.rules);
            if (pf.length) pathFindings[k] = pf;
            outcomes[k] = contentOutcome(e, content, this.ctx);
          }),
        ),
      );
      await reader.close();
    } catch (e) {
      if (!(e instanceof MissingObjectError)) throw e;
      const k = wanted.find((i) => blobs.get(entries[i]!.path)!.oid === e.sha);
      throw new IncompleteScanError(
        `${k === undefined ? `object ${e.sha}` : shownPath(entries[k]!.path)}: the index's version (what git commits; the file is marked skip-worktree or assume-unchanged) is not in this clone (a partial clone, git clone --filter, leaves such files on the server), so it was not read`,
        `Fetch what the clone left out, then scan again: ${fetchLeftOut()}, or check the file out (\`git sparse-checkout add FOLDER\`).`,
      );
    } finally {
      reader.kill();
    }
    return { outcomes, pathFindings };
  }

  close(): void {
    void this.worker?.then((x) => x?.w.terminate());
  }
}

interface Listing {
  cached: Promise<Buffer>;
  others: Promise<GitResult>;
}

/**
 * Both listings, started at once and before the repository is even found (they depend on the
 * working directory only): rev-parse, then ls-files one after the other was one git start too
 * many on the way to the first file. Outside a repository their failure is never looked at.
 */
function startListing(cwd: string, paths: string[]): Listing {
  // -v: -t's tags, and a lower-case one for an assume-unchanged file (read from the index, as S).
  const args = (which: string[]) => ['ls-files', '-z', '-v', ...which, '--full-name', '--', ...paths];
  // The untracked listing walks the folders, so its warnings (a folder it could not open) are kept.
  const l = { cached: git(args(['--cached']), cwd), others: gitRaw(args(['--others', '--exclude-standard']), cwd) };
  // Awaited later, if at all; a failure must not be an unhandled rejection meanwhile.
  l.cached.catch(() => {});
  l.others.catch(() => {});
  return l;
}

/** What the readers could not reach: folders that could not be listed, as `path/ (why)`. */
type Unlisted = string[];

/**
 * git's stderr from the untracked listing. A folder git could not open holds files nobody read:
 * that fails the scan. Any other line is passed on as a note, never dropped.
 */
function listingWarnings(stderr: string, unlisted: Unlisted, notes: string[]): void {
  for (const line of stderr.split('\n')) {
    if (!line.trim()) continue;
    const m = /^warning: could not open directory '(.*)': (.*)$/.exec(line);
    if (m) unlisted.push(`${shownPath(m[1]!)} (${m[2]!.toLowerCase()})`);
    else notes.push(`git ls-files: ${shownPath(line)}`);
  }
}

/**
 * Named paths git ignores are read, as ripgrep searches whatever it is given: bundlers inline
 * environment values into exactly such files (build/bundle.js). A named ignored folder is read
 * whole; a named folder git does not ignore is read as git sees it, ignored files below it not.
 */
async function namedIgnored(cwd: string, paths: string[]): Promise<GitResult | null> {
  // Patterns and pathspec magic (`:/x`) are git's to expand: what they match is not named here.
  const named = paths.filter((p) => isNamed(cwd, p));
  if (!named.length) return null;
  const check = await gitRaw(['check-ignore', '-z', '--stdin'], cwd, `${named.join('\0')}\0`);
  if (check.code === 1) return null; // none of them is ignored
  if (check.code !== 0) throw new GitError(`\`git check-ignore\` failed: ${check.stderr.trim().split('\n')[0] ?? `exit ${check.code}`}`);
  const ignored = splitNul(check.stdout);
  // Literal: a file named `secret[1].env` is that file, not a pattern that may miss it.
  const r = await gitRaw(['ls-files', '-z', '-t', '--others', '--ignored', '--exclude-standard', '--full-name', '--', ...ignored.map((p) => `:(literal)${p}`)], cwd);
  if (r.code !== 0) throw new GitError(`\`git ls-files --ignored\` failed: ${r.stderr.trim().split('\n')[0] ?? `exit ${r.code}`}`);
  return r;
}

/**
 * Reads a repository's files. `git ls-files --cached --others` prints the untracked files
 * first and the tracked ones after; asking for the two lists separately lets the tracked files
 * be read while git walks the tree, and the order is put back here.
 */
async function readRepo(cwd: string, root: string, paths: string[], listing: Listing, readers: Readers, notes: string[]) {
  const seen = new Set<string>();
  const unlisted: Unlisted = [];
  // No path, from a folder below the root, is that folder: `cd dist && secret-guard scan` reads
  // it as `scan dist` does, also when git ignores it (it read nothing and passed).
  const ignoredListing = namedIgnored(cwd, paths.length || resolve(cwd) === resolve(root) ? paths : ['.']);
  ignoredListing.catch(() => {});
  const cached = toEntries(root, await listing.cached, seen);
  const cachedRead = cached.some((e) => e.fromIndex) ? await readWithIndex(cwd, paths, cached, readers, notes) : await readers.read(cached);
  const othersRun = await listing.others;
  if (othersRun.code !== 0) throw new GitError(`\`git ls-files --others\` failed: ${othersRun.stderr.trim().split('\n')[0] ?? `exit ${othersRun.code}`}`);
  listingWarnings(othersRun.stderr, unlisted, notes);
  const ignoredRun = await ignoredListing;
  if (ignoredRun) listingWarnings(ignoredRun.stderr, unlisted, notes);
  const others = toEntries(root, ignoredRun ? Buffer.concat([othersRun.stdout, ignoredRun.stdout]) : othersRun.stdout, seen);
  const othersRead = await readers.read(others);
  return {
    entries: [...others, ...cached],
    read: { outcomes: [...othersRead.outcomes, ...cachedRead.outcomes], pathFindings: [...othersRead.pathFindings, ...cachedRead.pathFindings] },
    unlisted,
  };
}

/**
 * The tracked files, those git takes from the index (skip-worktree, assume-unchanged) read from
 * their blobs: a sparse checkout leaves them off the disk, and an edit on disk is not what
 * `git add -A` commits. The rest are read from disk as usual.
 */
async function readWithIndex(cwd: string, paths: string[], cached: Entry[], readers: Readers, notes: string[]): Promise<Read> {
  const disk = cached.filter((e) => !e.fromIndex);
  const index = cached.filter((e) => e.fromIndex);
  const [diskRead, indexRead] = await Promise.all([readers.read(disk), readers.readBlobs(cwd, paths, index)]);
  notes.push(`${index.length} file(s) marked skip-worktree or assume-unchanged were read from the index (what git commits), not from disk`);
  const outcomes: Read['outcomes'] = [];
  const pathFindings: Read['pathFindings'] = [];
  let d = 0;
  let i = 0;
  for (const e of cached) {
    const [from, k] = e.fromIndex ? [indexRead, i++] : [diskRead, d++];
    outcomes.push(from.outcomes[k]!);
    pathFindings.push(from.pathFindings[k]);
  }
  return { outcomes, pathFindings };
}

/**
 * Whether the nearest folder still there above the file at `abs` was modified at or after `since`
 * (ms): removing a file updates its folder's mtime, so a tracked file gone from a folder nobody
 * touched since the scan began was deleted before it, and one gone from a folder changed since
 * may have been removed while the scan ran. The file system's clock ticks coarsely behind the
 * real one (Date.now(), the same clock), so a deletion before the scan does not read as during it.
 */
function changedSince(abs: string | Buffer, root: string, since: number): boolean {
  let bytes = typeof abs === 'string' ? Buffer.from(abs) : abs;
  const top = Buffer.byteLength(root);
  for (let slash = bytes.lastIndexOf(0x2f); slash >= top; slash = bytes.lastIndexOf(0x2f, slash - 1)) {
    bytes = bytes.subarray(0, slash);
    try {
      return lstatSync(bytes).mtimeMs >= since;
    } catch (err) {
      if (!isAbsent(err)) return true; // cannot tell: not read, so not passed
      continue; // gone too: ask the folder above
    }
  }
  return false;
}

/**
 * No repository was found: the listing says why. "Not a git repository" is the plain outside (every
 * file is read); any other refusal (a repository git will not open: dubious ownership, a broken
 * config, a newer format) must not turn into a scan of every file on disk, ignored ones included,
 * with the index (a sparse checkout's files) unread, so it is exit 2 with git's reason.
 */
async function refusedRepository(listing: Listing): Promise<void> {
  const r = await listing.others;
  if (r.code === 0 || /not a git repository|must be run in a work tree/.test(r.stderr)) return;
  const why = r.stderr.split('\n').find((l) => l.startsWith('fatal:')) ?? r.stderr.trim().split('\n')[0] ?? `exit ${r.code}`;
  throw new GitError(
    `git will not read the repository here, so the files git would commit are unknown: ${why}`,
    /dubious ownership/.test(why) ? 'Run as the user that owns it, or mark it safe: `git config --global --add safe.directory PATH`, then scan again.' : 'Fix what git reports (`git status` shows it), then scan again.',
  );
}

const DELETED: Outcome = { skip: 'missing', reason: 'deleted from the working tree' };

/**
 * Whether a folder on the way from `root` to the file at `abs` is not a folder (a symbolic link,
 * a file, nothing), each folder lstat'ed once per scan.
 */
function behindNonFolder(abs: string | Buffer, root: string, folders: Map<string, boolean>): boolean {
  const bytes = typeof abs === 'string' ? Buffer.from(abs) : abs;
  for (let slash = bytes.indexOf(0x2f, Buffer.byteLength(root) + 1); slash !== -1; slash = bytes.indexOf(0x2f, slash + 1)) {
    const folder = bytes.subarray(0, slash);
    const key = folder.toString('latin1');
    let ok = folders.get(key);
    if (ok === undefined) {
      try {
        ok = lstatSync(folder).isDirectory();
      } catch (err) {
        ok = !isAbsent(err); // there but not to be looked at (EACCES): the read's own outcome stands
      }
      folders.set(key, ok);
    }
    if (!ok) return true;
  }
  return false;
}

export async function scanWorktree(opts: WorktreeOptions): Promise<ScanResult> {
  if (opts.paths.includes('-')) {
    // A file named `-` is `./-`; a lone `-` is standard input, and a scan of it reads nothing else.
    if (opts.paths.length > 1) throw new UsageError('`-` (standard input) is scanned on its own: run `secret-guard scan -` and the paths separately (a file named - is ./-)');
    return (await import('./stdin.js')).scanStdin(opts);
  }
  const started = Date.now();
  // An absolute path is made relative for git through its folder's real path: git resolves links
  // in an absolute path, but `..` in a relative one is taken as written, so /tmp/link/repo/x
  // became ../link/repo/x, "outside repository" (exit 2), and checks below compared it to no entry.
  const named = opts.paths.map((p) => (isAbsolute(p) ? physical(p) : p));
  const paths = named.map((p) => (isAbsolute(p) ? relative(opts.cwd, p) || '.' : p));
  const notes: string[] = [];
  namedPaths(opts.cwd, named, notes);
  const listing = startListing(opts.cwd, paths);
  const repo = opts.repo !== undefined ? opts.repo : await findRepo(opts.cwd);
  const readers = new Readers({ rules: opts.rules, maxFileSize: opts.maxFileSize, gate: keywordGate(opts.rules) }, opts.isIgnoredPath, opts.threads);
  let root: string;
  let entries: Entry[];
  let read: Read;
  let unlisted: Unlisted;
  let gitDirs: string[] = [];
  try {
    if (repo && !repo.bare) {
      root = repo.root;
      if (!opts.paths.length && looksLarge(repo.gitDir)) void readers.startWorker();
      ({ entries, read, unlisted } = await readRepo(opts.cwd, root, paths, listing, readers, notes));
    } else {
      if (!repo) await refusedRepository(listing);
      ({ root, entries, unlisted, gitDirs } = globEntries(opts.cwd, named));
      read = await readers.read(entries);
    }
  } finally {
    readers.close();
  }
  const stats = emptyStats();
  const findings: Finding[] = [];
  const unreadable: string[] = [];
  const folders = new Map<string, boolean>();
  entries.forEach((e, i) => {
    let o = read.outcomes[i]!;
    if (o === 'ignored') {
      skip(stats, 'ignoredByConfig', e.path, 'ignorePaths in config');
      return;
    }
    let pf = read.pathFindings[i];
    // A tracked file below a folder that is now a link or a file: git sees it deleted (it never
    // follows a link), and opening it would read through the link, or fail on ENOTDIR. Asked only
    // of a file whose outcome would matter, so a clean tree costs no extra lstat.
    const clean = 'scanned' in o && o.findings.length === 0 && !pf;
    if (e.gitState === 'tracked' && !e.fromIndex && !clean && !('skip' in o && o.skip === 'missing') && behindNonFolder(e.abs, root, folders)) o = DELETED;
    if ('skip' in o && o.skip === 'missing') {
      // Listed by a walk of the disk (untracked, or outside a repository) and gone when read, or
      // tracked and gone from a folder changed since the scan began: it was removed while the
      // scan ran, and what it held was not read. Tracked and gone before: `git add -A` removes
      // it, so no path rule applies either.
      if (e.gitState !== 'tracked' || (o !== DELETED && changedSince(e.abs, root, started))) o = { unreadable: 'removed while the scan ran' };
      else pf = undefined;
    }
    if (pf) findings.push(...pf);
    if ('failed' in o) throw o.failed;
    if ('unreadable' in o) return void unreadable.push(`${shownPath(e.path)} (${o.unreadable})`);
    if ('scanned' in o) opts.onFile?.(e.path);
    findings.push(...record(stats, e.path, o));
  });
  if (gitDirs.length) {
    throw new IncompleteScanError(
      `${gitDirs.slice(0, 5).join(', ')}${gitDirs.length > 5 ? ', …' : ''}: a git directory (a bare repository or a .git folder), whose files are git's compressed objects, so the files in it were not scanned`,
      'Scan what it holds with `secret-guard scan --history` run inside it, or scan a working tree (a clone) of it.',
    );
  }
  if (unlisted.length) {
    throw new IncompleteScanError(
      `could not read ${unlisted.length} folder(s), so the files in them were not scanned: ${unlisted.slice(0, 5).join(', ')}${unlisted.length > 5 ? ', …' : ''}`,
      'Make them readable (`chmod u+rx FOLDER`), or add them to .gitignore if git should not see them, and run the scan again.',
    );
  }
  if (unreadable.length) {
    throw new IncompleteScanError(
      `could not read ${unreadable.length} file(s): ${unreadable.slice(0, 5).join(', ')}${unreadable.length > 5 ? ', …' : ''}`,
      'Make them readable regular files (or exclude them with ignorePaths in .secret-guard.json) and run the scan again.',
    );
  }
  const hidden = repo && !repo.bare ? await unlistedNamed(opts.cwd, root, named, entries) : [];
  if (hidden.length) {
    throw new IncompleteScanError(
      `${hidden.join(', ')}: on disk, but git lists no file there, so nothing there was scanned (it is inside another repository, a nested one or a submodule, or outside this one's working tree)`,
      'Run the scan from inside the repository that holds it (`cd` there, then `secret-guard scan`).',
    );
  }
  const absent = absentPaths(opts.cwd, root, named, entries);
  if (absent.length || (entries.length === 0 && opts.paths.some((p) => isPattern(p) || isMagic(p)))) {
    const what = absent.length ? `${absent.join(', ')}: no such file or folder, so nothing was scanned there` : `no file matches ${opts.paths.join(' ')}: nothing was scanned`;
    throw new IncompleteScanError(what, 'Check the paths, or run `secret-guard scan` with none to scan everything (the whole repository, or every file here outside one).');
  }
  // The paths are there and hold nothing git would commit: a complete answer, said plainly.
  if (entries.length === 0 && opts.paths.length) notes.push(`nothing to scan: ${opts.paths.join(', ')} ${opts.paths.length > 1 ? 'hold' : 'holds'} no file git would commit (none, or only files .gitignore excludes)`);
  else if (entries.length === 0) notes.push('nothing to scan: there are no files git would commit');
  stats.durationMs = Date.now() - started;
  return { mode: repo && !repo.bare ? 'worktree' : 'files', root, findings, stats, notes };
}
