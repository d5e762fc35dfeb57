/**
 * What a push brings, for the push gates: `scan --pre-receive` on the server and `scan --pre-push`
 * on the client. Both read git's ref-update lines from standard input and scan the commits that
 * the receiving side does not hold yet, with the history scan's machinery (a leak is reported
 * once, at the commit that introduced it, judged against that commit's first parent, which may be
 * a commit the receiving side already has), plus annotated tag messages and tagged blobs, which
 * no commit walk reaches.
 *
 * The server side: `git rev-list NEW... --not --all` while the hook runs is exactly "commits no
 * existing ref holds", because refs are updated only after the hook accepts the push. The pushed
 * objects are in git's quarantine area then: git commands started from the hook read them through
 * the GIT_OBJECT_DIRECTORY / GIT_ALTERNATE_OBJECT_DIRECTORIES environment git set, which every git
 * process spawned here inherits unchanged.
 */
import { IncompleteScanError, UsageError } from '../errors.js';
import { detect, type CompiledRule } from '../core/engine.js';
import { fingerprint } from '../core/fingerprint.js';
import { TAG_MESSAGE_PATH, type Finding } from '../core/types.js';
import { skip, type ScanResult } from '../scan/result.js';
import { binaryFindings } from './binary-text.js';
import { decode } from './decode.js';
import { git, gitRaw } from './git.js';
import { scanHistory } from './history.js';
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
  /** Revisions the receiving side holds: `['--all']` on the server, the remote's tracking refs on a client. */
  held: string[];
  /** The commits scanned, for the report's name of the range. */
  describe: string;
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
    ? await scanHistory({ cwd, rules: opts.rules, maxFileSize: opts.maxFileSize, isIgnoredPath: opts.isIgnoredPath, revs: [...commits, '--not', ...opts.held], revsText: opts.describe })
    : await emptyResult(cwd);

  // Tag messages and tagged blobs: no commit walk reads them. A tag that already exists on the
  // receiving side was read when it arrived, but rereading a message costs little and keeps this
  // independent of which refs the other side holds.
  const tagFindings = new Map<Finding, string[]>();
  for (const p of peeled) {
    for (const tag of p.tags) {
      for (const f of detect({ text: await tagMessage(cwd, tag), path: TAG_MESSAGE_PATH }, opts.rules, 'message')) {
        tagFindings.set({ ...f, commit: { sha: tag, author: '', email: '', date: '' } }, [p.update.ref]);
      }
    }
    if (p.type === 'blob') {
      const path = p.update.ref;
      if (opts.isIgnoredPath(path)) {
        skip(result.stats, 'ignoredByConfig', path, 'ignorePaths in config');
        continue;
      }
      const size = Number((await git([NO_REPLACE, 'cat-file', '-s', p.target], cwd)).toString('utf8').trim());
      if (size > opts.maxFileSize) {
        skip(result.stats, 'tooLarge', path, `${size} bytes, over --max-file-size`);
        continue;
      }
      const data = await git([NO_REPLACE, 'cat-file', 'blob', p.target], cwd);
      const d = decode(data);
      const found = 'binary' in d ? binaryFindings(data, path, opts.rules) : detect({ text: d.text, path }, opts.rules);
      if (!found) {
        skip(result.stats, 'binary', path, (d as { reason?: string }).reason ?? 'binary');
        continue;
      }
      for (const f of found) tagFindings.set({ ...f, fingerprint: fingerprint(f.ruleId, f.secret, path) }, [p.update.ref]);
    }
  }

  const refsOf = new Map<Finding, string[]>();
  for (const f of result.findings) {
    const refs: string[] = [];
    if (f.commit) {
      for (const p of peeled) {
        if (p.type !== 'commit') continue;
        const r = await gitRaw([NO_REPLACE, 'merge-base', '--is-ancestor', f.commit.sha, p.target], cwd);
        if (r.code === 0) refs.push(p.update.ref);
      }
    }
    refsOf.set(f, refs);
  }
  for (const [f, refs] of tagFindings) {
    result.findings.push(f);
    refsOf.set(f, refs);
  }
  return { result, refsOf, deleted };
}

async function emptyResult(cwd: string): Promise<ScanResult> {
  const { emptyStats } = await import('../scan/result.js');
  const { requireRepo } = await import('./git.js');
  const stats = { ...emptyStats(), commitsScanned: 0, blobsScanned: 0 };
  return { mode: 'range', root: (await requireRepo(cwd, 'the push gate')).root, findings: [], stats, notes: [] };
}
