/**
 * Settings files as a commit holds them, read through git and never from the working tree: in a
 * range scan the working tree is the change being checked, and the base commit is what it is
 * checked against.
 */
import { lstatSync, realpathSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { isInside } from '../paths.js';
import { ConfigError } from '../errors.js';
import { git } from '../sources/git.js';
import { shownPath } from '../report/shown.js';
import { checkTreeEntry, settingsText, type TreeEntry } from './settings-file.js';

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
  const shown = atCommit(commit, entry.path);
  checkTreeEntry(entry, what, shown);
  return settingsText(await git([...GIT, 'cat-file', 'blob', entry.sha], root), what, shown);
}

/** The file at `path` in `commit`, or null when the commit has none there. */
export async function readAtCommit(root: string, commit: string, path: string, what: string): Promise<string | null> {
  const entry = (await treeEntries(root, commit, [path])).get(path);
  return entry ? readEntry(root, commit, entry, what) : null;
}

/**
 * Where a file named on the command line lies in the repository at `root`, decided without
 * following a link inside the work tree. In a range scan the work tree is the change's checkout:
 * a link it commits (`ci` turned into a link to a folder elsewhere) must not carry a tracked path
 * out of the repository, where a file is trusted as given, and a folder it deletes must not make
 * the base's file unreadable. Links on the way to the work tree (a /tmp link, a symlinked home)
 * are the job's own and are followed. `rel` is the path below the root (undefined: outside it);
 * `linkAt`, the first folder on it inside the work tree that is a link on disk.
 */
export function placeInRepository(root: string, cwd: string, file: string): { rel?: string; linkAt?: string } {
  let realRoot: string;
  try {
    realRoot = realpathSync(root);
  } catch {
    return {};
  }
  const parts = resolve(cwd, file).split(sep).filter(Boolean);
  let dir: string = sep;
  for (let i = 0; i < parts.length; i++) {
    if (isInside(dir, realRoot)) {
      const inside = [...relative(realRoot, dir).split(sep).filter(Boolean), ...parts.slice(i)];
      for (let j = 1; j < inside.length; j++) {
        if (lstatSync(join(realRoot, ...inside.slice(0, j)), { throwIfNoEntry: false })?.isSymbolicLink()) return { rel: inside.join('/'), linkAt: inside.slice(0, j).join('/') };
      }
      return { rel: inside.join('/') };
    }
    // The file's own name is never followed: the reader refuses a link there.
    if (i === parts.length - 1) break;
    const next = join(dir, parts[i]!);
    try {
      dir = realpathSync(next);
    } catch {
      dir = next;
    }
  }
  return {};
}

/**
 * A settings file named on the command line (--config, --baseline) in a range scan: its path in
 * the repository when the base or the head commit tracks it, so it is read from the commits (the
 * change may edit it); undefined for a file outside what the change can touch (the CI job's own,
 * outside the repository or made by the job in the work tree), which is trusted as given. A path
 * that neither commit tracks and that reaches its file through a link in the work tree is refused:
 * the change may have committed that link.
 */
export async function trackedInRange(sides: { root: string; base: string; head: string }, cwd: string, file: string, what = 'settings file'): Promise<string | undefined> {
  const { rel, linkAt } = placeInRepository(sides.root, cwd, file);
  if (rel === undefined) return undefined;
  const [atBase, atHead] = await Promise.all([treeEntries(sides.root, sides.base, [rel]), treeEntries(sides.root, sides.head, [rel])]);
  if (atBase.has(rel) || atHead.has(rel)) return rel;
  if (linkAt !== undefined) {
    throw new ConfigError(
      `${what} ${shownPath(file)} is reached through ${shownPath(linkAt)}, a symbolic link in the checkout, and neither side of the range tracks it, so it was not read`,
      'Name the file itself: one tracked at the base, or one outside the repository (the CI job\'s own).',
    );
  }
  return undefined;
}
