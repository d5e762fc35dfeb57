/**
 * Read-only facts about the repository that the plan needs: which remote to clone the mirror
 * from, which leak-holding branches that remote lacks, whether there is a stash, and whether an
 * output folder inside the work tree is ignored. Only reading git commands run here.
 */
import { relative } from 'node:path';
import { git, gitRaw, requireRepo, type Repo } from '../sources/git.js';
import { readTips } from '../sources/history-refs.js';

/** The work tree's top level (for a bare repository, the git directory), the git directory, and whether it is bare. */
export type RepoDirs = Repo;

/** The repository around `cwd`, bare ones (mirror clones) included; a GitError when there is none. */
export function openRepo(cwd: string): Promise<RepoDirs> {
  return requireRepo(cwd, 'remediate');
}

/** `origin`, else the only remote, else the first; null when there is none. */
export async function chooseRemote(cwd: string): Promise<string | null> {
  const remotes = (await git(['remote'], cwd)).toString('utf8').split('\n').filter(Boolean);
  if (remotes.includes('origin')) return 'origin';
  return remotes[0] ?? null;
}

/**
 * Branches among `refs` that the remote does not have, as far as this clone knows without asking
 * it: each branch is mapped through the remote's fetch refspecs (`refs/heads/*:refs/remotes/origin/*`)
 * and is the remote's when the mapped ref exists. A mirror's identity refspec (`refs/*:refs/*`)
 * maps every branch onto itself: all of them are the remote's.
 */
export async function localOnlyBranches(cwd: string, remote: string, refs: string[]): Promise<string[]> {
  const branches = [...new Set(refs.filter((r) => r.startsWith('refs/heads/')))];
  if (!branches.length) return [];
  const r = await gitRaw(['config', '--get-all', `remote.${remote}.fetch`], cwd);
  const specs = r.code === 0 ? r.stdout.toString('utf8').split('\n').filter(Boolean) : [];
  const existing = new Set((await git(['for-each-ref', '--format=%(refname)'], cwd)).toString('utf8').split('\n').filter(Boolean));
  const onRemote = (b: string) =>
    specs.some((spec) => {
      const [src, dst] = spec.replace(/^\+/, '').split(':');
      const mapped = src && dst ? mapRef(b, src, dst) : null;
      return mapped !== null && (mapped === b || existing.has(mapped));
    });
  return branches.filter((b) => !onRemote(b)).sort();
}

/** `ref` through one refspec side pair (`refs/heads/*` → `refs/remotes/origin/*`), or null when it does not match. */
export function mapRef(ref: string, src: string, dst: string): string | null {
  const star = src.indexOf('*');
  if (star < 0) return ref === src ? dst : null;
  const [pre, post] = [src.slice(0, star), src.slice(star + 1)];
  if (!ref.startsWith(pre) || !ref.endsWith(post) || ref.length < pre.length + post.length) return null;
  return dst.replace('*', ref.slice(pre.length, ref.length - post.length));
}

export async function hasStash(cwd: string): Promise<boolean> {
  return (await gitRaw(['rev-parse', '-q', '--verify', 'refs/stash'], cwd)).code === 0;
}

/** Whether git ignores files written in `dir` (a folder inside the work tree at `root`). */
export async function isIgnoredDir(root: string, dir: string): Promise<boolean> {
  const rel = relative(root, dir);
  const probe = rel ? `${rel.split('\\').join('/')}/replacements.txt` : 'replacements.txt';
  return (await gitRaw(['check-ignore', '-q', '--', probe], root)).code === 0;
}

/**
 * Refs among `refs` that name a blob or a tree (directly or through tags), with the object each
 * names directly (its tag object, for an annotated tag): git fast-export skips such refs
 * ("unexpected object of type blob, skipping"), so git filter-repo neither rewrites nor drops
 * them, and a secret they hold stays in the rewritten mirror and is pushed again. The plan deletes
 * them by object id (`for-each-ref --points-at`): a ref name is redacted where it holds something
 * token-shaped, an object id never is.
 */
export async function refsToFiles(cwd: string, refs: string[]): Promise<Array<{ name: string; oid: string }>> {
  if (!refs.length) return [];
  const wanted = new Set(refs);
  const loose = [...new Set((await readTips(cwd)).loose.map((l) => l.ref).filter((r) => wanted.has(r)))].sort();
  if (!loose.length) return [];
  const direct = new Map<string, string>();
  for (const line of (await git(['for-each-ref', '--format=%(objectname) %(refname)'], cwd)).toString('utf8').split('\n')) {
    const at = line.indexOf(' ');
    if (at > 0) direct.set(line.slice(at + 1), line.slice(0, at));
  }
  return loose.flatMap((name) => (direct.has(name) ? [{ name, oid: direct.get(name)! }] : []));
}
