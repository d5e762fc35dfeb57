/**
 * Provenance of a history scan: which commit introduced each leak, and what still holds it.
 * Pure bookkeeping over commits already parsed (history-log.ts) in topological order, parents
 * first; what a blob holds comes from the caller's `Contents`, so no git and no I/O here.
 *
 * A secret is introduced at P when the new blob at P holds it and the old side of the diff (the
 * rename source, for a rename) does not, nor, for a merge, another parent at P. A commit's state
 * is its first parent's state plus its diff, restricted to the paths that hold a leak: a
 * persistent map, so a child shares all but what its diff changed. That is exact because a
 * parent always comes before its children. A state is dropped once all of the commit's children
 * have been seen, except at ref tips and the head, which are matched to leaks at the end.
 *
 * Holder counts cost what changes, not commits x leaks: each commit records the leaks whose
 * presence its diff switched on or off, against its first parent's state. The commits holding a
 * leak are then, in the tree of first parents, the sum of the subtree sizes where it was switched
 * on less those where it was switched off (on a path from a root the switches alternate, starting
 * with on, so a commit is counted once exactly when the last switch above it is on).
 */
import type { CommitInfo, Finding, Holders } from '../core/types.js';
import type { LogCommit, RawChange } from './history-log.js';
import { PersistentMap } from './persistent-map.js';

/** What the walk knows about the blobs and paths of a change; every blob asked about was read. */
export interface Contents {
  /** The new side at `path` stays out of the scan (ignorePaths, a submodule); the caller records why. */
  excluded(path: string, mode: string): boolean;
  /** The content findings of `blob` read at `path`: [] when none or not scanned. */
  findingsAt(blob: string, path: string): Finding[];
  /** The ids (idOf) of those findings: empty when none, or when `path` is out of the scan. */
  idsAt(blob: string, path: string): ReadonlySet<string>;
  /** What a path's name alone earns when a commit adds it (a committed .env). */
  pathFindings(path: string): Finding[];
}

export type HeldFinding = Finding & { holders: Holders };
/** What a finding names of its commit. */
export type CommitRef = Pick<LogCommit, 'sha' | 'author' | 'email' | 'date'>;

/** A message leak, whose refs and HEAD are found from its commits (by the caller: git). */
export interface MessageLeak {
  finding: HeldFinding;
  commits: string[];
}

/** Blobs read as content: files, and symbolic links, whose blob is the target text (never followed). */
export const isFile = (mode: string) => mode === '100644' || mode === '100755' || mode === '120000';
const isZero = (sha: string) => /^0+$/.test(sha);
/** Secret plus whether an inline allow covers it: removing the allow makes a new finding. */
export const idOf = (f: Finding) => `${f.suppressedBy ? 1 : 0}${f.secret}`;
/** The key of `f`'s leak at `path`: a path rule's finding by its rule, a secret by its id (one leak whatever rule found it). */
export const leakKey = (f: Finding, path: string) => (f.kind === 'path' ? `p${f.ruleId}\0${path}` : `c${idOf(f)}\0${path}`);
/** In a merge's `merged` ids: some other parent has a file at the path (so its path findings too). */
export const PATH_HELD = '\0file';
const NO_IDS: ReadonlySet<string> = new Set();

interface Leak {
  finding: HeldFinding;
  kind: Finding['kind'];
  id: string;
  /** Commits whose message holds it (message leaks only). */
  messageCommits?: string[];
  /** Every path some state held it at: where to look for it in a state. */
  paths: string[];
  /** Commit indexes where its presence switched on (i) or off (~i) against the first parent. */
  switches: number[];
}

interface Held {
  blob: string;
  leaks: Leak[];
}

/** The leak-holding paths of one commit's tree. Shared, never changed once built. */
type State = PersistentMap<Held>;
const EMPTY: State = PersistentMap.empty();

function holds(state: State, leak: Leak): boolean {
  for (const p of leak.paths) if (state.get(p)?.leaks.includes(leak)) return true;
  return false;
}

export class Provenance {
  private readonly leaks = new Map<string, Leak>();
  private readonly findings: HeldFinding[] = [];
  /** Commits whose children are not all applied yet, ref tips and the head. */
  private readonly states = new Map<string, { state: State; index: number; remaining: number; keep: boolean }>();
  /** Each applied commit's first parent's index, -1 for none (a root, or a parent outside the walk). */
  private readonly firstParent: number[] = [];

  /** `keep`: the commits whose states decide refs and inHead (ref tips, the head). */
  constructor(
    private readonly contents: Contents,
    private readonly keep: ReadonlySet<string>,
  ) {}

  /**
   * A commit's message findings. Messages arrive in the order commits are applied, so a message
   * leak is reported at its first commit.
   */
  message(c: LogCommit, found: Finding[]): void {
    const seen = new Set<string>();
    for (const f of found) {
      const id = idOf(f);
      if (seen.has(id)) continue;
      seen.add(id);
      const leak = this.leakFor(f, `m${id}`, c);
      leak.finding.holders.commits++;
      (leak.messageCommits ??= []).push(c.sha);
    }
  }

  /**
   * Applies one commit, in topological order. `children`: how many commits of the walk have it as
   * a parent. `merged` (ranges): per path, the ids some other parent of a merge held there, and
   * PATH_HELD when one has a file there.
   */
  commit(c: LogCommit, children: number, merged?: ReadonlyMap<string, ReadonlySet<string>>): void {
    const index = this.firstParent.length;
    const parent = c.parents.length ? this.states.get(c.parents[0]!) : undefined;
    this.firstParent.push(parent ? parent.index : -1);
    const base = parent?.state ?? EMPTY;
    const others: State[] = [];
    for (const p of c.parents.slice(1)) {
      const s = this.states.get(p)?.state;
      if (s) others.push(s);
    }
    const touched = new Set<Leak>();
    const state = this.applyDiff(c, base, merged, touched, others);
    for (const l of touched) {
      const now = holds(state, l);
      if (now !== holds(base, l)) l.switches.push(now ? index : ~index);
    }
    const keep = this.keep.has(c.sha);
    if (children > 0 || keep) this.states.set(c.sha, { state, index, remaining: children, keep });
    for (const p of c.parents) {
      const e = this.states.get(p);
      if (e && --e.remaining <= 0 && !e.keep) this.states.delete(p);
    }
  }

  /**
   * Files that a ref names without a commit (a tag of a blob, or of a tree: then its paths'
   * names count too). Given after every commit, so a secret some commit also holds at the same
   * path is that commit's leak, and the ref one more holder; otherwise the leak has no commit.
   */
  loose(ref: string, files: ReadonlyArray<{ blob: string; path: string }>, tree: boolean): void {
    const held = new Set<Leak>();
    for (const f of files) {
      if (tree) for (const p of this.contents.pathFindings(f.path)) held.add(this.leakFor(p, leakKey(p, f.path)));
      for (const c of this.contents.findingsAt(f.blob, f.path)) held.add(this.leakFor(c, leakKey(c, f.path)));
    }
    for (const l of held) l.finding.holders.refs.push(ref);
  }

  /**
   * Counts the commits holding each leak, and names the tips (`tips`: commit → ref names) and
   * the `head` whose trees hold it. Message leaks are returned for the caller to place.
   */
  settle(tips: ReadonlyMap<string, readonly string[]>, head: string | null): { findings: HeldFinding[]; messages: MessageLeak[] } {
    const size = new Array<number>(this.firstParent.length).fill(1);
    for (let i = size.length - 1; i >= 0; i--) {
      const p = this.firstParent[i]!;
      if (p >= 0) size[p]! += size[i]!;
    }
    for (const l of this.leaks.values()) {
      for (const s of l.switches) l.finding.holders.commits += s >= 0 ? size[s]! : -size[~s]!;
    }
    for (const [sha, names] of tips) {
      for (const l of this.leaksAt(sha)) l.finding.holders.refs.push(...names);
    }
    if (head) for (const l of this.leaksAt(head)) l.finding.holders.inHead = true;
    const messages: MessageLeak[] = [];
    for (const l of this.leaks.values()) if (l.messageCommits) messages.push({ finding: l.finding, commits: l.messageCommits });
    return { findings: this.findings, messages };
  }

  /** The ids of the content leaks `sha`'s state holds at `path` (reported in this scan, or carried). */
  idsHeldAt(sha: string, path: string): ReadonlySet<string> {
    const held = this.states.get(sha)?.state.get(path);
    return held ? new Set(held.leaks.filter((l) => l.kind === 'content').map((l) => l.id)) : NO_IDS;
  }

  /** Whether `sha`'s state holds a path finding (a committed .env) at `path`. */
  pathHeldAt(sha: string, path: string): boolean {
    return this.states.get(sha)?.state.get(path)?.leaks.some((l) => l.kind === 'path') ?? false;
  }

  /**
   * A secret (or a file a path rule names) the tree of `c` (a commit already applied and kept: the
   * range's head) holds at `path` that no change of the walk introduced, a merge having brought it
   * back (history-merge-back.ts): reported at `c`, held from there on.
   */
  broughtBack(c: CommitRef, path: string, blob: string, f: Finding): void {
    const e = this.states.get(c.sha);
    if (!e) return;
    const leak = this.leakFor(f, leakKey(f, path), c);
    if (!leak.paths.includes(path)) leak.paths.push(path);
    if (!holds(e.state, leak)) leak.switches.push(e.index);
    const held = e.state.get(path);
    if (!held?.leaks.includes(leak)) e.state = e.state.set(path, { blob: held?.blob ?? blob, leaks: [...(held?.leaks ?? []), leak] });
  }

  private leaksAt(sha: string): Set<Leak> {
    const out = new Set<Leak>();
    for (const h of this.states.get(sha)?.state.values() ?? []) for (const l of h.leaks) out.add(l);
    return out;
  }

  private applyDiff(c: LogCommit, base: State, merged: ReadonlyMap<string, ReadonlySet<string>> | undefined, touched: Set<Leak>, others: readonly State[]): State {
    let paths = base;
    const drop = (path: string) => {
      const old = paths.get(path);
      if (!old) return;
      for (const l of old.leaks) touched.add(l);
      paths = paths.delete(path);
    };
    for (const ch of c.changes) {
      if (ch.status === 'D' || ch.status === 'R') drop(ch.oldPath);
      if (ch.status === 'D') continue;
      const held = this.heldAt(ch, c, base, merged?.get(ch.path) ?? NO_IDS, others);
      if (!held) {
        drop(ch.path);
        continue;
      }
      const old = paths.get(ch.path);
      if (old) for (const l of old.leaks) touched.add(l);
      for (const l of held.leaks) {
        touched.add(l);
        if (!l.paths.includes(ch.path)) l.paths.push(ch.path);
      }
      paths = paths.set(ch.path, held);
    }
    return paths;
  }

  /**
   * What the new side of one change holds: carried leaks, introduced ones, path findings. A merge's
   * change is against its first parent; a secret another parent (`others`: their states) holds at
   * the same path came with that parent, so it is that parent's leak carried, not a new one (which
   * it would be when that parent holds it only by a rename, its leak keyed at the older path).
   */
  private heldAt(ch: RawChange, c: LogCommit, base: State, inOtherParent: ReadonlySet<string>, others: readonly State[]): Held | null {
    if (this.contents.excluded(ch.path, ch.newMode)) return null;
    const leaks: Leak[] = [];
    const previous = base.get(ch.oldPath);
    if (ch.status === 'A' || ch.status === 'R' || ch.status === 'C') {
      // A path another parent of a merge already has (a .env merged in from the base) is not the merge's doing.
      if (!inOtherParent.has(PATH_HELD)) for (const f of this.contents.pathFindings(ch.path)) leaks.push(this.leakFor(f, leakKey(f, ch.path), c));
    } else {
      for (const l of base.get(ch.path)?.leaks ?? []) if (l.kind === 'path') leaks.push(l);
    }
    const found = isFile(ch.newMode) ? this.contents.findingsAt(ch.newBlob, ch.path) : [];
    if (found.length) {
      const before = isFile(ch.oldMode) && !isZero(ch.oldBlob) ? this.contents.idsAt(ch.oldBlob, ch.oldPath) : NO_IDS;
      const seen = new Set<string>();
      for (const f of found) {
        const id = idOf(f);
        if (seen.has(id)) continue;
        seen.add(id);
        // An allow written on a secret the old side had without one adds no secret: the leak goes on
        // (removing an allow, though, is a new finding). A merge's other parent holding the same
        // secret at this path (there by a rename, its leak keyed at the older path) carries its leak.
        const plain = f.suppressedBy ? `0${f.secret}` : id;
        const same = (l: Leak) => l.kind === 'content' && (l.id === id || l.id === plain);
        let carried = previous?.leaks.find(same);
        for (const o of others) carried ??= o.get(ch.path)?.leaks.find(same);
        if (carried) {
          if (!leaks.includes(carried)) leaks.push(carried);
        }
        // In the old side (or another parent) but not a leak of this scan: it came with the range's base.
        else if (!before.has(id) && !before.has(plain) && !inOtherParent.has(id) && !inOtherParent.has(plain)) leaks.push(this.leakFor(f, leakKey(f, ch.path), c));
      }
    }
    return leaks.length ? { blob: ch.newBlob, leaks } : null;
  }

  /** The leak for `key`, reported at `c` (if any: a tagged blob has none) the first time it is seen. */
  private leakFor(f: Finding, key: string, c?: CommitRef): Leak {
    let leak = this.leaks.get(key);
    if (!leak) {
      const commit: CommitInfo | undefined = c && { sha: c.sha, author: c.author, email: c.email, date: c.date };
      const finding = { ...f, ...(commit ? { commit } : {}), holders: { commits: 0, refs: [], inHead: false } };
      leak = { finding, kind: f.kind, id: idOf(f), paths: [], switches: [] };
      this.leaks.set(key, leak);
      this.findings.push(finding);
    }
    return leak;
  }
}
