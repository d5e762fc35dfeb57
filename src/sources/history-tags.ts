/**
 * Annotated tag messages: text a history scan must read too. A tag object is not a commit, so
 * `git log` never shows its message; a release note pasted with a token in it is pushed with
 * `git push --tags` all the same. Tags of tags are followed: each message is its own text.
 */
import { GitError } from '../errors.js';
import type { CompiledRule } from '../core/engine.js';
import { detectMessage } from '../scan/content.js';
import { TAG_MESSAGE_PATH, type Finding, type Holders } from '../core/types.js';
import { git, gitRaw } from './git.js';
import { SHA } from './history-log.js';


export interface TagMessage {
  /** The tag object's id. */
  sha: string;
  /** The refs that reach this tag object (itself, or through a tag of it). */
  refs: string[];
  tagger: string;
  email: string;
  /** ISO 8601, as commit dates are reported. */
  date: string;
  message: string;
}

/** A range's two ends: only tags on a commit reachable from head and not from base count. */
export interface TagRange {
  base: string;
  head: string;
}

/** Annotated tag refs, each with its tag object. */
export type TagRefs = ReadonlyArray<{ ref: string; tag: string }>;

/**
 * The message of every annotated tag that a ref reaches, or, for a range, of every tag whose
 * commit is in the range (for-each-ref peels a tag to its commit for --merged). `refs`, when the
 * caller has them (the history scan's tips, filtered for a range by the commits it walked),
 * replaces that listing: --merged and --no-merged cost a reachability check per ref (80 ms on
 * express's 3,900 refs, where the walk of a small range took 40).
 */
export async function readTagMessages(cwd: string, range?: TagRange, refs?: TagRefs): Promise<TagMessage[]> {
  const refsOf = new Map<string, string[]>();
  const add = (sha: string, name: string) => {
    const list = refsOf.get(sha);
    if (list) list.push(name);
    else refsOf.set(sha, [name]);
  };
  if (refs) for (const { ref, tag } of refs) add(tag, ref);
  else {
    const args = ['--no-replace-objects', 'for-each-ref', '--format=%(objectname) %(objecttype) %(refname)'];
    if (range) args.push(`--merged=${range.head}`, `--no-merged=${range.base}`);
    for (const line of (await git(args, cwd)).toString('utf8').split('\n')) {
      const [sha, type, ...name] = line.split(' ');
      if (type === 'tag' && sha) add(sha, name.join(' '));
    }
  }
  const out: TagMessage[] = [];
  let next = [...refsOf.keys()];
  while (next.length) {
    const round = next;
    next = [];
    for (const t of await readTags(cwd, round)) {
      if (t.message) out.push({ sha: t.sha, refs: refsOf.get(t.sha)!, tagger: t.tagger, email: t.email, date: t.date, message: t.message });
      if (t.targetType === 'tag' && !refsOf.has(t.target)) {
        refsOf.set(t.target, [...refsOf.get(t.sha)!]);
        next.push(t.target);
      } else if (t.targetType === 'tag') {
        for (const r of refsOf.get(t.sha)!) if (!refsOf.get(t.target)!.includes(r)) refsOf.get(t.target)!.push(r);
      }
    }
  }
  for (const t of out) t.refs = [...new Set(t.refs)].sort();
  return out;
}

/**
 * Findings in tag messages. Each secret is reported once, at the first tag (by tagger date) whose
 * message holds it: `commit` is that tag object (its id, tagger and date; `git show ID` shows
 * the message), and `holders.refs` names every tag ref whose message holds it. No commit holds a
 * tag message, so `holders.commits` is 0 and `inHead` false.
 */
export async function scanTagMessages(cwd: string, rules: CompiledRule[], range?: TagRange, refs?: TagRefs): Promise<Array<Finding & { holders: Holders }>> {
  const tags = await readTagMessages(cwd, range, refs);
  tags.sort((a, b) => a.date.localeCompare(b.date) || a.sha.localeCompare(b.sha));
  const bySecret = new Map<string, Finding & { holders: Holders }>();
  for (const t of tags) {
    for (const f of detectMessage(t.message, TAG_MESSAGE_PATH, rules)) {
      const id = `${f.suppressedBy ? 1 : 0}${f.secret}`;
      const known = bySecret.get(id);
      if (known) {
        for (const r of t.refs) if (!known.holders.refs.includes(r)) known.holders.refs.push(r);
        continue;
      }
      bySecret.set(id, { ...f, commit: { sha: t.sha, author: t.tagger, email: t.email, date: t.date }, holders: { commits: 0, refs: [...t.refs], inHead: false } });
    }
  }
  const findings = [...bySecret.values()];
  for (const f of findings) f.holders.refs.sort();
  return findings;
}

interface TagObject {
  sha: string;
  target: string;
  targetType: string;
  tagger: string;
  email: string;
  date: string;
  message: string;
}

/** Tag objects through one `git cat-file --batch`; anything that is not a readable tag fails the scan. */
async function readTags(cwd: string, shas: string[]): Promise<TagObject[]> {
  const r = await gitRaw(['--no-replace-objects', 'cat-file', '--batch'], cwd, `${shas.join('\n')}\n`);
  if (r.code !== 0) throw new GitError(`\`git cat-file --batch\` failed reading tags: ${r.stderr.trim().split('\n')[0] ?? `exit ${r.code}`}`);
  const buf = r.stdout;
  const tags: TagObject[] = [];
  let pos = 0;
  for (const sha of shas) {
    const nl = buf.indexOf(0x0a, pos);
    const [id, type, size] = buf.toString('latin1', pos, nl === -1 ? buf.length : nl).split(' ');
    if (nl === -1 || id !== sha || type !== 'tag' || !size) {
      throw new GitError(`tag object ${sha} could not be read (${type ?? 'no answer'}), so its message was not scanned`, 'Run `git fsck` to see what is damaged.');
    }
    const body = buf.subarray(nl + 1, nl + 1 + Number(size));
    pos = nl + 1 + Number(size) + 1;
    tags.push(parseTag(sha, body));
  }
  return tags;
}

/** `object`, `type`, `tag`, `tagger` headers, a blank line, then the message (and any signature). */
function parseTag(sha: string, body: Buffer): TagObject {
  const text = body.toString('utf8');
  const blank = text.indexOf('\n\n');
  const headers = (blank === -1 ? text : text.slice(0, blank)).split('\n');
  const header = (k: string) => headers.find((h) => h.startsWith(`${k} `))?.slice(k.length + 1);
  const target = header('object') ?? '';
  if (!SHA.test(target)) throw new GitError(`tag object ${sha} names no object; its message was not scanned`, 'Run `git fsck` to see what is damaged.');
  const m = /^(.*?) <([^>]*)> (\d+) [+-]\d{4}$/.exec(header('tagger') ?? '');
  return {
    sha,
    target,
    targetType: header('type') ?? '',
    tagger: m?.[1] ?? '',
    email: m?.[2] ?? '',
    date: m ? new Date(Number(m[3]) * 1000).toISOString() : '',
    message: blank === -1 ? '' : withoutSignature(text.slice(blank + 2)),
  };
}

/**
 * A signed tag's signature follows its message: base64 that is no secret, but long random runs
 * a rule could mistake for one. Only the last block, complete, at the very end and holding
 * nothing but base64 is cut: a message that merely contains a BEGIN line keeps all its text.
 */
export function withoutSignature(message: string): string {
  const at = message.lastIndexOf('-----BEGIN ');
  if (at === -1 || (at > 0 && message[at - 1] !== '\n')) return message;
  const block = /^-----BEGIN (PGP|SSH) SIGNATURE-----\n[A-Za-z0-9+/=\n]*\n-----END \1 SIGNATURE-----\n?$/;
  return block.test(message.slice(at)) ? message.slice(0, at) : message;
}
