/**
 * What is about to be committed: the index, judged against HEAD (or the empty tree before the
 * first commit). Each staged file is read from the index, not the working tree, and scanned
 * whole so that multi-line context (an SMTP block whose host line is untouched) still holds;
 * only findings on lines the staged change adds are kept. Deletions are never findings.
 *
 * This runs on every commit, so it costs three git processes: `diff --raw` (paths, modes, blob
 * ids) and a `-U0` patch of the modified files (added line numbers) side by side, then one
 * `cat-file --batch` for the blobs. The two diffs are matched by blob ids, never by parsing
 * quoted path names out of the patch.
 */
import { detect, detectPath, type CompiledRule } from '../core/engine.js';
import type { Finding } from '../core/types.js';
import { GitError, IncompleteScanError } from '../cli/errors.js';
import { emptyStats, skip, type ScanResult, type ScanStats } from '../scan/result.js';
import { shownPath } from '../report/shown.js';
import { decode, isLfsPointer } from './decode.js';
import { BlobReader, MissingObjectError, type BlobContent } from './history-blobs.js';
import { gitRaw, requireRepo, type GitResult, type Repo } from './git.js';

export interface StagedOptions {
  cwd: string;
  rules: CompiledRule[];
  maxFileSize: number;
  isIgnoredPath: (path: string) => boolean;
}

/** One line of `git diff --raw`. */
export interface StagedEntry {
  status: string;
  oldMode: string;
  newMode: string;
  oldId: string;
  newId: string;
  path: string;
}

const SYMLINK = '120000';
const GITLINK = '160000';
/**
 * The hook only reads: no index refresh, no lock, whatever the user's config says. And it reads
 * the objects themselves: a `git replace` ref must not put other contents in their place.
 */
const READ_ONLY = ['--no-optional-locks', '--no-replace-objects'];
/** Plain diffs whatever the user's config says: no external diff, no textconv, no colour. */
const PLAIN = ['--no-ext-diff', '--no-textconv', '--no-color', '--no-relative'];

/** `:oldmode newmode oldid newid status\0path\0[newpath\0]` records. */
export function parseRaw(out: Buffer): StagedEntry[] {
  const parts = out.toString('utf8').split('\0');
  const entries: StagedEntry[] = [];
  for (let i = 0; i < parts.length; i++) {
    const meta = parts[i]!;
    if (!meta.startsWith(':')) continue;
    const [oldMode, newMode, oldId, newId, status] = meta.slice(1).split(' ') as [string, string, string, string, string];
    const first = parts[++i]!;
    // A rename or copy names its source, then the staged path.
    const path = status[0] === 'R' || status[0] === 'C' ? parts[++i]! : first;
    entries.push({ status: status[0]!, oldMode, newMode, oldId, newId, path });
  }
  return entries;
}

/**
 * Added line numbers (in the new file) per `oldId..newId`, from a patch made with --full-index.
 * Hunk bodies are walked rather than trusting the `+c,d` range, so context lines a user's
 * diff.interHunkContext might merge into a hunk are not counted as added.
 */
export function parseAddedLines(patch: string): Map<string, Set<number>> {
  const out = new Map<string, Set<number>>();
  let added: Set<number> | undefined;
  let key: string | undefined;
  let inHunk = false;
  let line = 0;
  for (const l of patch.split('\n')) {
    // Every body line starts with '+', '-', ' ' or '\', so these prefixes are always headers.
    if (l.startsWith('diff --git ')) {
      added = undefined;
      key = undefined;
      inHunk = false;
      continue;
    }
    if (l.startsWith('@@ ')) {
      const m = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(l);
      if (!m) throw new GitError('could not read the hunk header of a staged diff');
      line = Number(m[1]);
      inHunk = true;
      continue;
    }
    if (!inHunk) {
      const m = /^index ([0-9a-f]+)\.\.([0-9a-f]+)/.exec(l);
      if (m) {
        key = `${m[1]}..${m[2]}`;
        added = new Set();
        out.set(key, added);
      } else if (key && l.startsWith('Binary files ')) {
        // Not read as text by git (binary, or a `-diff` attribute): the caller decides.
        out.delete(key);
      }
      continue;
    }
    const c = l.charCodeAt(0);
    if (c === 43 /* + */) added?.add(line++);
    else if (c === 32 /* space */) line++;
  }
  return out;
}

/** The repository, which must have a work tree: a bare one has no index to commit from. */
async function workTreeRepo(cwd: string): Promise<Repo> {
  const repo = await requireRepo(cwd, 'scan --staged');
  if (repo.bare) throw new GitError('scan --staged needs a work tree, and this is a bare repository', 'Scan its commits with `secret-guard scan --history`.');
  return repo;
}

function failed(r: GitResult, what: string): GitError {
  return new GitError(`\`git ${what}\` failed: ${r.stderr.trim().split('\n')[0] || `exit ${r.code}`}`);
}

/** A pair git would not diff as text (a `-diff` attribute, UTF-16) that our decoder reads as text. */
async function addedLinesOfPair(oldId: string, newId: string, cwd: string): Promise<Set<number>> {
  const r = await gitRaw([...READ_ONLY, 'diff', '-U0', '--inter-hunk-context=0', '--text', '--full-index', ...PLAIN, oldId, newId], cwd);
  if (r.code !== 0) throw failed(r, 'diff --text');
  return parseAddedLines(r.stdout.toString('latin1')).get(`${oldId}..${newId}`) ?? new Set();
}

/** What the staged change adds to an entry: every line, some lines, or nothing. */
function addedBy(e: StagedEntry, hunks: Map<string, Set<number>>): 'all' | Set<number> | undefined | 'unknown' {
  if (e.status === 'A' || e.status === 'T') return 'all';
  if (e.oldId === e.newId) return undefined; // a pure rename or mode change adds no line
  if (e.oldMode === SYMLINK || e.oldMode === GITLINK) return 'all';
  return hunks.get(`${e.oldId}..${e.newId}`) ?? 'unknown';
}

function skipByMode(stats: ScanStats, e: StagedEntry): boolean {
  if (e.newMode === GITLINK) skip(stats, 'submodule', e.path, 'submodule (scan it on its own)');
  else if (e.newMode === SYMLINK) skip(stats, 'symlink', e.path, 'symbolic link (not followed)');
  else return false;
  return true;
}

export async function scanStaged(opts: StagedOptions): Promise<ScanResult> {
  const started = Date.now();
  const diff = [...READ_ONLY, 'diff', '--cached', '-M', ...PLAIN];
  const [repo, raw, patch] = await Promise.all([
    workTreeRepo(opts.cwd),
    gitRaw([...diff, '--raw', '-z', '--no-abbrev'], opts.cwd),
    gitRaw([...diff, '-U0', '--inter-hunk-context=0', '--full-index', '--diff-filter=MRC'], opts.cwd),
  ]);
  if (raw.code !== 0) throw failed(raw, 'diff --cached --raw');
  if (patch.code !== 0) throw failed(patch, 'diff --cached -U0');

  const entries = parseRaw(raw.stdout);
  const unmerged = entries.filter((e) => e.status === 'U');
  if (unmerged.length) {
    throw new IncompleteScanError(
      `${unmerged.length} path(s) are unmerged, so the index holds no single version of them: ${unmerged.slice(0, 5).map((e) => e.path).join(', ')}`,
      'Resolve the conflicts and `git add` the files, then run the scan again.',
    );
  }
  const hunks = parseAddedLines(patch.stdout.toString('latin1'));
  const stats = emptyStats();
  const findings: Finding[] = [];
  const toRead: Array<{ e: StagedEntry; added: 'all' | Set<number> | 'unknown' }> = [];
  for (const e of entries) {
    if (e.status === 'D') continue;
    if (opts.isIgnoredPath(e.path)) {
      skip(stats, 'ignoredByConfig', e.path, 'ignorePaths in config');
      continue;
    }
    findings.push(...detectPath(e.path, 'staged', opts.rules));
    const added = addedBy(e, hunks);
    if (added === undefined || (added instanceof Set && added.size === 0)) continue;
    if (skipByMode(stats, e)) continue;
    toRead.push({ e, added });
  }

  // Pairs git would not diff as text but our decoder reads as text: their added lines come from
  // a second diff, and their blobs from a second read, rather than holding the text meanwhile.
  const later: Array<{ e: StagedEntry; added: Set<number> }> = [];
  const scanEntry = (e: StagedEntry, added: 'all' | Set<number> | 'unknown', blob: BlobContent) => {
    if ('tooLarge' in blob) return skip(stats, 'tooLarge', e.path, `${blob.size} bytes, over --max-file-size`);
    const d = decode(blob.data);
    if ('binary' in d) return skip(stats, 'binary', e.path, d.reason ?? 'binary');
    if (isLfsPointer(d.text)) return skip(stats, 'lfsPointer', e.path, 'Git LFS pointer (content lives outside the repository)');
    if (added === 'unknown') return void later.push({ e, added: new Set() });
    stats.filesScanned++;
    stats.bytesScanned += blob.data.length;
    const lineFilter = added === 'all' ? undefined : (line: number) => added.has(line);
    findings.push(...detect({ text: d.text, path: e.path, lineFilter, gitState: 'staged' }, opts.rules));
  };
  const readAll = async (list: Array<{ e: StagedEntry; added: 'all' | Set<number> | 'unknown' }>) => {
    const byId = new Map<string, typeof list>();
    for (const t of list) {
      const same = byId.get(t.e.newId);
      if (same) same.push(t);
      else byId.set(t.e.newId, [t]);
    }
    if (!byId.size) return;
    // Every id is asked for at once so git keeps inflating, and each blob is scanned in the
    // callback that receives it; only the scans' promises are kept, never the contents, so one
    // blob at a time is held however large the change.
    const reader = new BlobReader(repo.root, opts.maxFileSize);
    try {
      await Promise.all([...byId].map(([id, list]) => reader.read(id).then((blob) => list.forEach((t) => scanEntry(t.e, t.added, blob)))));
      await reader.close();
    } catch (e) {
      const gone = e instanceof MissingObjectError ? byId.get(e.sha)?.[0] : undefined;
      if (gone) throw new IncompleteScanError(`the staged version of ${shownPath(gone.e.path)} is missing from the object database`, 'Run `git fsck`, stage the file again, and retry.');
      throw e;
    } finally {
      reader.kill();
    }
  };
  await readAll(toRead);
  for (const t of later) t.added = await addedLinesOfPair(t.e.oldId, t.e.newId, repo.root);
  await readAll(later);
  stats.durationMs = Date.now() - started;
  return { mode: 'staged', root: repo.root, findings, stats, notes: entries.length ? [] : ['nothing to scan: nothing is staged'] };
}
