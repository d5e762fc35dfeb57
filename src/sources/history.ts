/**
 * `scan --history` and `scan --range BASE..HEAD`: every commit reachable from any ref (or the
 * commits of a range), each leak reported once per secret and path, at the commit that
 * introduced it, with what still holds it.
 *
 * One streaming `git log` gives every commit's first-parent diff in topological order (parents
 * first). Every (path, blob) pair of every commit's tree is the new side of some first-parent diff,
 * so reading each new blob once — through one `git cat-file --batch` — covers all content, merge
 * resolutions included. A secret is introduced at P when the new blob at P holds it and the old
 * side of the diff (the rename source, for a rename) does not.
 *
 * Which commit introduced a leak and what still holds it is history-provenance.ts's, given each
 * commit with its number of children (a `git rev-list --children` read in step with the log).
 */
import type { Readable } from 'node:stream';
import { GitError, IncompleteScanError } from '../errors.js';
import { detectPath, type CompiledRule } from '../core/engine.js';
import { fingerprint } from '../core/fingerprint.js';
import { MESSAGE_PATH, type Finding } from '../core/types.js';
import { detectContent, detectMessage, screenContent, type ContentContext, type ContentVerdict } from '../scan/content.js';
import { emptyStats, skip, type ScanResult, type ScanStats } from '../scan/result.js';
import { BlobReader, type BlobContent } from './history-blobs.js';
import { PathClasses } from './history-paths.js';
import { LOG_ARGS, LogParser, type LogCommit } from './history-log.js';
import { idOf, isFile, leakKey, PATH_HELD, Provenance, type CommitRef, type Contents, type HeldFinding } from './history-provenance.js';
import { deletedHolding, isAncestorOfAny, mergeBases, netIntroduced, netPathsIntroduced, treeChanges, type NetFinding } from './history-merge-back.js';
import { GitStream } from './history-process.js';
import { scanTagMessages, type TagRange } from './history-tags.js';
import { historyRoot, objectAt, reaches, readTips, refsContaining, resolveRange, shallowBoundary, truncatedRange, type Range, type Tips } from './history-refs.js';
import { partialCloneGap, promisorRemote, rangeBoundary, rejectLayoutGaps, unfetchedObjects } from './object-store.js';
import { git } from './git.js';
import { gateOf, type KeywordGate } from './gate.js';
import { INCREMENTAL_MIN, RECORD_BUDGET, TextDetector } from './history-detect.js';
import { DetectPool, laneOf } from './history-threads.js';
import { defaultThreads } from './threads.js';

export interface HistoryOptions {
  cwd: string;
  rules: CompiledRule[];
  maxFileSize: number;
  isIgnoredPath: (p: string) => boolean;
  /** 'BASE..HEAD'; absent = every ref (branches, tags, remotes, stash entries). */
  range?: string;
  /** The repository's root as the caller already found it (sources/git.ts requireRepo): one git process fewer. */
  root?: string;
  /**
   * The range's ends as the caller already resolved them (a range scan takes its settings from
   * that base): walked as they are, never resolved again, so the settings and the commits read
   * come from the same base even if a ref moves meanwhile.
   */
  resolved?: Range;
  /**
   * Explicit revisions for rev-list, e.g. `[new1, new2, '--not', '--all']` (the push gates): the
   * commits a push brings. Reported as a range named `revsText`; ref tips outside it are not read.
   */
  revs?: string[];
  revsText?: string;
  /**
   * With `revs`: each pushed commit and the ref's value before the push (null for a new ref: then
   * the commits the push builds on, the walk's boundary), whose net change is judged when the walk
   * meets a merge (history-merge-back.ts).
   */
  ends?: Array<{ head: string; base: string | null }>;
  /** Else a shallow clone is exit 2 (IncompleteScanError) with fix advice. */
  allowShallow?: boolean;
  /**
   * Commits applied of the walk's total, for a progress bar the caller draws: (0, total) once
   * the total is counted, then after each commit. Counting costs a rev-list: set it only when
   * something is shown (a TTY).
   */
  onProgress?: (done: number, total: number) => void;
  /**
   * Threads that scan (--threads): this one and, for long texts that pass the keyword gate, as
   * many workers as the rest (history-threads.ts). Default: one per core, at most two.
   */
  threads?: number;
}

/** Commits parsed ahead of the one being applied, so cat-file always has work queued. */
const WINDOW = 256;
const GIT_GLOBAL = ['--no-replace-objects', '-c', 'log.showSignature=false'];
const SHALLOW_HINT =
  'Fetch the whole history with `git fetch --unshallow` (GitHub Actions: `fetch-depth: 0` on actions/checkout; GitLab CI: `GIT_DEPTH: 0`), or pass --allow-shallow to scan only what was fetched.';

export async function scanHistory(opts: HistoryOptions): Promise<ScanResult> {
  const started = Date.now();
  const mode = opts.range !== undefined || opts.revs !== undefined ? 'range' : 'history';
  const root = opts.root ?? (await historyRoot(opts.cwd, `--${mode}`));
  // Whether the clone is shallow matters to every walk but a push gate's (explicit revs). Other
  // worktrees' HEADs are walked, so named as holders, only by a whole history (`--all`).
  const whole = opts.revs === undefined && opts.range === undefined;
  // A range's layout is checked where its ends are resolved (resolveRange), which also says whether
  // the clone is shallow: one check, not two.
  const [tips, layout, promisor] = await Promise.all([readTips(opts.cwd, whole ? root : undefined), opts.range === undefined ? rejectLayoutGaps(opts.cwd) : null, promisorRemote(opts.cwd)]);
  const shallow = opts.revs === undefined && layout?.shallow === true;
  const notes: string[] = [];
  let walk: WalkSpec;
  let tagRange: TagRange | undefined;
  if (opts.revs !== undefined) {
    walk = { revs: opts.revs, stdin: [], head: null, boundary: null, rangeText: opts.revsText ?? opts.revs.join(' '), ends: opts.ends };
  } else if (opts.range === undefined) {
    if (!tips.byCommit.size && !tips.head && !tips.loose.length) {
      const stats = emptyStats();
      stats.commitsScanned = 0;
      stats.blobsScanned = 0;
      return { mode, root, findings: [], stats, notes: ['the repository has no commits yet: nothing to scan'] };
    }
    if (shallow) {
      if (!opts.allowShallow) throw new IncompleteScanError('this is a shallow clone: the commits before the fetched depth are not here, so the history cannot be scanned completely', SHALLOW_HINT);
      const n = (await shallowBoundary(opts.cwd)).size;
      notes.push(`shallow clone scanned with --allow-shallow: the history behind ${n} boundary commit(s) was not fetched and not scanned`);
    }
    walk = { revs: ['--all'], stdin: tips.olderStash, head: tips.head, boundary: null };
  } else {
    const range = opts.resolved ?? (await resolveRange(opts.cwd, opts.range));
    tagRange = range;
    const boundary = range.shallow ? await shallowBoundary(opts.cwd) : null;
    walk = { revs: [range.head, `^${range.base}`], stdin: [], head: range.head, boundary, rangeText: range.text, ends: [{ head: range.head, base: range.base }] };
  }
  if (promisor !== null) {
    // A partial clone: what the walk needs must all be here before it starts (object-store.ts says why).
    const loose = walk.rangeText === undefined ? tips.loose.map((l) => l.sha) : [];
    const edge = tagRange ? await rangeBoundary(opts.cwd, tagRange) : [];
    const missing = await unfetchedObjects(opts.cwd, [...walk.revs, ...loose], walk.stdin, edge);
    if (missing.count) throw partialCloneGap(promisor, missing);
  }
  // Annotated tag messages are no commit's: read beside the walk (history-tags.ts), or in a range
  // after it, from the tags on commits it reached. A push gate (explicit revs) reads the pushed
  // tags itself (commands/push-gate.ts).
  const annotated = opts.revs === undefined ? tips.annotated : undefined;
  const tagged = tagRange && annotated ? new Set(annotated.flatMap((t) => (t.commit ? [t.commit] : []))) : undefined;
  const scan = new HistoryScan(opts, tips, walk, notes, tagged);
  let findings: Finding[];
  let tagFindings: Finding[] = [];
  if (opts.revs !== undefined) findings = await scan.run();
  else if (tagRange && annotated) {
    findings = await scan.run();
    const inRange = annotated.filter((t) => t.commit !== null && scan.reached.has(t.commit));
    if (inRange.length) tagFindings = await scanTagMessages(opts.cwd, opts.rules, tagRange, inRange);
  } else [findings, tagFindings] = await Promise.all([scan.run(), scanTagMessages(opts.cwd, opts.rules, tagRange, annotated)]);
  findings.push(...tagFindings);
  scan.stats.durationMs = Date.now() - started;
  if (mode === 'range' && scan.stats.commitsScanned === 0 && opts.revs === undefined) notes.push(`no commits in ${opts.range}: nothing to scan`);
  return { mode, root, findings, stats: scan.stats, notes };
}

interface WalkSpec {
  revs: string[];
  /** More revisions, fed on stdin (older stash entries). */
  stdin: string[];
  /** The commit whose state decides `inHead`: HEAD, or the head of the range. */
  head: string | null;
  /** A range in a shallow clone: commits whose parents were not fetched. */
  boundary: Set<string> | null;
  rangeText?: string;
  /** A range's head and base (a push: each pushed commit's), whose net change a merge makes worth judging. */
  ends?: Array<{ head: string; base: string | null }>;
}

const SKIPPED = Symbol('skipped');
/**
 * The workers start once, within the last POOL_WINDOW bytes of blobs read, POOL_AFTER bytes of
 * long texts passed the keyword gate (a fifth of a second of a core's scanning, more than a
 * worker takes to start) and made a quarter of what was read. Where the engine has little to do
 * (git/git: gigabytes, a few megabytes of them about SMTP), a worker only costs memory.
 */
const POOL_AFTER = 4 * 1024 * 1024;
const POOL_WINDOW = 64 * 1024 * 1024;
/** Shared by every text blob with no findings at class 0 (most blobs), so each costs one map entry. */
const CLEAN: Array<Finding[] | null | undefined> = Object.freeze([null]) as Array<null>;
const NO_IDS: ReadonlySet<string> = new Set();

class HistoryScan {
  readonly stats: ScanStats = { ...emptyStats(), commitsScanned: 0, blobsScanned: 0 };
  /** The watched commits the walk reached. */
  readonly reached = new Set<string>();
  /**
   * Blob id → SKIPPED (too large, an LFS pointer: whatever its path), or its content findings
   * (null: none, or binary there) at each path class it was read for. Skips and stats count blob ids.
   */
  private readonly known = new Map<string, typeof SKIPPED | Array<Finding[] | null | undefined>>();
  /** `blob:class` → the read in progress. */
  private readonly inflight = new Map<string, Promise<void>>();
  /** Blob id → the class whose read, requested first, counts in the stats (until it is done). */
  private readonly counting = new Map<string, number>();
  private readonly classes: PathClasses;
  private readonly gate: KeywordGate | null;
  private readonly provenance: Provenance;
  private readonly skippedOnce = new Set<string>();
  /** Blobs counted as not read (over --max-file-size). */
  private readonly unread = new Set<string>();
  private detector: TextDetector;
  private pool: DetectPool | undefined;
  private readonly workers: number;
  /** Bytes of long texts that passed the keyword gate: the workers start once there are enough. */
  private dense = 0;
  /** Bytes of blobs read, in the same window as `dense`. */
  private read = 0;
  private blobs!: BlobReader;
  private children!: ChildCounts;
  private total = 0;
  private shallowNoted = false;
  /** Set once run() is over: no pool may start after it closed its own. */
  private stopped = false;
  /** Whether the walk applied a merge: only then can the net change hold what no commit introduced. */
  private merged = false;
  /** The walk's commits that are ends' heads. */
  private readonly endCommits = new Map<string, CommitRef>();
  /**
   * A range's or a push's walk: the commits applied, and their parents outside it: what a new ref
   * builds on, and what the walk's merges brought in from history already there (mergedInHolds).
   */
  private readonly walked: Set<string> | null;
  private readonly outside = new Set<string>();

  constructor(
    private readonly opts: HistoryOptions,
    private readonly tips: Tips,
    private readonly walk: WalkSpec,
    private readonly notes: string[],
    /** Commits whose walking `reached` records (a range's tagged commits). */
    private readonly watched?: ReadonlySet<string>,
  ) {
    this.classes = new PathClasses(opts.rules);
    // The rules' one gate (gateOf), which the tag messages' scan beside this walk asks too.
    this.gate = gateOf(opts.rules);
    this.detector = new TextDetector(opts.rules, RECORD_BUDGET);
    this.workers = (opts.threads ?? defaultThreads()) - 1;
    const ends = (walk.ends ?? []).map((e) => e.head);
    this.provenance = new Provenance(this.contents(), new Set([...tips.byCommit.keys(), ...(walk.head ? [walk.head] : []), ...ends]));
    this.walked = walk.ends ? new Set() : null;
  }

  /** What provenance asks of the blobs read: only through findingsAt and idsAt. */
  private contents(): Contents {
    return {
      excluded: (path, mode) => {
        if (this.ignored(path)) return true;
        if (mode !== '160000') return false;
        this.skipOnce('submodule', path, 'submodule (scan it on its own)');
        return true;
      },
      findingsAt: (blob, path) => this.findingsAt(blob, path),
      // An old side under ignorePaths was not read for this path: it tells nothing.
      idsAt: (blob, path) => (this.opts.isIgnoredPath(path) ? NO_IDS : this.idsAt(blob, path)),
      pathFindings: (path) => this.pathFindings(path),
    };
  }

  async run(): Promise<Finding[]> {
    const { cwd } = this.opts;
    const revs = [...this.walk.revs, '--stdin'];
    const stdin = this.walk.stdin.length ? `${this.walk.stdin.join('\n')}\n` : '';
    if (this.opts.onProgress) {
      this.total = Number((await git([...GIT_GLOBAL, 'rev-list', '--count', ...revs], cwd, stdin)).toString('utf8').trim());
      this.opts.onProgress(0, this.total);
    }
    const log = new GitStream([...GIT_GLOBAL, 'log', ...LOG_ARGS, ...revs], cwd);
    const kids = new GitStream([...GIT_GLOBAL, 'rev-list', '--topo-order', '--reverse', '--children', ...revs], cwd);
    log.proc.stdin.end(stdin);
    kids.proc.stdin.end(stdin);
    this.blobs = new BlobReader(cwd, this.opts.maxFileSize, () => this.gate);
    this.children = new ChildCounts(kids.proc.stdout);
    try {
      const parser = new LogParser();
      const queue: Array<{ commit: LogCommit; waits: Promise<void>[] }> = [];
      for await (const chunk of log.proc.stdout as AsyncIterable<Buffer>) {
        for (const c of parser.push(chunk)) queue.push({ commit: c, waits: this.request(c) });
        while (queue.length > WINDOW) await this.apply(queue.shift()!);
      }
      for (const c of parser.end()) queue.push({ commit: c, waits: this.request(c) });
      await log.check();
      while (queue.length) await this.apply(queue.shift()!);
      if ((await this.children.next()) !== null) throw walkChanged();
      await kids.check();
      // Past a shallow boundary (--allow-shallow) the merge base may be missing: every token HEAD holds would look new.
      if (this.merged && !this.shallowNoted) await this.mergeBack();
      if (this.walk.rangeText === undefined) await this.scanLoose();
      await this.blobs.close();
    } finally {
      // Reads that finish from here on (the scan failed) must not start a pool no one closes.
      this.stopped = true;
      log.kill();
      kids.kill();
      this.blobs.kill();
      await this.pool?.close();
    }
    return this.settleHolders();
  }

  /**
   * Scans the commit's message and lets it go (the window holds commits, and messages can be
   * large), then asks cat-file for every blob this commit needs that has not been read. Commits
   * arrive in the order they are applied, so a message leak is still reported at its first commit.
   */
  private request(c: LogCommit): Promise<void>[] {
    this.scanMessage(c);
    c.message = '';
    const waits: Promise<void>[] = [];
    for (const ch of c.changes) {
      if (!isFile(ch.newMode) || this.ignored(ch.path)) continue;
      // The old side, if it was scanned, lets the new one be scanned for what changed.
      const previous = isFile(ch.oldMode) && !/^0+$/.test(ch.oldBlob) ? ch.oldBlob : undefined;
      this.want(ch.newBlob, ch.path, waits, previous);
      // The old side is needed to tell introduced from inherited; in a full history it was read
      // as some earlier commit's new side, in a range it may come from the base.
      if (isFile(ch.oldMode) && !this.opts.isIgnoredPath(ch.oldPath)) this.want(ch.oldBlob, ch.oldPath, waits);
    }
    return waits;
  }

  private want(blob: string, path: string, waits: Promise<void>[], previous?: string): void {
    const cls = this.classes.of(path);
    const v = this.known.get(blob);
    if (v === SKIPPED || (v && v[cls] !== undefined)) return;
    const key = `${blob}:${cls}`;
    let p = this.inflight.get(key);
    if (!p) {
      if (v === undefined && !this.counting.has(blob)) this.counting.set(blob, cls);
      p = this.blobs.read(blob).then(async (content) => {
        this.scanBlob(blob, cls, await this.verdict(blob, content, path, previous), path);
        this.inflight.delete(key);
      });
      p.catch(() => {}); // awaited by apply(); this only keeps a failure from being "unhandled"
      this.inflight.set(key, p);
    }
    waits.push(p);
  }

  /** The blob's findings for the class of `path`: undefined until read, null when none or skipped. */
  private result(blob: string, path: string): Finding[] | null | undefined {
    const v = this.known.get(blob);
    if (v === SKIPPED) return null;
    return v?.[this.classes.of(path)];
  }

  /**
   * The content pipeline's verdict on a blob. A long text that passes the keyword gate goes to a
   * worker once such texts are enough of the work to pay for starting them (a pull request's few
   * files never start one); the gate runs here first, so only text for the engine crosses threads.
   */
  private verdict(blob: string, content: BlobContent, path: string, previous?: string): ContentVerdict | Promise<ContentVerdict> {
    const ctx: ContentContext = {
      rules: this.opts.rules,
      maxFileSize: this.opts.maxFileSize,
      gate: this.gate,
      detectText: (text, data) => this.detector.detect(blob, text, data, path, previous),
    };
    if (this.workers > 0 && !this.pool && 'data' in content && (this.read += content.data.length) > POOL_WINDOW) this.read = this.dense = 0;
    const data = screenContent(content, path, ctx);
    if (!Buffer.isBuffer(data)) return data;
    if (this.workers > 0 && data.length >= INCREMENTAL_MIN) {
      this.dense += data.length;
      if (!this.pool && !this.stopped && this.dense >= POOL_AFTER && 4 * this.dense >= this.read) {
        // Each lane (this thread and each worker) keeps the records of its own paths.
        const share = Math.floor(RECORD_BUDGET / (this.workers + 1));
        this.pool = new DetectPool(this.opts.rules, this.opts.maxFileSize, this.workers, share);
        this.detector = new TextDetector(this.opts.rules, share);
      }
      const lane = this.pool ? laneOf(path, this.workers + 1) : 0;
      if (lane > 0) return this.pool!.scan(lane - 1, blob, path, data, previous);
    }
    return detectContent(data, path, ctx);
  }

  /**
   * Records what one read of a blob holds. Only one read of a blob counts in the stats, the one
   * requested first (a second one, the same blob at a path of another class, re-scans text the
   * stats already hold): not the first to finish, which depends on the thread that scanned it.
   */
  private scanBlob(blob: string, cls: number, v: ContentVerdict, path: string): void {
    const prior = this.known.get(blob);
    const counts = this.counting.get(blob) === cls;
    if (counts) this.counting.delete(blob);
    if ('skip' in v) {
      // A blob over --max-file-size is read (by its keywords) at one path and not at another that
      // names a keyword: the first unread verdict counts, whichever read counts the blob, so the
      // scan never exits 0 over it (src/scan/unread.ts).
      if (v.skip === 'tooLarge' ? !this.unread.has(blob) && this.unread.add(blob) : counts) skip(this.stats, v.skip, path, v.reason);
      if (prior === SKIPPED) return;
      // Size and the LFS header are the content's: one verdict per blob. Binary is the path's too:
      // a binary blob is read as its printable text where a rule's keyword is in its bytes or in
      // its path (binary-text.ts), so the same bytes at a token-named path may hold a finding.
      if (v.skip !== 'binary') return void this.known.set(blob, SKIPPED);
      const slots = !prior || prior === CLEAN ? [...(prior ?? [])] : prior;
      slots[cls] = null;
      return void this.known.set(blob, slots);
    }
    if (counts) {
      this.stats.blobsScanned!++;
      this.stats.filesScanned++;
      this.stats.bytesScanned += v.scanned;
    }
    if (prior === SKIPPED) return;
    const found = v.findings;
    const result = found.length ? found : null;
    if (prior === undefined && cls === 0 && !result) return void this.known.set(blob, CLEAN);
    const slots = !prior || prior === CLEAN ? [...(prior ?? [])] : prior;
    slots[cls] = result;
    this.known.set(blob, slots);
  }

  private ignored(path: string): boolean {
    if (!this.opts.isIgnoredPath(path)) return false;
    this.skipOnce('ignoredByConfig', path, 'ignorePaths in config');
    return true;
  }

  private skipOnce(kind: keyof ScanStats['skipped'], path: string, reason: string): void {
    const k = `${kind}\0${path}`;
    if (this.skippedOnce.has(k)) return;
    this.skippedOnce.add(k);
    skip(this.stats, kind, path, reason);
  }

  /** Applies one commit, in topological order, once its blobs have been read. */
  private async apply(q: { commit: LogCommit; waits: Promise<void>[] }): Promise<void> {
    if (q.waits.length) await Promise.all(q.waits);
    const c = q.commit;
    const kid = await this.children.next();
    if (!kid || kid[0] !== c.sha) throw walkChanged();
    if (this.walk.boundary?.has(c.sha)) this.shallowRange(c.sha);
    this.stats.commitsScanned!++;
    if (this.watched?.has(c.sha)) this.reached.add(c.sha);
    const merged = this.walk.rangeText !== undefined && c.parents.length > 1 ? await this.inOtherParents(c) : undefined;
    this.provenance.commit(c, kid[1], merged);
    if (c.parents.length > 1) this.merged = true;
    if (this.walk.ends?.some((e) => e.head === c.sha)) this.endCommits.set(c.sha, { sha: c.sha, author: c.author, email: c.email, date: c.date });
    if (this.walked) {
      this.walked.add(c.sha);
      // Topological order: a parent in the walk was applied before its child.
      for (const p of c.parents) if (!this.walked.has(p)) this.outside.add(p);
    }
    this.opts.onProgress?.(this.stats.commitsScanned!, this.total);
  }

  private shallowRange(sha: string): void {
    if (!this.opts.allowShallow) throw truncatedRange(this.walk.rangeText ?? '', sha);
    if (this.shallowNoted) return;
    this.shallowNoted = true;
    this.notes.push('shallow clone scanned with --allow-shallow: part of the range was not fetched and not scanned');
  }

  private scanMessage(c: LogCommit): void {
    this.provenance.message(c, detectMessage(c.message, MESSAGE_PATH, this.opts.rules, this.gate));
  }

  /**
   * In a range, a merge of the base branch brings the base's secrets in through its first-parent
   * diff. A secret that some other parent already had at the same path is not the merge's doing,
   * nor is a path (a committed .env) that some other parent already had.
   * (In a full history that parent came first and the leak is already known.)
   */
  private async inOtherParents(c: LogCommit): Promise<Map<string, ReadonlySet<string>>> {
    const out = new Map<string, ReadonlySet<string>>();
    for (const ch of c.changes) {
      if (!isFile(ch.newMode)) continue;
      const content = this.findingsAt(ch.newBlob, ch.path).length > 0;
      const added = ch.status === 'A' || ch.status === 'R' || ch.status === 'C';
      if (!content && !(added && this.pathFindings(ch.path).length)) continue;
      const ids = new Set<string>();
      for (const p of c.parents.slice(1)) {
        const blob = await objectAt(this.opts.cwd, p, ch.path);
        if (!blob) continue;
        ids.add(PATH_HELD);
        if (!content) continue;
        const waits: Promise<void>[] = [];
        this.want(blob, ch.path, waits);
        await Promise.all(waits);
        for (const id of this.idsAt(blob, ch.path)) ids.add(id);
      }
      out.set(ch.path, ids);
    }
    return out;
  }

  /**
   * After a walk that met a merge: what each end's head holds that its merge base with the base did
   * not, and no commit introduced (history-merge-back.ts), is reported at the head. Only secrets the
   * base itself does not hold at the path: those are the base's.
   */
  private async mergeBack(): Promise<void> {
    const { cwd } = this.opts;
    for (const end of this.walk.ends ?? []) {
      const head = this.endCommits.get(end.head);
      if (!head) continue;
      // A base git cannot read here (a pre-push's remote value not fetched) falls back to the boundary.
      let bases = end.base === null ? null : await mergeBases(cwd, end.head, [end.base]);
      // The base's own tip, which may hold what the merge base did not. The commits a new ref
      // builds on are no such tip: older ones among them may hold what the newest removed.
      const baseTips = end.base !== null && bases !== null ? [end.base] : [];
      bases ??= await mergeBases(cwd, end.head, [...this.outside]);
      if (bases === null) throw new GitError(`could not find the merge base of ${end.head.slice(0, 12)} and what it builds on; the net change of the range was not judged`);
      // With several merge bases (criss-cross merges), new only against every one of them.
      let found: Map<string, NetFinding> | undefined;
      for (const from of bases.length ? bases : [null]) {
        const here = new Map((await this.netChange(from, end.head)).map((n): [string, NetFinding] => [leakKey(n.finding, n.path), n]));
        found = found ? new Map([...found].filter(([k]) => here.has(k))) : here;
      }
      const tips = baseTips.filter((t) => !bases.includes(t));
      const shared = new Map<string, Promise<string[] | null>>();
      const base = end.base === null ? 'the commits it builds on do' : `the base (${end.base.slice(0, 12)}) does`;
      const range = this.walk.rangeText ?? 'the range';
      for (const n of found?.values() ?? []) {
        if (await this.mergedInHolds(n, bases, end.base, shared)) continue;
        // A base tip (not a merge base: those were judged) holds it there too: the base's.
        if (await someAsync(tips, (tip) => this.holdsNet(tip, n))) continue;
        // Moved from a path the base still holds it at: the base's leak, under a new name. A tip
        // that is a merge base holds it there (the deleted side); with no tip, the merge base is
        // the base. (A path finding is never moved: movedFrom is the content's.)
        const stillThere = async (tip: string) => bases.includes(tip) || (await this.someHolds(tip, n.movedFrom, idOf(n.finding)));
        if (n.movedFrom.length && (!baseTips.length || (await someAsync(baseTips, stillThere)))) continue;
        this.provenance.broughtBack(head, n.path, n.blob, n.finding);
        const how = n.finding.kind === 'path' ? `tracks this file, which ${base} not, and no commit of ${range} added it` : `holds a secret there that ${base} not, and no commit of ${range} introduced it`;
        this.notes.push(`${n.path}: ${end.head.slice(0, 12)} ${how}: a merge brought it back (reported at ${end.head.slice(0, 12)})`);
      }
    }
  }

  /** What `head` holds that `from` (a merge base; null: none) did not and no commit of the walk introduced. */
  private async netChange(from: string | null, head: string): Promise<NetFinding[]> {
    const changes = await treeChanges(this.opts.cwd, from, head);
    const waits: Promise<void>[] = [];
    // The new sides were nearly all read as some commit's; old sides only where a new one holds something.
    for (const ch of changes) if (ch.status !== 'D' && isFile(ch.newMode) && !this.ignored(ch.path)) this.want(ch.newBlob, ch.path, waits);
    await Promise.all(waits);
    const holding = changes.filter((ch) => ch.status !== 'D' && isFile(ch.newMode) && this.findingsAt(ch.newBlob, ch.path).length);
    for (const ch of holding) if (isFile(ch.oldMode) && !/^0+$/.test(ch.oldBlob) && !this.opts.isIgnoredPath(ch.oldPath)) this.want(ch.oldBlob, ch.oldPath, waits);
    await Promise.all(waits);
    const held = { ...this.contents(), reportedAt: (path: string) => this.provenance.idsHeldAt(head, path), pathReportedAt: (path: string) => this.provenance.pathHeldAt(head, path) };
    const net = netIntroduced(holding, held);
    const paths = netPathsIntroduced(changes, held);
    if (!net.length) return paths;
    for (const ch of changes) if (ch.status === 'D' && isFile(ch.oldMode) && !this.opts.isIgnoredPath(ch.oldPath)) this.want(ch.oldBlob, ch.oldPath, waits);
    await Promise.all(waits);
    const moved = deletedHolding(changes, { idsAt: (blob, path) => (this.opts.isIgnoredPath(path) ? NO_IDS : this.idsAt(blob, path)) }, new Set(net.map((n) => idOf(n.finding))));
    for (const n of net) n.movedFrom = moved.get(idOf(n.finding)) ?? [];
    return [...net, ...paths];
  }

  /**
   * Whether a commit outside the walk that it builds on or merges in holds `n` (the secret, or a
   * file) at its path, having it from a line of history the base never had it in: already on the
   * server (a feature branch merging a main whose tip holds an old token, a release branch's merge
   * of main pushed onto main), brought in, not back. When the commits it shares with the base held
   * it, the base removed it since: a branch forked before the removal, or a main merged while it
   * still held the token, brings it back. With no base (a new ref), a commit behind the merge
   * bases is such a shared one.
   */
  private async mergedInHolds(n: NetFinding, bases: readonly string[], base: string | null, shared: Map<string, Promise<string[] | null>>): Promise<boolean> {
    const { cwd } = this.opts;
    for (const p of this.outside) {
      if (!(await this.holdsNet(p, n))) continue;
      // The same for every finding of the end: asked once per commit (`shared`, the end's).
      let forks = shared.get(p);
      if (!forks) shared.set(p, (forks = base === null ? Promise.resolve(null) : mergeBases(cwd, p, [base])));
      const common = await forks;
      if (common === null ? !(await isAncestorOfAny(cwd, p, bases)) : !(await someAsync(common, (c) => this.holdsNet(c, n)))) return true;
    }
    return false;
  }

  /** Whether `commit` holds `n` at its path: the secret, or for a path rule's finding any file there. */
  private async holdsNet(commit: string, n: NetFinding): Promise<boolean> {
    return n.finding.kind === 'path' ? (await objectAt(this.opts.cwd, commit, n.path)) !== null : this.someHolds(commit, [n.path], idOf(n.finding));
  }

  /** Whether `commit` holds the secret at one of `paths`. */
  private async someHolds(commit: string, paths: readonly string[], id: string): Promise<boolean> {
    for (const path of paths) {
      const blob = await objectAt(this.opts.cwd, commit, path);
      if (!blob) continue;
      const waits: Promise<void>[] = [];
      this.want(blob, path, waits);
      await Promise.all(waits);
      if (this.idsAt(blob, path).has(id)) return true;
    }
    return false;
  }

  /** What a committed file at `path` is, whatever it holds (a committed .env): the path rules' findings. */
  private pathFindings(path: string): Finding[] {
    return detectPath(path, 'committed', this.opts.rules);
  }

  private findingsAt(blob: string, path: string): Finding[] {
    const found = this.result(blob, path);
    if (!found) return [];
    if (found[0]!.path === path) return found;
    return found.map((f) => ({ ...f, path, fingerprint: fingerprint(f.ruleId, f.secret, path) }));
  }

  private idsAt(blob: string, path: string): ReadonlySet<string> {
    const found = this.result(blob, path);
    return found ? new Set(found.map(idOf)) : NO_IDS;
  }

  /**
   * Files that refs name without a commit (a tag of a blob or of a tree). They are read after
   * every commit, so a secret that some commit also holds at the same path is that commit's
   * leak, and the ref is one more holder; otherwise the leak has no commit.
   */
  private async scanLoose(): Promise<void> {
    for (const { ref, sha, type } of this.tips.loose) {
      const files: Array<{ blob: string; path: string }> = [];
      // The ref name is the blob's path, so ignorePaths judges it as it judges a tree entry's.
      if (type === 'blob') {
        if (!this.ignored(ref)) files.push({ blob: sha, path: ref });
      }
      else {
        for (const e of lsTree(await git(['ls-tree', '-r', '-z', '--full-tree', sha], this.opts.cwd))) {
          if (this.ignored(e.path)) continue;
          if (e.mode === '160000') this.skipOnce('submodule', e.path, 'submodule (scan it on its own)');
          else if (isFile(e.mode)) files.push(e);
        }
      }
      const waits: Promise<void>[] = [];
      for (const f of files) this.want(f.blob, f.path, waits);
      await Promise.all(waits);
      this.provenance.loose(ref, files, type === 'tree');
    }
  }

  /** Refs and HEAD: a content leak is held where the tip's tree still has it; a message, where the commit is reachable. */
  private async settleHolders(): Promise<HeldFinding[]> {
    const head = this.walk.head;
    const { findings, messages } = this.provenance.settle(this.tips.byCommit, head);
    for (const m of messages) {
      m.finding.holders.refs = await refsContaining(this.opts.cwd, m.commits);
      // Older stash entries are no refs (only the stash's reflog holds them), yet they hold what
      // they reach, as content leaks name them (stash@{n}): the message of one is no less held.
      if (this.walk.rangeText === undefined) {
        for (const [i, sha] of this.tips.olderStash.entries()) {
          if (await reaches(this.opts.cwd, sha, m.commits)) m.finding.holders.refs.push(`stash@{${i + 1}}`);
        }
      }
      m.finding.holders.inHead = head ? await reaches(this.opts.cwd, head, m.commits) : false;
    }
    for (const f of findings) f.holders.refs.sort();
    return findings;
  }
}

/** `git ls-tree -r -z` records: `mode type sha\tpath\0`. */
function lsTree(out: Buffer): Array<{ mode: string; blob: string; path: string }> {
  const entries: Array<{ mode: string; blob: string; path: string }> = [];
  for (const rec of out.toString('utf8').split('\0')) {
    if (!rec) continue;
    const tab = rec.indexOf('\t');
    const [mode, , blob] = rec.slice(0, tab).split(' ') as [string, string, string];
    if (tab < 0 || !blob) throw new GitError('could not parse `git ls-tree` output; the history was not read completely');
    entries.push({ mode, blob, path: rec.slice(tab + 1) });
  }
  return entries;
}

async function someAsync<T>(items: readonly T[], test: (item: T) => Promise<boolean>): Promise<boolean> {
  for (const item of items) if (await test(item)) return true;
  return false;
}

function walkChanged(): GitError {
  return new GitError('the commits git listed changed during the scan (did a fetch or push move a ref?)', 'Run the scan again.');
}

/**
 * `git rev-list --children` lines as [commit, number of children], buffered only a little ahead
 * of their use. The listener is attached at once: Node discards a child's unread output when it
 * exits, and rev-list usually finishes long before the log does.
 */
class ChildCounts {
  private lines: string[] = [];
  private head = 0;
  private rest = '';
  private ended = false;
  private wake: (() => void) | null = null;

  constructor(private readonly stream: Readable) {
    stream.on('data', (chunk: Buffer) => {
      const lines = (this.rest + chunk.toString('latin1')).split('\n');
      this.rest = lines.pop()!;
      for (const l of lines) this.lines.push(l);
      if (this.lines.length - this.head > 65536) stream.pause();
      this.notify();
    });
    stream.on('end', () => {
      if (this.rest) this.lines.push(this.rest);
      this.ended = true;
      this.notify();
    });
  }

  async next(): Promise<[string, number] | null> {
    while (this.head >= this.lines.length) {
      if (this.ended) return null;
      this.stream.resume();
      await new Promise<void>((r) => (this.wake = r));
    }
    const parts = this.lines[this.head++]!.split(' ');
    if (this.head > 65536) {
      this.lines = this.lines.slice(this.head);
      this.head = 0;
      this.stream.resume();
    }
    return [parts[0]!, parts.length - 1];
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }
}
