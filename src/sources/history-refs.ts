/**
 * What a history scan walks and reports holders against: every ref's commit, HEAD, the stash
 * entries, a range's two ends, and the shallow boundary.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { IncompleteScanError, UsageError } from '../errors.js';
import { git, gitRaw, listWorktrees, pathToBytes, requireRepo } from './git.js';
import { rejectLayoutGaps } from './object-store.js';

/** The folder a history scan reports as its root: the work tree's top, or a bare repository's (a mirror clone's) git directory. */
export async function historyRoot(cwd: string, mode: string): Promise<string> {
  return (await requireRepo(cwd, mode)).root;
}

export interface Tips {
  /**
   * Commit → the names that point at it: refs, older stash entries as `stash@{n}`, another
   * worktree's detached HEAD as `worktrees/<id>/HEAD` (`main-worktree/HEAD`); this worktree's
   * `HEAD` is `head`.
   */
  byCommit: Map<string, string[]>;
  head: string | null;
  /** Stash entries other than the newest: `--all` sees only the ref's own commit. */
  olderStash: string[];
  /**
   * Refs to a blob or a tree (through tags or not), which no commit walk reaches: git.git's
   * `junio-gpg-pub` tag is one. Pushing the ref publishes what it points at.
   */
  loose: Array<{ ref: string; sha: string; type: 'blob' | 'tree' }>;
  /**
   * The annotated tags among the refs: each ref's tag object and the commit it finally names (null
   * for a tag of a blob or tree). Undefined when the refs were read one by one (history-tags.ts
   * then lists the tags itself).
   */
  annotated?: Array<{ ref: string; tag: string; commit: string | null }>;
}

/** `top`: a whole-history scan's root; when given, other worktrees' detached HEADs are named too (`--all` walks them). */
export async function readTips(cwd: string, top?: string): Promise<Tips> {
  const [listed, h, heads] = await Promise.all([refTargets(cwd), gitRaw(['rev-parse', '-q', '--verify', 'HEAD^{commit}'], cwd), top === undefined ? [] : otherWorktreeHeads(cwd, top)]);
  const byCommit = new Map<string, string[]>();
  const add = (sha: string, name: string) => {
    const list = byCommit.get(sha);
    if (list) list.push(name);
    else byCommit.set(sha, [name]);
  };
  const loose: Tips['loose'] = [];
  const annotated: Tips['annotated'] = listed.every((r) => r.tag !== undefined) ? [] : undefined;
  for (const { name, sha, type, tag } of listed) {
    if (type === 'commit') add(sha, name);
    else loose.push({ ref: name, sha, type });
    if (tag) annotated?.push({ ref: name, tag, commit: type === 'commit' ? sha : null });
  }
  for (const { name, sha } of heads) add(sha, name);
  const olderStash: string[] = [];
  if (listed.some((r) => r.name === 'refs/stash')) {
    const entries = (await git(['log', '-g', '--format=%H', 'refs/stash', '--'], cwd)).toString('utf8').split('\n').filter(Boolean);
    entries.forEach((sha, i) => {
      if (i === 0) return;
      olderStash.push(sha);
      add(sha, `stash@{${i}}`);
    });
  }
  return { byCommit, head: h.code === 0 ? h.stdout.toString('utf8').trim() : null, olderStash, loose, annotated };
}

/**
 * The detached HEADs of the repository's other worktrees. `--all` walks them (git counts every
 * worktree's HEAD), but no ref names them, so a leak committed on one was reported as held at no
 * ref's tip, "removed since", while a checkout still had it. A worktree on a branch is named by
 * the branch. Named as git resolves them (`git log worktrees/<id>/HEAD`), the id being the
 * worktree's folder under the common git directory, which its `.git` file names.
 */
async function otherWorktreeHeads(cwd: string, top: string): Promise<Array<{ name: string; sha: string }>> {
  const list = await listWorktrees(cwd);
  // A git before 2.36 has no -z: the worktrees go unnamed, as before; their commits are still read.
  if (!list) return [];
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  };
  const here = real(top);
  const heads: Array<{ name: string; sha: string }> = [];
  for (const [i, { path, head: sha, detached }] of list.entries()) {
    if (!sha || !OID.test(sha) || !detached || real(path) === here) continue;
    if (i === 0) {
      heads.push({ name: 'main-worktree/HEAD', sha });
      continue;
    }
    let id: string | null = null;
    try {
      const link = /^gitdir: (.*)$/m.exec(readFileSync(join(path, '.git'), 'utf8'));
      if (link) id = basename(link[1]!.trim());
    } catch {
      // Its folder was deleted (`git worktree prune` would drop it): git still walks its HEAD.
    }
    heads.push({ name: id ? `worktrees/${id}/HEAD` : `HEAD of the worktree at ${path}`, sha });
  }
  return heads;
}

/** `tag`: the ref's own object when it is an annotated tag, '' when it is not, undefined when not known. */
type RefTarget = { name: string; sha: string; type: 'commit' | 'blob' | 'tree'; tag?: string };

const OID = /^[0-9a-f]{40,64}$/;

/**
 * Every ref with what it finally names, tags (also tags of tags) peeled: one `for-each-ref` that
 * peels a tag once, and `cat-file` only for the rare tag of a tag. On express's 3,900 refs this is
 * a third of a `cat-file --batch-check` of every `ref^{}`, which a history scan waited for before
 * its walk. Objects are read as they are (--no-replace-objects), as the walk reads them.
 */
async function refTargets(cwd: string): Promise<RefTarget[]> {
  const r = await gitRaw(['--no-replace-objects', 'for-each-ref', '--format=%(objectname)%00%(objecttype)%00%(*objectname)%00%(*objecttype)%00%(refname)'], cwd);
  // git cannot read some ref's object (missing, corrupt): the ref by ref check names which.
  if (r.code !== 0) return peelEach(cwd, (await git(['for-each-ref', '--format=%(refname)'], cwd)).toString('utf8').split('\n').filter(Boolean));
  const out: RefTarget[] = [];
  const deeper: string[] = [];
  const at = new Map<string, number>();
  for (const line of r.stdout.toString('utf8').split('\n')) {
    if (!line) continue;
    const [sha = '', type = '', peeledSha = '', peeledType = '', name = ''] = line.split('\0');
    const [s, t] = type === 'tag' ? [peeledSha, peeledType] : [sha, type];
    if (t === 'tag') {
      at.set(name, out.length);
      deeper.push(name);
      out.push({ name, sha: '', type: 'commit', tag: sha }); // filled in below
    } else if (OID.test(s) && (t === 'commit' || t === 'blob' || t === 'tree')) out.push({ name, sha: s, type: t, tag: type === 'tag' ? sha : '' });
    else return peelEach(cwd, r.stdout.toString('utf8').split('\n').filter(Boolean).map((l) => l.split('\0')[4] ?? ''));
  }
  if (deeper.length) for (const p of await peelEach(cwd, deeper)) out[at.get(p.name)!] = { ...p, tag: out[at.get(p.name)!]!.tag };
  return out;
}

/** Peels each named ref with `cat-file --batch-check` on `ref^{}`; a ref it cannot read fails the scan, naming it. */
async function peelEach(cwd: string, names: string[]): Promise<RefTarget[]> {
  if (!names.length) return [];
  const out = (await git(['--no-replace-objects', 'cat-file', '--batch-check=%(objectname) %(objecttype)'], cwd, names.map((n) => `${n}^{}`).join('\n') + '\n')).toString('utf8').split('\n');
  return names.map((name, i) => {
    const [sha, type] = (out[i] ?? '').split(' ');
    if (sha && OID.test(sha) && (type === 'commit' || type === 'blob' || type === 'tree')) return { name, sha, type };
    // Dropping the ref would leave what it holds unread and the scan looking clean.
    throw new IncompleteScanError(
      `${name} points at an object that is ${type === 'missing' ? 'missing from the repository' : `not readable here (${out[i] || 'no answer from git cat-file'})`}, so what it holds cannot be scanned`,
      'Run `git fsck` to see what is damaged; fetch the missing objects, or delete the ref (`git update-ref -d REF`) if it is not needed.',
    );
  });
}

/** The commits whose parents were not fetched. */
export async function shallowBoundary(cwd: string): Promise<Set<string>> {
  const file = resolve(cwd, (await git(['rev-parse', '--git-path', 'shallow'], cwd)).toString('utf8').trim());
  try {
    return new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean));
  } catch {
    return new Set();
  }
}

export interface Range {
  base: string;
  head: string;
  text: string;
  /** Whether the clone is shallow (from the layout check made before the ends were resolved). */
  shallow: boolean;
}

const FETCH_HINT =
  'Fetch both ends before scanning: in GitHub Actions set `fetch-depth: 0` on actions/checkout, in GitLab CI set `GIT_DEPTH: 0`, or run `git fetch origin <base>` (`git fetch --unshallow` in a shallow clone).';

const EMPTY_SIDE_HINT =
  'Pass both ends, e.g. `--range "$BASE_SHA..$HEAD_SHA"`: in GitHub Actions `${{ github.event.pull_request.base.sha }}..${{ github.event.pull_request.head.sha }}`, in GitLab CI `$CI_MERGE_REQUEST_DIFF_BASE_SHA..$CI_COMMIT_SHA` (set only in merge-request pipelines). A variable that is empty where the job runs (a push, not a pull request) leaves a side blank. For a new branch with nothing to compare against, use the default branch as the base (`--range refs/remotes/origin/main..HEAD`, spelt in full: git reads a short origin/main as a tag of that name first), whose settings then judge it; --history would take the settings and ignore file of the checkout, the new branch\'s own.';

/**
 * BASE..HEAD, as git reads it (`BASE..` is BASE..HEAD), except that the base must be given: an
 * empty base (`..HEAD`, `..`, ``) is what an unset CI variable produces, and git would read it as
 * HEAD..HEAD, an empty range that passes having read nothing.
 */
export async function resolveRange(cwd: string, text: string): Promise<Range> {
  const m = /^(.*[^.])?\.\.([^.].*)?$/.exec(text);
  if (text.trim() === '' || /^\s*\.\./.test(text)) {
    throw new UsageError(`--range ${JSON.stringify(text)} has no base: nothing would be compared, and nothing scanned`, EMPTY_SIDE_HINT);
  }
  if (!m || text.includes('...')) {
    throw new UsageError(`--range takes BASE..HEAD (two dots), got ${JSON.stringify(text)}`);
  }
  const baseName = m[1]!;
  const headName = m[2] ?? 'HEAD';
  if (/^0+$/.test(baseName) && (baseName.length === 40 || baseName.length === 64)) {
    throw new UsageError(
      `--range ${JSON.stringify(text)}: the base is the all-zero id git uses for a branch that did not exist before (a push that creates a branch), so there is no base to compare with`,
      // Not --history: it reads the checkout's settings and ignore file, the pushed branch's own.
      'Use the default branch as the base (`--range refs/remotes/origin/main..HEAD`, spelt in full: git reads a short origin/main as a tag of that name first): the new branch is then judged by its settings, where --history would take those of the checkout, the new branch\'s own.',
    );
  }
  // Grafts would resolve the ends through parents the commits do not have (and may hide the base);
  // a lost alternate reads as an end that is not there.
  const { shallow } = await rejectLayoutGaps(cwd);
  const base = await commitOf(cwd, baseName);
  const head = await commitOf(cwd, headName);
  const missing = [base ? null : `base ${baseName}`, head ? null : `head ${headName}`].filter(Boolean);
  if (missing.length) {
    throw new IncompleteScanError(`cannot scan ${text}: the ${missing.join(' and the ')} does not resolve to a commit in this repository, so the range was not read`, FETCH_HINT);
  }
  return { base: base!, head: head!, text, shallow };
}

export function truncatedRange(text: string, boundary: string): IncompleteScanError {
  return new IncompleteScanError(
    `cannot scan ${text} completely: this is a shallow clone and the history between the base and the head was not fetched (commit ${boundary.slice(0, 12)} has no parents here)`,
    `${FETCH_HINT} Or pass --allow-shallow to scan only what was fetched.`,
  );
}

async function commitOf(cwd: string, name: string): Promise<string | null> {
  if (name.startsWith('-')) return null;
  const r = await gitRaw(['--no-replace-objects', 'rev-parse', '-q', '--verify', '--end-of-options', `${name}^{commit}`], cwd);
  return r.code === 0 ? r.stdout.toString('utf8').trim() : null;
}

/** Refs from which any of `commits` can be reached (for leaks in commit messages). */
export async function refsContaining(cwd: string, commits: string[]): Promise<string[]> {
  if (!commits.length) return [];
  const out = await git(['for-each-ref', '--format=%(refname)', ...commits.map((c) => `--contains=${c}`)], cwd);
  return out.toString('utf8').split('\n').filter(Boolean);
}

export async function reaches(cwd: string, from: string, commits: string[]): Promise<boolean> {
  for (const c of commits) {
    const r = await gitRaw(['merge-base', '--is-ancestor', c, from], cwd);
    if (r.code === 0) return true;
    if (r.code !== 1) throw new IncompleteScanError(`could not tell whether ${c.slice(0, 12)} is in ${from.slice(0, 12)}: ${r.stderr.trim().split('\n')[0] ?? ''}`);
  }
  return false;
}

/**
 * The object at `path` in `commit`, or null when there is none. The path is a reported one
 * (pathFromBytes' form), so git is asked with its bytes, on stdin: an argument could not carry a
 * name that is not UTF-8. A name holding a newline (no stdin line can) is asked by argument. The
 * commit as it is (--no-replace-objects), as the walk reads it: a replace ref could otherwise give
 * a merge's other parent a token it does not hold, and the merge's own would pass as inherited.
 */
export async function objectAt(cwd: string, commit: string, path: string): Promise<string | null> {
  const raw = pathToBytes(path);
  if (raw.includes(0x0a)) {
    const r = await gitRaw(['--no-replace-objects', 'rev-parse', '-q', '--verify', `${commit}:${path}`], cwd);
    return r.code === 0 ? r.stdout.toString('latin1').trim() : null;
  }
  const input = Buffer.concat([Buffer.from(`${commit}:`), raw, Buffer.from('\n')]);
  const out = (await git(['--no-replace-objects', 'cat-file', '--batch-check=%(objectname) %(objecttype)'], cwd, input)).toString('latin1').trim();
  const [sha, type] = out.split(' ');
  return sha && type && type !== 'missing' && /^[0-9a-f]{40,64}$/.test(sha) ? sha : null;
}
