/**
 * What a push brings, for the push gates: `scan --pre-receive` on the server and `scan --pre-push`
 * on the client. Both read git's ref-update lines from standard input and scan the commits that
 * the receiving side does not hold yet, with the history scan's machinery (a leak is reported
 * once, at the commit that introduced it, judged against that commit's first parent, which may be
 * a commit the receiving side already has), plus annotated tag messages and tagged blobs, which
 * no commit walk reaches.
 *
 * The server side: `git rev-list NEW... --not --branches --tags` while the hook runs is "commits no
 * existing branch or tag holds", because refs are updated only after the hook accepts the push.
 * Not `--all`: a host keeps commits under refs that no push made and no hook read (a fork's merge
 * request in refs/merge-requests/N/head, fetched by GitLab with hooks skipped; refs/pull/N/head on
 * GitHub), and a push that merges them into a branch is where they must be read. The pushed
 * objects are in git's quarantine area then: git commands started from the hook read them through
 * the GIT_OBJECT_DIRECTORY / GIT_ALTERNATE_OBJECT_DIRECTORIES environment git set, which every git
 * process spawned here inherits unchanged.
 */
import { IncompleteScanError, UsageError } from '../errors.js';
import type { CompiledRule } from '../core/engine.js';
import { fingerprint } from '../core/fingerprint.js';
import { TAG_MESSAGE_PATH, type Finding } from '../core/types.js';
import { detectMessage, record, scanContent } from '../scan/content.js';
import { emptyStats, skip, type ScanResult } from '../scan/result.js';
import { git, type Repo } from './git.js';
import { scanHistory } from './history.js';
import { BlobReader } from './history-blobs.js';
import { gateOf } from './gate.js';
import { withoutSignature } from './history-tags.js';

/**
 * Every git call of the gates reads objects as they are: a pushed `refs/replace/<sha>` must not
 * put a clean object in the place of the one the push brings (history.ts reads the same way).
 */
export const NO_REPLACE = '--no-replace-objects';


/** One line of git's hook input, in one shape for both sides: what the ref was, what it becomes. */
export interface RefUpdate {
  ref: string;
  old: string;
  new: string;
  /** pre-push: the local ref being pushed (the update's `ref` is the remote's name for it). */
  localRef?: string;
}

const SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
export const isZero = (sha: string) => /^0+$/.test(sha);

/**
 * pre-receive: `<old> SP <new> SP <ref>`; pre-push: `<local ref> SP <local sha> SP <remote ref>
 * SP <remote sha>`. A line that does not parse refuses the push (exit 2): guessing would let an
 * update through unread.
 */
export function parseUpdates(input: string, side: 'pre-receive' | 'pre-push'): RefUpdate[] {
  const updates: RefUpdate[] = [];
  input.split('\n').forEach((raw, i) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') return;
    const parts = line.split(' ');
    const bad = () => new UsageError(`line ${i + 1} of standard input is not a ${side} ref update (expected ${side === 'pre-receive' ? '<old> <new> <ref>' : '<local ref> <local sha> <remote ref> <remote sha>'})`, `secret-guard scan --${side} reads what git gives the ${side} hook; run it from that hook.`);
    if (side === 'pre-receive') {
      if (parts.length !== 3 || !SHA.test(parts[0]!) || !SHA.test(parts[1]!) || !parts[2]) throw bad();
      updates.push({ old: parts[0]!, new: parts[1]!, ref: parts[2]! });
    } else {
      if (parts.length !== 4 || !SHA.test(parts[1]!) || !SHA.test(parts[3]!) || !parts[0] || !parts[2]) throw bad();
      updates.push({ localRef: parts[0]!, new: parts[1]!, ref: parts[2]!, old: parts[3]! });
    }
  });
  return updates;
}

export interface PushScanOptions {
  cwd: string;
  rules: CompiledRule[];
  maxFileSize: number;
  isIgnoredPath: (p: string) => boolean;
  updates: RefUpdate[];
  /** Revisions the receiving side holds: its branches and tags on the server, the remote's tracking refs on a client. */
  held: string[];
  /** The commits scanned, for the report's name of the range. */
  describe: string;
  /** The repository, resolved by the gate already. */
  repo: Repo;
  /** --threads. */
  threads?: number;
}

export interface PushScan {
  result: ScanResult;
  /** Which updated refs bring each finding (by index into the findings). */
  refsOf: Map<Finding, string[]>;
  /** Refs that only delete: nothing to read. */
  deleted: string[];
}

interface Peeled {
  update: RefUpdate;
  /** Annotated tag objects on the way to the target, outermost first. */
  tags: string[];
  target: string;
  type: string;
}

/**
 * Follows each new value through annotated tags (also tags of tags) to what it finally names.
 * One `cat-file --batch-check` answers for every update; only tags take more calls.
 */
async function peel(cwd: string, updates: RefUpdate[]): Promise<Peeled[]> {
  if (!updates.length) return [];
  const types = await objectTypes(cwd, updates.map((u) => u.new));
  const out: Peeled[] = [];
  for (const update of updates) {
    const tags: string[] = [];
    let sha = update.new;
    let type = types.get(sha);
    for (let depth = 0; type === 'tag' && depth < 20; depth++) {
      tags.push(sha);
      sha = await tagTarget(cwd, sha);
      type = (await objectTypes(cwd, [sha])).get(sha);
    }
    if (!type || type === 'missing' || type === 'tag') {
      throw new IncompleteScanError(`${update.ref}: object ${sha.slice(0, 12)} is not readable here, so what the push brings cannot be scanned`, 'Push again; if it keeps failing, run `git fsck` in the receiving repository.');
    }
    out.push({ update, tags, target: sha, type });
  }
  return out;
}

async function objectTypes(cwd: string, shas: string[]): Promise<Map<string, string>> {
  const out = await git([NO_REPLACE, 'cat-file', '--batch-check=%(objectname) %(objecttype)'], cwd, `${shas.join('\n')}\n`);
  const types = new Map<string, string>();
  out.toString('utf8').split('\n').forEach((line, i) => {
    if (i >= shas.length) return;
    const [name, type] = line.split(' ');
    types.set(shas[i]!, name === shas[i] ? type ?? 'missing' : 'missing');
  });
  return types;
}

/** The object an annotated tag names (one level). */
async function tagTarget(cwd: string, tag: string): Promise<string> {
  const body = (await git([NO_REPLACE, 'cat-file', 'tag', tag], cwd)).toString('utf8');
  const m = /^object ([0-9a-f]{40,64})$/m.exec(body);
  if (!m) throw new IncompleteScanError(`tag ${tag.slice(0, 12)} names no object git can read, so the push cannot be scanned`);
  return m[1]!;
}

/**
 * An annotated tag's message: what follows the header's blank line, less a trailing signature,
 * cut the way the history scan cuts it (only a complete final block), so a BEGIN line the pusher
 * writes above a token cannot hide it.
 */
async function tagMessage(cwd: string, tag: string): Promise<string> {
  const raw = await git([NO_REPLACE, 'cat-file', 'tag', tag], cwd);
  const text = raw.toString('utf8');
  const blank = text.indexOf('\n\n');
  return withoutSignature(blank === -1 ? '' : text.slice(blank + 2));
}

export async function scanPush(opts: PushScanOptions): Promise<PushScan> {
  const { cwd } = opts;
  const deleted = opts.updates.filter((u) => isZero(u.new)).map((u) => u.ref);
  const live = opts.updates.filter((u) => !isZero(u.new));
  const peeled = await peel(cwd, live);
  const commits = [...new Set(peeled.filter((p) => p.type === 'commit').map((p) => p.target))];
  for (const p of peeled) {
    if (p.type === 'tree') {
      throw new IncompleteScanError(`${p.update.ref} names a tree (${p.target.slice(0, 12)}), which secret-guard does not read on its own, so the push was not checked`, 'Push a commit or a tag of a commit instead.');
    }
  }

  const result = commits.length
    ? await scanHistory({ cwd, root: opts.repo.root, rules: opts.rules, maxFileSize: opts.maxFileSize, isIgnoredPath: opts.isIgnoredPath, revs: [...commits, '--not', ...opts.held], revsText: opts.describe, threads: opts.threads, ends: netEnds(peeled) })
    : emptyResult(opts.repo);

  const tagFindings = await tagsAndBlobs(opts, peeled, result);

  // Which pushed refs bring each commit's findings: the new commits each pushed commit reaches
  // (one rev-list per pushed commit, read only when there is a finding to place).
  const refsOf = new Map<Finding, string[]>();
  const reached = new Map<string, Set<string>>();
  if (result.findings.some((f) => f.commit)) {
    for (const target of commits) {
      const out = await git([NO_REPLACE, 'rev-list', target, '--not', ...opts.held], cwd);
      reached.set(target, new Set(out.toString('utf8').split('\n').filter(Boolean)));
    }
  }
  for (const f of result.findings) {
    const refs: string[] = [];
    if (f.commit) for (const p of peeled) if (p.type === 'commit' && reached.get(p.target)?.has(f.commit.sha)) refs.push(p.update.ref);
    refsOf.set(f, refs);
  }
  for (const [f, refs] of tagFindings) {
    result.findings.push(f);
    refsOf.set(f, refs);
  }
  return { result, refsOf, deleted };
}

/**
 * What each pushed commit changes the ref from, for the net change a merge can hide from the walk
 * (history-merge-back.ts): the ref's value before the push, or for a new ref (null) the commits
 * the push builds on.
 */
function netEnds(peeled: Peeled[]): Array<{ head: string; base: string | null }> {
  return peeled.filter((p) => p.type === 'commit').map((p) => ({ head: p.target, base: isZero(p.update.old) ? null : p.update.old }));
}

/**
 * Tag messages and tagged blobs: no commit walk reads them. A tag that already exists on the
 * receiving side was read when it arrived, but rereading a message costs little and keeps this
 * independent of which refs the other side holds. A tagged blob goes through the content pipeline
 * every other mode uses (size, binary, Git LFS pointer, detect), counted in the result's stats.
 */
async function tagsAndBlobs(opts: PushScanOptions, peeled: Peeled[], result: ScanResult): Promise<Map<Finding, string[]>> {
  const { cwd } = opts;
  const found = new Map<Finding, string[]>();
  let reader: BlobReader | undefined;
  try {
    for (const p of peeled) {
      for (const tag of p.tags) {
        for (const f of detectMessage(await tagMessage(cwd, tag), TAG_MESSAGE_PATH, opts.rules)) {
          found.set({ ...f, commit: { sha: tag, author: '', email: '', date: '' } }, [p.update.ref]);
        }
      }
      if (p.type !== 'blob') continue;
      const path = p.update.ref;
      if (opts.isIgnoredPath(path)) {
        skip(result.stats, 'ignoredByConfig', path, 'ignorePaths in config');
        continue;
      }
      reader ??= new BlobReader(cwd, opts.maxFileSize, () => gateOf(opts.rules));
      const verdict = scanContent(await reader.read(p.target), path, { rules: opts.rules, maxFileSize: opts.maxFileSize });
      for (const f of record(result.stats, path, verdict)) found.set({ ...f, fingerprint: fingerprint(f.ruleId, f.secret, path) }, [p.update.ref]);
    }
    await reader?.close();
  } finally {
    reader?.kill();
  }
  return found;
}

function emptyResult(repo: Repo): ScanResult {
  const stats = { ...emptyStats(), commitsScanned: 0, blobsScanned: 0 };
  return { mode: 'range', root: repo.root, findings: [], stats, notes: [] };
}
