/**
 * Whether the object store can serve a walk as the refs describe it: grafts that rewrite parents, an
 * alternate that is gone, objects a partial clone never fetched. Each is exit 2 before any walk
 * starts, never a silent fetch, a hang, or a pass over what git did not show.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { IncompleteScanError } from '../errors.js';
import { fetchLeftOut, git, gitRaw } from './git.js';

/**
 * Layouts in which git would show less than the repository holds, or fail part-way for want of
 * objects, each exit 2 naming what to do before any walk starts:
 * - `info/grafts` (or GIT_GRAFT_FILE) gives commits other parents in every walk, and git reads it
 *   even with --no-replace-objects: a graft that made a later commit a root hid every commit
 *   before it, and a history scan read one commit and passed (exit 0) over what they hold;
 * - an alternate object store (`git clone --shared` or `--reference`) that is gone: the objects
 *   it lent are missing, which git reported as a range end that "does not resolve" (advice to
 *   fetch) or a ref pointing at nothing.
 */
export async function rejectLayoutGaps(cwd: string): Promise<{ shallow: boolean }> {
  // --git-path names GIT_GRAFT_FILE and GIT_OBJECT_DIRECTORY when they are set, as git reads them.
  // Whether the clone is shallow comes from the same process: a history scan asks both.
  const [shallow = '', ...paths] = (await git(['rev-parse', '--is-shallow-repository', '--git-path', 'info/grafts', '--git-path', 'objects/info/alternates'], cwd)).toString('utf8').split('\n');
  const [grafts = '', alternates = ''] = paths.map((p) => resolve(cwd, p));
  const read = (file: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return '';
    }
  };
  if (/[0-9a-f]{40}/i.test(read(grafts))) {
    throw new IncompleteScanError(
      `${grafts} (grafts) gives commits other parents than they have, so git would walk a history other than the one the refs hold, and the commits it hides would not be read`,
      'Turn the grafts into replace refs, which the scan reads past (it reads the commits as they are, and the replacements too): `git replace --convert-graft-file`, then scan again.',
    );
  }
  // Relative entries are relative to the objects folder; a quoted one (rare) is taken as written.
  const gone = read(alternates).split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')).map((l) => resolve(dirname(dirname(alternates)), l)).filter((d) => !existsSync(d));
  if (gone.length) {
    throw new IncompleteScanError(
      `this repository borrows objects from ${gone.join(', ')} (${alternates}: a clone made with --shared or --reference), and that folder is gone, so the commits and files it held cannot be read`,
      'Put the folder back (or correct the path in that file) and scan again. To stop depending on it, run `git repack -a -d` while it is there, then delete the alternates file; or scan a full clone.',
    );
  }
  return { shallow: shallow.trim() === 'true' };
}

/**
 * The remote a partial clone (`git clone --filter=...`) fetches left-out objects from, or null
 * when this is no partial clone.
 */
export async function promisorRemote(cwd: string): Promise<string | null> {
  const r = await gitRaw(['config', '--get-regexp', '^(extensions\\.partialclone|remote\\..*\\.promisor)$'], cwd);
  if (r.code !== 0) return null; // 1: no such setting
  for (const line of r.stdout.toString('utf8').split('\n')) {
    const [key = '', value = ''] = line.split(/ (.*)/s);
    if (key.toLowerCase() === 'extensions.partialclone' && value) return value;
    const m = /^remote\.(.*)\.promisor$/i.exec(key);
    if (m && /^(true|yes|on|1)$/i.test(value)) return m[1]!;
  }
  return null;
}

/**
 * The objects a walk needs that a partial clone left out, listed without fetching them
 * (`rev-list --missing=print` never fetches). Read anyway, each would be fetched one by one by
 * `cat-file` and `log` behind the scan's back, or, with the remote gone or unreachable, fail the
 * scan halfway or hang it. `walk` and `stdin`: the walk's revisions; `whole`: commits whose whole
 * trees are needed too (a range's boundary: the old sides of its first diffs).
 */
export async function unfetchedObjects(cwd: string, walk: string[], stdin: string[], whole: string[]): Promise<{ count: number; first: string[] }> {
  const found = { count: 0, first: [] as string[] };
  const list = async (args: string[], input: string[]) => {
    const r = await gitRaw(['--no-replace-objects', 'rev-list', '--objects', '--missing=print', ...args, '--stdin'], cwd, input.length ? `${input.join('\n')}\n` : '');
    if (r.code !== 0) throw new IncompleteScanError(`could not list the objects of this partial clone: ${r.stderr.trim().split('\n')[0] ?? `exit ${r.code}`}`, 'Run `git fsck` to see what is damaged.');
    for (const line of r.stdout.toString('latin1').split('\n')) {
      if (line[0] !== '?') continue;
      found.count++;
      if (found.first.length < 5) found.first.push(line.slice(1));
    }
  };
  await list(walk, stdin);
  if (whole.length) await list(['--no-walk'], whole);
  return found;
}

/** The commits just outside a range (parents of its commits that it does not hold). */
export async function rangeBoundary(cwd: string, range: { base: string; head: string }): Promise<string[]> {
  const out = await git(['--no-replace-objects', 'rev-list', '--boundary', range.head, `^${range.base}`], cwd);
  return out.toString('latin1').split('\n').filter((l) => l[0] === '-').map((l) => l.slice(1));
}

export function partialCloneGap(remote: string, missing: { count: number; first: string[] }): IncompleteScanError {
  return new IncompleteScanError(
    `this is a partial clone (git clone --filter) and ${missing.count} object(s) the scan must read were never fetched (${missing.first.join(', ')}${missing.count > missing.first.length ? ', …' : ''}), so the history cannot be read completely; they are not fetched one by one behind the scan's back`,
    `Fetch every object the clone left out, then scan again: ${fetchLeftOut(remote)}, or scan a full clone (\`git clone\` without --filter).`,
  );
}
