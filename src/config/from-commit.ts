/**
 * Settings files as a commit holds them, read through git and never from the working tree: in a
 * range scan the working tree is the change being checked, and the base commit is what it is
 * checked against.
 */
import { git } from '../sources/git.js';
import { resolve } from 'node:path';
import { relativeTo } from './load.js';
import { checkTreeEntry, type TreeEntry } from './settings-file.js';

// Replace refs could put other content under a commit's object ids; pathspec magic in a
// user-given baseline path could match another file.
const GIT = ['--no-replace-objects', '--literal-pathspecs'];

/** The entries of `commit`'s tree at `paths` (root-relative, `/`-separated); absent paths are absent from the map. */
export async function treeEntries(root: string, commit: string, paths: string[]): Promise<Map<string, TreeEntry>> {
  const out = new Map<string, TreeEntry>();
  if (!paths.length) return out;
  const raw = (await git([...GIT, 'ls-tree', '-l', '-z', '--full-tree', commit, '--', ...paths], root)).toString('utf8');
  for (const rec of raw.split('\0')) {
    const tab = rec.indexOf('\t');
    if (tab === -1) continue;
    const [mode, type, sha, size] = rec.slice(0, tab).split(/ +/);
    out.set(rec.slice(tab + 1), { mode: mode!, type: type!, sha: sha!, size: size === '-' ? 0 : Number(size), path: rec.slice(tab + 1) });
  }
  return out;
}

/** The name a message gives a file in a commit: `<12 hex>:path`, as git spells a blob. */
export const atCommit = (commit: string, path: string) => `${commit.slice(0, 12)}:${path}`;

/** The entry's text, after the same refusals a file on disk gets (link, not a file, over 1 MiB). */
export async function readEntry(root: string, commit: string, entry: TreeEntry, what: string): Promise<string> {
  checkTreeEntry(entry, what, atCommit(commit, entry.path));
  return (await git([...GIT, 'cat-file', 'blob', entry.sha], root)).toString('utf8');
}

/** The file at `path` in `commit`, or null when the commit has none there. */
export async function readAtCommit(root: string, commit: string, path: string, what: string): Promise<string | null> {
  const entry = (await treeEntries(root, commit, [path])).get(path);
  return entry ? readEntry(root, commit, entry, what) : null;
}

/**
 * A settings file named on the command line (--config, --baseline) in a range scan: its path in
 * the repository when the base or the head commit tracks it, so it is read from the commits (the
 * change may edit it); undefined for a file outside what the change can touch (the CI job's own),
 * which is trusted as given.
 */
export async function trackedInRange(sides: { root: string; base: string; head: string }, cwd: string, file: string): Promise<string | undefined> {
  const rel = relativeTo(sides.root, resolve(cwd, file));
  if (rel === undefined) return undefined;
  const [atBase, atHead] = await Promise.all([treeEntries(sides.root, sides.base, [rel]), treeEntries(sides.root, sides.head, [rel])]);
  return atBase.has(rel) || atHead.has(rel) ? rel : undefined;
}
