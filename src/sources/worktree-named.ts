/**
 * The paths a user names (`secret-guard scan PATH…`): what each is on disk, and whether the
 * listing of what git would commit covered it. A named path that is no file to read, absent, or
 * that git's listing passes over (a nested repository, outside the work tree) must not pass as
 * "nothing to scan".
 */
import { lstatSync, readdirSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { IncompleteScanError } from '../errors.js';
import { shownPath } from '../report/shown.js';
import { gitRaw, pathFromBytes } from './git.js';
import type { Entry } from './worktree-read.js';

export const isAbsent = (err: unknown) => ['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '');

/**
 * Named paths that are on disk and hold files, yet git listed nothing at or below them and none
 * of their files is ignored: git does not look there (a repository nested inside this one, which
 * git lists as a folder when it lists it at all, or a path outside the working tree when
 * GIT_WORK_TREE points elsewhere). Reading nothing there must not pass. Asked only of a named path
 * with no entry, so a usual scan costs nothing here.
 */
export async function unlistedNamed(cwd: string, root: string, paths: string[], entries: Entry[]): Promise<string[]> {
  const out: string[] = [];
  // Every entry and every folder above one, once: a hook handed thousands of paths asks each.
  let covered: Set<string> | undefined;
  const listed = (rel: string) => {
    if (!covered) {
      covered = new Set();
      for (const e of entries) {
        const path = e.path.endsWith('/') ? e.path.slice(0, -1) : e.path; // a nested repository: `nested/`
        for (let at = path.length; at > 0 && !covered.has(path.slice(0, at)); at = path.lastIndexOf('/', at - 1)) covered.add(path.slice(0, at));
      }
    }
    return covered.has(rel);
  };
  for (const p of paths) {
    if (!isNamed(cwd, p)) continue;
    const abs = resolve(cwd, p);
    let st: Stats;
    try {
      st = lstatSync(abs);
    } catch {
      continue; // absent: absentPaths says so
    }
    // In the entries' form: a name holding what reads as an escape (a backslash and three octal
    // digits, or two backslashes) is escaped there (pathFromBytes).
    const rel = pathFromBytes(Buffer.from(relative(root, abs).split(sep).join('/')));
    if ((rel === '' && entries.length) || listed(rel)) continue;
    if (st.isDirectory()) {
      if (!holdsFile(abs)) continue; // git tracks no folder: an empty one holds nothing to commit
      const ignored = await gitRaw(['ls-files', '-z', '--others', '--ignored', '--exclude-standard', '--', p], cwd);
      if (ignored.code === 0 && ignored.stdout.length) continue; // only ignored files: nothing to scan
    }
    out.push(shownPath(p));
  }
  return out;
}

/** Whether a folder holds anything but folders, at any depth (.git is git's, not a file to commit). */
function holdsFile(dir: string): boolean {
  let names: Dirent[];
  try {
    names = readdirSync(dir, { withFileTypes: true });
  } catch {
    return true; // cannot look: it may
  }
  return names.some((d) => d.name !== '.git' && (!d.isDirectory() || holdsFile(join(dir, d.name))));
}

/** An absolute path with its folder's links resolved (the file itself, a link perhaps, kept). */
export function physical(p: string): string {
  try {
    return join(realpathSync(dirname(p)), basename(p));
  } catch {
    return p; // no such folder: absentPaths reports it as named
  }
}

export const isPattern = (p: string) => /[*?[]/.test(p);
export const isMagic = (p: string) => p.startsWith(':');

/**
 * A path that names a file or folder, rather than a pattern or pathspec magic for git to expand:
 * also a name with `*?[` in it that is on disk as it is written (git matches it literally too).
 */
export function isNamed(cwd: string, p: string): boolean {
  if (isMagic(p)) return false;
  if (!isPattern(p)) return true;
  try {
    lstatSync(resolve(cwd, p));
    return true;
  } catch {
    return false;
  }
}

const special = (st: Stats) =>
  st.isFIFO() ? 'a FIFO (named pipe)' : st.isSocket() ? 'a socket' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : null;

/**
 * Named paths that are no file to read: a FIFO, a socket, a device, or a symbolic link to one
 * (`scan <(cmd)` names /dev/fd/N, a link to a pipe). git lists none of them, so inside a
 * repository they would pass as "nothing to scan"; outside one a FIFO could block the read.
 * Refused in both, before anything is read. A named link to anything else is read as a link
 * (its target text, never followed): the note says so.
 */
export function namedPaths(cwd: string, paths: string[], notes: string[]): void {
  const bad: string[] = [];
  for (const p of paths) {
    if (isPattern(p)) continue;
    const abs = resolve(cwd, p);
    let st: Stats;
    try {
      st = lstatSync(abs);
    } catch {
      continue; // absent or unreachable: reported once the rest is read
    }
    if (special(st)) {
      bad.push(`${shownPath(p)} (${special(st)})`);
      continue;
    }
    if (!st.isSymbolicLink()) continue;
    let target: Stats | undefined;
    try {
      target = statSync(abs);
    } catch {
      target = undefined; // dangling: its text is all there is
    }
    const what = target && special(target);
    if (what) bad.push(`${shownPath(p)} (a symbolic link to ${what})`);
    else notes.push(`${shownPath(p)} is a symbolic link: its target text was scanned, the file it points to was not (links are never followed; name that file to scan it)`);
  }
  if (bad.length) {
    throw new IncompleteScanError(
      `cannot scan ${bad.join(', ')}: secret-guard reads files, not streams or devices, so nothing was scanned`,
      'Pipe the content into standard input instead: `cmd | secret-guard scan -` (or `secret-guard scan - < FILE`).',
    );
  }
}

/**
 * Given paths that are not on disk, are not glob patterns and hold no listed entry: a typo, or a
 * folder since renamed. Reading nothing there must not pass (a path git still tracks but the
 * work tree lost is listed, and reported as deleted).
 */
export function absentPaths(cwd: string, root: string, paths: string[], entries: Entry[]): string[] {
  return paths.filter((p) => {
    if (isPattern(p) || isMagic(p)) return false;
    const abs = resolve(cwd, p);
    try {
      lstatSync(abs);
      return false;
    } catch (err) {
      if (!isAbsent(err)) return false; // there, but not to be looked at: reported as unreadable
      const rel = pathFromBytes(Buffer.from(relative(root, abs).split(sep).join('/')));
      return !entries.some((e) => rel === '' || e.path === rel || e.path.startsWith(`${rel}/`));
    }
  });
}
