/**
 * The net change of a range that holds a merge: a secret HEAD holds at a path where the merge base
 * of BASE and HEAD does not, and that no commit of the range introduced.
 *
 * The walk judges each commit against its first parent, which is exact along a line of commits. A
 * merge breaks it: a branch commit that only carries a token (its old side, from before the branch
 * point, had it) is "inherited", and a merge of the base branch that resolves the file to the
 * branch's side changes nothing against its first parent, while the base branch has removed the
 * token since. Merging the pull request then puts the token back on the base's tip; GitHub's
 * "Files changed" (merge base → HEAD) shows it added. So once the walk met a merge, the diff of
 * the merge base's tree against HEAD's is judged too, as one more change set: introduced where the
 * new side holds a secret that the old side (the rename source, for a rename) does not.
 *
 * The merge base and not BASE: a branch that still holds a token the base removed after the branch
 * point, and never merged the removal, merges cleanly into the base's version; only a change the
 * branch makes to the file can bring the token back, and the merge base is what it changed from.
 */
import { GitError } from '../errors.js';
import type { Finding } from '../core/types.js';
import { git, gitRaw, pathFromBytes } from './git.js';
import { rawEntry, SHA, type RawChange } from './history-log.js';
import { idOf, isFile } from './history-provenance.js';

const GIT_GLOBAL = ['--no-replace-objects'];

/**
 * The best common ancestors of `head` and `bases` (`git merge-base --all`), [] when they share
 * none, null when git cannot say (a base that is not a commit here: the caller falls back).
 */
export async function mergeBases(cwd: string, head: string, bases: readonly string[]): Promise<string[] | null> {
  if (!bases.length) return [];
  const r = await gitRaw([...GIT_GLOBAL, 'merge-base', '--all', head, ...bases], cwd);
  if (r.code === 1 && !r.stdout.length) return [];
  if (r.code !== 0) return null;
  return r.stdout.toString('latin1').split('\n').filter((l) => SHA.test(l));
}

/** Whether `commit` is an ancestor of (or is) one of `of`; git's error is an error. */
export async function isAncestorOfAny(cwd: string, commit: string, of: readonly string[]): Promise<boolean> {
  for (const c of of) {
    const r = await gitRaw([...GIT_GLOBAL, 'merge-base', '--is-ancestor', commit, c], cwd);
    if (r.code === 0) return true;
    if (r.code !== 1) throw new GitError(`could not tell whether ${commit.slice(0, 12)} is an ancestor of ${c.slice(0, 12)}; the net change of the range was not judged`);
  }
  return false;
}

/**
 * What `to`'s tree changes against `from`'s (all of it added when `from` is null: no common
 * ancestor), renames paired as the walk pairs them (-M).
 */
export async function treeChanges(cwd: string, from: string | null, to: string): Promise<RawChange[]> {
  const out = from
    ? await git([...GIT_GLOBAL, 'diff-tree', '--no-relative', '-r', '-z', '--raw', '--no-abbrev', '-M', '--no-color', from, to], cwd)
    : await git([...GIT_GLOBAL, 'ls-tree', '-r', '-z', '--full-tree', to], cwd);
  return from ? parseRaw(out) : parseLsTree(out);
}

/** `git diff-tree -r -z --raw` records: `:modes ids status\0path\0` (two paths for R and C). */
export function parseRaw(out: Buffer): RawChange[] {
  const changes: RawChange[] = [];
  let at = 0;
  const field = (): Buffer => {
    const nul = out.indexOf(0, at);
    if (nul < 0) throw malformed();
    const f = out.subarray(at, nul);
    at = nul + 1;
    return f;
  };
  while (at < out.length) {
    const entry = rawEntry(field().toString('latin1'));
    if (typeof entry === 'string') throw malformed();
    entry.oldPath = pathFromBytes(field());
    entry.path = entry.status === 'R' || entry.status === 'C' ? pathFromBytes(field()) : entry.oldPath;
    changes.push(entry);
  }
  return changes;
}

function parseLsTree(out: Buffer): RawChange[] {
  const changes: RawChange[] = [];
  let at = 0;
  while (at < out.length) {
    const nul = out.indexOf(0, at);
    if (nul < 0) throw malformed();
    const rec = out.subarray(at, nul);
    at = nul + 1;
    const tab = rec.indexOf(0x09);
    const [mode, , blob] = rec.subarray(0, tab < 0 ? 0 : tab).toString('latin1').split(' ');
    if (tab < 0 || !mode || !blob || !SHA.test(blob)) throw malformed();
    const path = pathFromBytes(rec.subarray(tab + 1));
    changes.push({ status: 'A', oldMode: '000000', newMode: mode, oldBlob: '0'.repeat(blob.length), newBlob: blob, oldPath: path, path });
  }
  return changes;
}

/** What judging the net change asks: the walk's reads, and what HEAD's state already holds. */
export interface NetContents {
  excluded(path: string, mode: string): boolean;
  findingsAt(blob: string, path: string): Finding[];
  idsAt(blob: string, path: string): ReadonlySet<string>;
  /** The ids of the leaks of this scan that HEAD's state holds at `path` (reported, or carried). */
  reportedAt(path: string): ReadonlySet<string>;
  /** What a committed file at `path` is, whatever it holds: the path rules' findings. */
  pathFindings(path: string): Finding[];
  /** Whether HEAD's state holds a path finding of this scan at `path` (reported, or carried). */
  pathReportedAt(path: string): boolean;
}

export interface NetFinding {
  path: string;
  blob: string;
  finding: Finding;
  /** Paths the net change deletes whose old side held the secret (movedFrom): filled by the caller. */
  movedFrom: string[];
}

/**
 * The secrets the net change adds that the walk did not report: held by the new side, not by
 * the old side (the rename source for a rename), and not a leak of the scan HEAD holds there.
 * Every blob asked about must have been read (the new sides, and the old side of every change
 * whose new side holds something).
 */
export function netIntroduced(changes: readonly RawChange[], contents: NetContents): NetFinding[] {
  const out: NetFinding[] = [];
  for (const ch of changes) {
    if (ch.status === 'D' || !isFile(ch.newMode) || contents.excluded(ch.path, ch.newMode)) continue;
    const found = contents.findingsAt(ch.newBlob, ch.path);
    if (!found.length) continue;
    const before = isFile(ch.oldMode) && !/^0+$/.test(ch.oldBlob) ? contents.idsAt(ch.oldBlob, ch.oldPath) : new Set<string>();
    const reported = contents.reportedAt(ch.path);
    const seen = new Set<string>();
    for (const f of found) {
      const id = idOf(f);
      // An allow written on a secret already there adds no secret (as the walk judges it).
      const plain = f.suppressedBy ? `0${f.secret}` : id;
      if (seen.has(id)) continue;
      seen.add(id);
      if (before.has(id) || before.has(plain) || reported.has(id) || reported.has(plain)) continue;
      out.push({ path: ch.path, blob: ch.newBlob, finding: f, movedFrom: [] });
    }
  }
  return out;
}

/**
 * The files a path rule names (a committed .env) that the net change adds, renames or copies into
 * place and the walk did not report: the merge base has no file there. A merge that keeps a .env
 * the base stopped tracking (a modify/delete conflict resolved to the branch's side) adds it to
 * the base's tip once merged, and no commit of the range added it.
 */
export function netPathsIntroduced(changes: readonly RawChange[], contents: Pick<NetContents, 'excluded' | 'pathFindings' | 'pathReportedAt'>): NetFinding[] {
  const out: NetFinding[] = [];
  for (const ch of changes) {
    if (ch.status !== 'A' && ch.status !== 'R' && ch.status !== 'C') continue;
    if (!isFile(ch.newMode) || contents.excluded(ch.path, ch.newMode)) continue;
    const found = contents.pathFindings(ch.path);
    if (!found.length || contents.pathReportedAt(ch.path)) continue;
    for (const f of found) out.push({ path: ch.path, blob: ch.newBlob, finding: f, movedFrom: [] });
  }
  return out;
}

/**
 * The paths the net change deletes whose old side holds each of `ids`. A rename in one commit and a
 * rewrite in a later one is a rename the walk followed (the secret inherited) and the tree diff
 * may not pair: a delete and an add. Only deletions of files are asked about, each one read.
 */
export function deletedHolding(changes: readonly RawChange[], contents: Pick<NetContents, 'idsAt'>, ids: ReadonlySet<string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const ch of changes) {
    if (ch.status !== 'D' || !isFile(ch.oldMode)) continue;
    for (const id of contents.idsAt(ch.oldBlob, ch.oldPath)) {
      if (!ids.has(id)) continue;
      const paths = out.get(id);
      if (paths) paths.push(ch.oldPath);
      else out.set(id, [ch.oldPath]);
    }
  }
  return out;
}

function malformed(): GitError {
  return new GitError('could not parse the tree diff of the range\'s merge base against its head; the range was not read completely');
}
