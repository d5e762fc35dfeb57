/**
 * What is about to be committed: the index, judged against HEAD (or the empty tree before the
 * first commit). Each staged file is read from the index, not the working tree, and scanned
 * whole so that multi-line context (an SMTP block whose host line is untouched) still holds.
 * What the hook reports is what the commit makes, judged by findings rather than by lines: a
 * finding is new when its rule does not report the same secret in the file's previous version
 * (HEAD's blob at the rename source, else at the same path), scanned the same way under its own
 * path and config. So a rename into a Postmark-named file, a changed section header or parent
 * key above an untouched token, or a move out of an ignored folder is caught, while an old token
 * on a line nobody touched passes; and no line number from git's byte-based diff is needed
 * (it drifts from the text's lines in UTF-16 files). Deletions are never findings.
 *
 * This runs on every commit, so it costs two git processes: `diff --raw` (paths, modes, blob
 * ids), then one `cat-file --batch` for the blobs. A previous version is read, through the same
 * `cat-file`, only for a file whose staged version has a finding.
 */
import { detectPath, type CompiledRule } from '../core/engine.js';
import { SEVERITY_RANK, type Finding } from '../core/types.js';
import { GitError, IncompleteScanError } from '../errors.js';
import { record, scanContent, type ContentVerdict } from '../scan/content.js';
import { emptyStats, skip, type ScanResult, type ScanStats } from '../scan/result.js';
import { shownPath } from '../report/shown.js';
import { BlobReader, MissingObjectError, type BlobContent } from './history-blobs.js';
import { gateOf } from './gate.js';
import { gitRaw, pathFromBytes, requireRepo, splitNulBytes, UNFETCHED_OBJECT, type GitResult, type Repo } from './git.js';

export interface StagedOptions {
  cwd: string;
  rules: CompiledRule[];
  maxFileSize: number;
  isIgnoredPath: (path: string) => boolean;
  /** The repository, when the caller resolved it already: git is then not asked again. */
  repo?: Repo | null;
  /** `readIndexChanges(cwd)`, when the caller started it already (before reading config and compiling rules). */
  indexChanges?: Promise<GitResult>;
}

/** One line of `git diff --raw`. */
export interface StagedEntry {
  status: string;
  oldMode: string;
  newMode: string;
  oldId: string;
  newId: string;
  /** The rename or copy source; else the same as `path`. */
  oldPath: string;
  path: string;
}

const GITLINK = '160000';
/**
 * The hook only reads: no index refresh, no lock, whatever the user's config says. And it reads
 * the objects themselves: a `git replace` ref must not put other contents in their place.
 */
const READ_ONLY = ['--no-optional-locks', '--no-replace-objects'];
/** Plain diffs whatever the user's config says: no external diff, no textconv, no colour. */
const PLAIN = ['--no-ext-diff', '--no-textconv', '--no-color', '--no-relative'];

/**
 * The index against HEAD as `git diff --cached --raw` gives it (paths, modes, blob ids). Nothing
 * in config changes it, so the hook starts it before reading config and compiling rules, and git
 * runs meanwhile; `signal` kills it when the scan fails before asking for its answer.
 */
export function readIndexChanges(cwd: string, renames = true, signal?: AbortSignal): Promise<GitResult> {
  // Rename detection reads HEAD's blobs, which a partial clone may not have; gitRaw never fetches
  // one (a remote that does not answer hung the hook), and scanStaged says what instead.
  const changes = gitRaw([...READ_ONLY, 'diff', '--cached', renames ? '-M' : '--no-renames', ...PLAIN, '--raw', '-z', '--no-abbrev'], cwd, undefined, undefined, signal);
  changes.catch(() => {}); // awaited by scanStaged; this only keeps a failure from being "unhandled" until then
  return changes;
}

/** `:oldmode newmode oldid newid status\0path\0[newpath\0]` records. */
export function parseRaw(out: Buffer): StagedEntry[] {
  // Names as bytes first: one that is not UTF-8 keeps its bytes in pathFromBytes' form.
  const parts = splitNulBytes(out).map(pathFromBytes);
  const entries: StagedEntry[] = [];
  for (let i = 0; i < parts.length; i++) {
    const meta = parts[i]!;
    if (!meta.startsWith(':')) continue;
    const [oldMode, newMode, oldId, newId, status] = meta.slice(1).split(' ') as [string, string, string, string, string];
    const first = parts[++i]!;
    // A rename or copy names its source, then the staged path.
    const path = status[0] === 'R' || status[0] === 'C' ? parts[++i]! : first;
    entries.push({ status: status[0]!, oldMode, newMode, oldId, newId, oldPath: first, path });
  }
  return entries;
}

/** The repository, which must have a work tree: a bare one has no index to commit from. */
async function workTreeRepo(cwd: string, known?: Repo | null): Promise<Repo> {
  const repo = known ?? (await requireRepo(cwd, 'scan --staged'));
  if (repo.bare) throw new GitError('scan --staged needs a work tree, and this is a bare repository', 'Scan its commits with `secret-guard scan --history`.');
  return repo;
}

function failed(r: GitResult, what: string): GitError {
  return new GitError(`\`git ${what}\` failed: ${r.stderr.trim().split('\n')[0] || `exit ${r.code}`}`);
}

/** HEAD's version of a staged file that the scan would have read, if there is one. */
interface Previous {
  id: string;
  path: string;
}

/**
 * What a staged entry is judged against: HEAD's blob at the rename source, or at the same path.
 * Nothing when there was no such file (an addition, or a copy: its source stays, so the copy is
 * new), when it was no file the scan reads (a symbolic link, a submodule), or when the config
 * ignored its path: then nothing was reported for it, and every finding is new.
 */
function previousOf(e: StagedEntry, isIgnoredPath: (path: string) => boolean): Previous | undefined {
  if (e.status === 'A' || e.status === 'C') return undefined;
  if (!e.oldMode.startsWith('100') || /^0+$/.test(e.oldId)) return undefined;
  if (isIgnoredPath(e.oldPath)) return undefined;
  return { id: e.oldId, path: e.oldPath };
}

/**
 * The findings of `after` that `before` does not already report: same rule and secret, at the
 * same or a higher severity (a move out of a test folder can raise a warning to an error), and
 * not merely allowed inline before when it is not now (dropping an allow comment exposes it).
 */
export function newFindings(after: Finding[], before: Finding[]): Finding[] {
  if (!before.length) return after;
  const known = new Map<string, Finding[]>();
  for (const b of before) {
    const key = `${b.ruleId}\0${b.secret}`;
    const list = known.get(key);
    if (list) list.push(b);
    else known.set(key, [b]);
  }
  return after.filter(
    (f) => !known.get(`${f.ruleId}\0${f.secret}`)?.some((b) => SEVERITY_RANK[b.severity] >= SEVERITY_RANK[f.severity] && (!b.suppressedBy || f.suppressedBy)),
  );
}

function skipByMode(stats: ScanStats, e: StagedEntry): boolean {
  if (e.newMode === GITLINK) skip(stats, 'submodule', e.path, 'submodule (scan it on its own)');
  else return false;
  return true;
}

export async function scanStaged(opts: StagedOptions): Promise<ScanResult> {
  const started = Date.now();
  const [repo, first] = await Promise.all([workTreeRepo(opts.cwd, opts.repo), opts.indexChanges ?? readIndexChanges(opts.cwd)]);
  const notes: string[] = [];
  let raw = first;
  if (raw.code !== 0 && UNFETCHED_OBJECT.test(raw.stderr)) {
    // A partial clone without HEAD's version of a file the commit removes (outside a sparse
    // checkout): without rename detection a moved file is judged as added, so every finding in
    // it counts as new. Stricter, never laxer, and said.
    raw = await readIndexChanges(opts.cwd, false);
    notes.push("renames were not detected: HEAD's version of a removed file is not in this partial clone (git clone --filter), so a moved file's findings all count as new");
  }
  if (raw.code !== 0) throw failed(raw, 'diff --cached --raw');

  const entries = parseRaw(raw.stdout);
  const unmerged = entries.filter((e) => e.status === 'U');
  if (unmerged.length) {
    throw new IncompleteScanError(
      `${unmerged.length} path(s) are unmerged, so the index holds no single version of them: ${unmerged.slice(0, 5).map((e) => e.path).join(', ')}`,
      'Resolve the conflicts and `git add` the files, then run the scan again.',
    );
  }
  const stats = emptyStats();
  const findings: Finding[] = [];
  const toRead: Array<{ e: StagedEntry; prev: Previous | undefined }> = [];
  for (const e of entries) {
    if (e.status === 'D') continue;
    if (opts.isIgnoredPath(e.path)) {
      skip(stats, 'ignoredByConfig', e.path, 'ignorePaths in config');
      continue;
    }
    findings.push(...detectPath(e.path, 'staged', opts.rules));
    const prev = previousOf(e, opts.isIgnoredPath);
    // Only the mode changed: the same bytes at the same path report the same findings.
    if (prev && prev.id === e.newId && prev.path === e.path) continue;
    if (skipByMode(stats, e)) continue;
    toRead.push({ e, prev });
  }

  /** A blob at a path through the one content pipeline, judged as staged content. */
  const content = { rules: opts.rules, maxFileSize: opts.maxFileSize, gitState: 'staged' as const };
  const findingsIn = (path: string, blob: BlobContent): ContentVerdict => scanContent(blob, path, content);
  // HEAD's versions, by id, for naming one that turns out to be missing.
  const previous = new Map<string, StagedEntry>();
  const byId = new Map<string, typeof toRead>();
  for (const t of toRead) {
    const same = byId.get(t.e.newId);
    if (same) same.push(t);
    else byId.set(t.e.newId, [t]);
  }
  const reader = byId.size ? new BlobReader(repo.root, opts.maxFileSize, () => gateOf(opts.rules)) : undefined;
  const judge = (found: Finding[], before: ContentVerdict) => {
    // HEAD's version unread (binary, too large): nothing was reported for it, so all is new.
    findings.push(...newFindings(found, 'skip' in before ? [] : before.findings));
  };
  // Its own function, so the staged blob is not held while HEAD's version is read.
  const judgeAgainstHead = async (t: (typeof toRead)[number], prev: Previous, found: Finding[]) => {
    previous.set(prev.id, t.e);
    judge(found, findingsIn(prev.path, await reader!.read(prev.id)));
  };
  const scanEntry = (t: (typeof toRead)[number], blob: BlobContent): Promise<void> | void => {
    const verdict = findingsIn(t.e.path, blob);
    const found = record(stats, t.e.path, verdict);
    if ('skip' in verdict) return;
    if (!found.length || !t.prev) return void findings.push(...found);
    // Only now is HEAD's version read: most staged files have no finding at all. A pure rename
    // has it in hand already.
    if (t.prev.id === t.e.newId) return judge(found, findingsIn(t.prev.path, blob));
    return judgeAgainstHead(t, t.prev, found);
  };
  if (reader) {
    // Every id is asked for at once so git keeps inflating, and each blob is scanned in the
    // callback that receives it; only the scans' promises are kept, never the contents, so one
    // blob at a time is held however large the change.
    try {
      await Promise.all([...byId].map(([id, list]) => reader.read(id).then((blob) => Promise.all(list.map((t) => scanEntry(t, blob))))));
      await reader.close();
    } catch (e) {
      if (e instanceof MissingObjectError) {
        const staged = byId.get(e.sha)?.[0]?.e;
        if (staged) throw new IncompleteScanError(`the staged version of ${shownPath(staged.path)} is missing from the object database`, 'Run `git fsck`, stage the file again, and retry.');
        const committed = previous.get(e.sha);
        if (committed) throw new IncompleteScanError(`the committed version (HEAD) of ${shownPath(committed.oldPath)} is missing from the object database`, 'Run `git fsck` to see what is damaged, and retry.');
      }
      throw e;
    } finally {
      reader.kill();
    }
  }
  stats.durationMs = Date.now() - started;
  return { mode: 'staged', root: repo.root, findings, stats, notes: entries.length ? notes : ['nothing to scan: nothing is staged'] };
}
