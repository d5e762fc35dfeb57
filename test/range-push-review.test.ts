/**
 * A seeded differential for the gates that judge a change: `scan --range BASE..HEAD` (pull
 * request CI), `scan --pre-receive` (the server) and `scan --pre-push` (the client).
 *
 * The oracle works per commit, from working-tree scans of whole trees. For a commit C, each of its
 * trees and its parents' trees is checked out into a plain folder (read-tree + checkout-index) and
 * scanned with `scan . --config <trusted config>` (the base's config for --range and the server,
 * the working tree's for --pre-push, as the README says; a config file inside the tree is then
 * scanned like any other file; an ignore file inside it is removed first: no gate reads one from
 * the commits it checks). A finding is keyed by path, secret and whether an inline allow covers it
 * (`c\0<0|1>secret`: removing an allow is a new finding, adding one to a secret the parent had
 * is not) or, for a finding on a path's name (a committed .env), by path and rule (`p\0rule`).
 * A finding fails when its severity is error and, per gate: --range, always (an allow the change
 * adds hides nothing; the base has no ignore file here); --pre-receive, unless allowed inline;
 * --pre-push, unless allowed inline or its fingerprint is in the working tree's ignore file.
 *   - must(C): the keys of C's tree with a failing finding that no parent's tree has at the same
 *     path, nor at the path `git diff -M P C` names as its rename source, at any severity. A
 *     secret already at that path in some parent is not the commit's doing (README: "a merge is
 *     judged against its first parent", and a secret some other parent already had at the same
 *     path is not the merge's doing); a path finding is new only where no parent had the path
 *     (or, for a rename, its source).
 *   - may(C): the keys of C's tree (any severity) that the FIRST parent's tree does not have at the
 *     same path or the rename source; for a path finding, no parent has the path (a rename of a
 *     .env counts: the README reports a committed .env where a commit adds its path; a .env
 *     merged in from the base does not). may(C) ⊇ must(C).
 * The gate reads a set S of commits: `git rev-list BASE..HEAD` for --range; for a push, the
 * pushed commits no branch or tag of the server holds (`rev-list NEW --not --branches --tags`
 * there). Then:
 *   - every key of must(C), C in S, is reported (same path and secret);
 *   - every reported finding is in may(C) of the commit it names (a finding is reported once, at
 *     the first commit that introduced it, so attribution is checked only against may);
 *   - exit 1 when some must(C) is non-empty; exit 0 when every may(C) holds nothing failing.
 * The product reads a secret by (secret, path) and not by rule: the same secret at the same path
 * under another rule is not a new credential, here as in the README's "each leak reported once
 * per secret and path" (the pre-commit hook keys by rule too: see the report). A token the
 * generator writes into a commit message must be reported (--range) or refuse the push. Push gates
 * also read tags: an annotated tag's message with a token and a tag of a blob that holds one
 * refuse the push; a lightweight tag of pushed commits does not.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, symlinkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, cli } from './helpers/cli.js';
import { seeded, runSeed, type Random } from './helpers/random.js';
import { cleanupAll, fakeToken, gitIn, GIT_IDENTITY, makeRepo, renameSources, tempDir, type Repo } from './helpers/repo.js';
import type { JsonReport } from './helpers/report.js';
import { EXAMPLE_TOKEN, EXAMPLES, NEUTRAL } from './helpers/leak-examples.js';

afterAll(cleanupAll);


const IDENTITY = { ...GIT_IDENTITY, NO_COLOR: '1' };

interface Found {
  key: string;
  /** Severity error (what fails under the default failOn). */
  error: boolean;
  /** Covered by an inline `secret-guard:allow`. */
  allowed: boolean;
  fingerprint: string;
}
/** path → its findings, of one tree under one config. */
type TreeFindings = Map<string, Found[]>;

/**
 * Which gate is judged: `range` (an allow the change adds hides nothing; ignore file from the base,
 * none here), `server` (inline allows count; the pushed ignore file is not read), `client` (inline
 * allows and the working tree's ignore file count).
 */
type Gate = 'range' | 'server' | 'client';

const treeCache = new Map<string, TreeFindings>();

function scanJson(args: string[], cwd: string): JsonReport {
  const r = cli([...args, '--format', 'json', '--show-secrets'], cwd);
  if (r.code === 2) throw new Error(`scan ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as JsonReport;
}

type Reported = JsonReport['findings'][number] & { suppressedByChange?: { by: string } };
/** Path findings by rule; content by secret and whether an inline allow covers it (removing one is a new finding). */
const allowedOf = (f: Reported) => f.suppressedBy === 'inline' || f.suppressedByChange?.by === 'inline';
const keyOf = (f: Reported) => (f.kind === 'path' ? `p\0${f.ruleId}` : `c\0${allowedOf(f) ? 1 : 0}${f.match}`);
/** The same secret without an allow: an allow written on it adds nothing. */
const plainOf = (key: string) => (key.startsWith('c\x001') ? `c\x000${key.slice(3)}` : key);

/** The findings of a tree (a commit's, checked out into a plain folder) under `config` (a file, or null). */
function treeFindings(repo: Repo, tree: string, config: string | null): TreeFindings {
  const cacheKey = `${repo.dir}\0${tree}\0${config ? readFileSync(config, 'utf8') : ''}`;
  const hit = treeCache.get(cacheKey);
  if (hit) return hit;
  const dir = tempDir('sg-oracle-');
  const index = `${dir}.index`;
  gitIn(repo.dir, ['read-tree', tree], { GIT_INDEX_FILE: index });
  gitIn(repo.dir, ['checkout-index', '--all', `--prefix=${dir}/`], { GIT_INDEX_FILE: index });
  rmSync(index, { force: true });
  // No gate reads an ignore file from the commits checked: the client's own is applied below.
  rmSync(join(dir, '.secret-guard-ignore'), { force: true });
  // Tracked, as in the commit: a committed .env is a finding on its path (dotenv-not-ignored).
  gitIn(dir, ['init', '-q']);
  gitIn(dir, ['add', '-A', '-f']);
  const args = ['scan', '.', ...(config ? ['--config', config] : ['--no-config'])];
  const report = scanJson(args, dir);
  // A report leaves out what an inline allow covers: scanned again with the allows spelled out of
  // the files, the findings that appear only then are the allowed ones.
  const grep = spawnSync('git', ['grep', '-l', '-z', '--cached', '-F', 'secret-guard:allow'], { cwd: dir, encoding: 'utf8' });
  if (grep.status !== 0 && grep.status !== 1) throw new Error(`git grep: ${grep.stderr}`);
  const withAllow = grep.stdout.split('\0').filter(Boolean);
  const where = (f: Reported) => `${f.file}\0${f.ruleId}\0${f.match}\0${f.line}`;
  if (withAllow.length) {
    const shown = new Set(report.findings.map((f) => where(f as Reported)));
    for (const p of withAllow) writeFileSync(join(dir, p), readFileSync(join(dir, p), 'utf8').split('secret-guard:allow').join('secret-guard:xxxxx'));
    for (const f of scanJson(args, dir).findings as Reported[]) {
      if (shown.has(where(f))) continue;
      report.findings.push({ ...f, suppressedBy: 'inline' });
    }
  }
  const out: TreeFindings = new Map();
  for (const f of report.findings as Reported[]) {
    const list = out.get(f.file) ?? [];
    list.push({ key: keyOf(f), error: f.severity === 'error', allowed: allowedOf(f), fingerprint: f.fingerprint });
    out.set(f.file, list);
  }
  rmSync(dir, { recursive: true, force: true });
  treeCache.set(cacheKey, out);
  return out;
}

/** new path → its source, for the renames `git diff -M from to` sees. */
const renames = (repo: Repo, from: string, to: string): Map<string, string> => renameSources(repo.dir, [from, to]);

const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

interface Judged {
  /** `${path}\0${key}` the commit must be reported for (failing). */
  must: Set<string>;
  /** `${path}\0${key}` it may be reported for (any severity), and whether one of them fails. */
  may: Set<string>;
  mayFail: boolean;
}

interface Trust {
  gate: Gate;
  config: string | null;
  /** The client's ignore file (fingerprints), for the pre-push gate. */
  ignored?: ReadonlySet<string>;
}

const fails = (f: Found, t: Trust) => f.error && (t.gate === 'range' || !f.allowed) && !t.ignored?.has(f.fingerprint);

function judge(repo: Repo, commit: string, t: Trust): Judged {
  const parents = gitIn(repo.dir, ['rev-list', '--parents', '-n', '1', commit]).trim().split(' ').slice(1);
  const mine = treeFindings(repo, `${commit}^{tree}`, t.config);
  const sides = (parents.length ? parents : [EMPTY_TREE]).map((p) => {
    const tree = p === EMPTY_TREE ? EMPTY_TREE : `${p}^{tree}`;
    const found = treeFindings(repo, tree, t.config);
    const src = renames(repo, p, commit);
    const paths = new Set(gitIn(repo.dir, ['ls-tree', '-r', '-z', '--name-only', tree]).split('\0').filter(Boolean));
    return { found, src, paths };
  });
  type Side = (typeof sides)[number];
  const at = (side: Side, p: string, key: string) => (side.found.get(p) ?? []).some((f) => f.key === key || f.key === plainOf(key));
  const has = (side: Side, path: string, key: string) => {
    if (key.startsWith('p\0')) return side.paths.has(path) || (side.src.has(path) && side.paths.has(side.src.get(path)!));
    return at(side, path, key) || (side.src.has(path) && at(side, side.src.get(path)!, key));
  };
  const hasFirst = (path: string, key: string) => {
    // A path some parent has (a .env merged in from the base) is not the commit's doing.
    if (key.startsWith('p\0')) return sides.some((x) => x.paths.has(path));
    return has(sides[0]!, path, key);
  };
  const out: Judged = { must: new Set(), may: new Set(), mayFail: false };
  for (const [path, list] of mine) {
    for (const f of list) {
      if (fails(f, t) && !sides.some((s) => has(s, path, f.key))) out.must.add(`${path}\0${f.key}`);
      if (!hasFirst(path, f.key)) {
        out.may.add(`${path}\0${f.key}`);
        if (fails(f, t)) out.mayFail = true;
      }
    }
  }
  return out;
}

interface Verdict {
  /** The trusted config fails nothing (failOn none). */
  failOff?: boolean;
  must: Set<string>;
  /** `${commit}\0${path}\0${key}` */
  may: Set<string>;
  mayFail: boolean;
}

/** A token in a pushed commit's message fails the push too (unless the trusted config turns its rule off). */
function withMessages(repo: Repo, commits: string[], v: Verdict, config: string | null): void {
  const off = config ? ((JSON.parse(readFileSync(config, 'utf8')) as { disabledRules?: string[] }).disabledRules ?? []) : [];
  if (v.failOff || off.includes('postmark-server-token')) return;
  for (const t of messageTokens(repo, commits)) {
    v.must.add(`<commit message>\0c\x000${t}`);
    v.mayFail = true;
  }
}

function oracle(repo: Repo, commits: string[], t: Trust): Verdict {
  const v: Verdict = { must: new Set(), may: new Set(), mayFail: false };
  // A trusted config with failOn none fails nothing (the client's own config, for --pre-push).
  if (t.config && (JSON.parse(readFileSync(t.config, 'utf8')) as { failOn?: string }).failOn === 'none') return { ...v, failOff: true };
  for (const c of commits) {
    const j = judge(repo, c, t);
    for (const k of j.must) v.must.add(k);
    for (const k of j.may) v.may.add(`${c}\0${k}`);
    if (j.mayFail) v.mayFail = true;
  }
  return v;
}

const show = (keys: Iterable<string>) => [...keys].map((k) => k.replace(/\0/g, ' '));

const MESSAGE_TOKEN = /POSTMARK_SERVER_TOKEN=([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/g;
/** The tokens the generator wrote into the messages of `commits`. */
function messageTokens(repo: Repo, commits: string[]): Set<string> {
  const out = new Set<string>();
  for (const c of commits) for (const m of gitIn(repo.dir, ['log', '-1', '--format=%B', c]).matchAll(MESSAGE_TOKEN)) out.add(m[1]!);
  return out;
}

/** The range scan against the oracle over `git rev-list BASE..HEAD`. */
function checkRange(repo: Repo, base: string, head: string, config: string | null, where: string, tagTokens: ReadonlySet<string> = new Set()): { code: number; must: number } {
  const commits = gitIn(repo.dir, ['rev-list', `${base}..${head}`]).split('\n').filter(Boolean);
  const want = oracle(repo, commits, { gate: 'range', config });
  const r = cli(['scan', '--range', `${base}..${head}`, '--format', 'json', '--show-secrets'], repo.dir);
  expect(r.code, `${where}: ${r.stderr}`).not.toBe(2);
  const json = JSON.parse(r.stdout) as JsonReport<Reported & { commit?: string }>;
  const inMessages = messageTokens(repo, commits);
  for (const t of inMessages) want.must.add(`<commit message>\0c\x000${t}`);
  for (const t of tagTokens) want.must.add(`<tag message>\0c\x000${t}`);
  const got = new Set(json.findings.map((f) => `${f.file}\0${keyOf(f)}`));
  expect(show([...want.must].filter((k) => !got.has(k))), `${where}: --range misses what a commit introduced`).toEqual([]);
  const extra = json.findings.filter((f) => !want.may.has(`${f.commit}\0${f.file}\0${keyOf(f)}`) && !(f.file === '<commit message>' && inMessages.has(f.match!)) && !(f.file === '<tag message>' && tagTokens.has(f.match!)));
  expect(extra.map((f) => `${f.commit?.slice(0, 8)} ${f.file} ${f.ruleId} ${f.match}`), `${where}: --range reports what its commit did not introduce`).toEqual([]);
  if (want.must.size) expect(r.code, `${where}: --range exit`).toBe(1);
  if (!want.mayFail && !inMessages.size && !tagTokens.size) expect(r.code, `${where}: --range exit`).toBe(0);
  return { code: r.code, must: want.must.size };
}

function git(dir: string, args: string[]): { code: number; out: string } {
  const r = spawnSync('git', args, { cwd: dir, env: { ...process.env, ...IDENTITY, HOME: dir }, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout + r.stderr };
}

/** What the server's gate holds: its branches and tags (README, Server hooks). */
function serverTips(server: string): string[] {
  return gitIn(server, ['for-each-ref', '--format=%(objectname)', 'refs/heads', 'refs/tags']).split('\n').filter(Boolean);
}

/** The commits `tip` brings that no branch or tag of `server` holds, listed in the client. */
function pushed(repo: Repo, server: string, tip: string): string[] {
  const held = serverTips(server).map((s) => `^${s}`);
  // A tip the client lacks cannot hide anything here: rev-list would fail, so keep the ones it has.
  const known = held.filter((h) => git(repo.dir, ['cat-file', '-e', `${h.slice(1)}^{commit}`]).code === 0);
  return gitIn(repo.dir, ['rev-list', tip, ...known]).split('\n').filter(Boolean);
}

interface Server {
  dir: string;
  /** Brings `refs` into the server as they are in the client, without any hook (a fetch runs none). */
  sync: (...refspecs: string[]) => void;
}

function makeServer(repo: Repo, config: string | null, refspecs: string[], hook: boolean): Server {
  const dir = makeRepo({ bare: true }).dir;
  const sync = (...specs: string[]) => void gitIn(dir, ['fetch', '-q', '--no-tags', repo.dir, ...specs]);
  if (refspecs.length) sync(...refspecs);
  if (hook) {
    const r = cli(['install', '--hook', 'pre-receive'], dir, { HOME: dir });
    expect(r.code, r.stderr).toBe(0);
    if (config) copyFileSync(config, join(dir, 'secret-guard.json'));
  }
  return { dir, sync };
}

interface Case {
  repo: Repo;
  did: string[];
  /** The trusted config (the base's .secret-guard.json), copied outside the repository. */
  config: string | null;
  base: string;
  head: string;
  /** The fork point: the commit the feature branch started from. */
  fork: string;
  /** Tokens written in commit messages on the feature branch. */
  messages: string[];
}

/** A base branch and a feature branch on top, drawn from `r`. */
function buildCase(r: Random): Case {
  const did: string[] = [];
  const files: Record<string, string> = {};
  const withToken = new Map<string, string>();
  const n = 1 + r.int(3);
  for (let i = 0; i < n; i++) {
    const ex = r.pick(EXAMPLES);
    const t = fakeToken();
    files[`h${i}/${ex.path}`] = ex.text.split(EXAMPLE_TOKEN).join(t);
    withToken.set(`h${i}/${ex.path}`, t);
  }
  for (const [i, ne] of NEUTRAL.entries()) {
    if (!r.chance(0.6)) continue;
    const t = r.chance(0.3) && withToken.size ? r.pick([...withToken.values()]) : fakeToken();
    files[`n${i}/${ne.path}`] = ne.text(t);
    withToken.set(`n${i}/${ne.path}`, t);
  }
  let config: string | null = null;
  if (r.chance(0.4)) {
    files['.secret-guard.json'] = JSON.stringify({ ignorePaths: [r.pick(['h0/**', 'n0/**', 'n1/**', 'x/**'])] });
    config = join(tempDir('sg-config-'), 'base.json');
    writeFileSync(config, files['.secret-guard.json']);
  }
  const repo = makeRepo({ files, message: 'base' });
  const fork = repo.git('rev-parse', 'HEAD').trim();
  // A side branch with work of its own, merged later (or not).
  repo.git('checkout', '-q', '-b', 'other');
  const sideToken = fakeToken();
  const sideEx = r.pick(EXAMPLES);
  const sidePath = `s/${sideEx.path}`;
  repo.commit({ [sidePath]: r.chance(0.5) ? sideEx.text.split(EXAMPLE_TOKEN).join(sideToken) : 'side work\n' }, 'side');
  repo.git('checkout', '-q', '-b', 'feature', 'main');

  const paths = () => [...withToken.keys()].filter((p) => existsSync(join(repo.dir, p)));
  const text = (p: string) => readFileSync(join(repo.dir, p), 'utf8');
  const fresh = (p: string) => !existsSync(join(repo.dir, p)) && !withToken.has(p);
  const commit = (files: Record<string, string | null>, msg: string) => repo.commit(files, msg);
  const messages: string[] = [];
  const ops = 2 + r.int(5);
  for (let k = 0; k < ops; k++) {
    const live = paths();
    if (!live.length) break;
    const from = r.pick(live);
    const op = r.int(19);
    try {
      switch (op) {
        case 0: {
          const ex = r.pick(EXAMPLES);
          const p = `a${k}/${ex.path}`;
          if (!fresh(p)) break;
          commit({ [p]: ex.text.split(EXAMPLE_TOKEN).join(fakeToken()) }, `add ${p}`);
          did.push(`add ${p}`);
          break;
        }
        case 1: {
          const t = withToken.get(from)!;
          const ex = r.pick(EXAMPLES);
          const p = `m${k}/${ex.path}`;
          if (!fresh(p)) break;
          commit({ [from]: text(from).split(t).join('REMOVED'), [p]: ex.text.split(EXAMPLE_TOKEN).join(t) }, 'move');
          withToken.set(p, t);
          did.push(`move token ${from} -> ${p}`);
          break;
        }
        case 2: {
          const ne = NEUTRAL.find((x) => from.endsWith(x.path) && x.postmarkPath);
          const p = ne ? from.replace(ne.path, ne.postmarkPath!) : `${from}.postmark`;
          if (!fresh(p)) break;
          repo.git('mv', from, p);
          commit(r.chance(0.5) ? { [p]: `${text(p)}# touched\n` } : {}, 'rename');
          withToken.set(p, withToken.get(from)!);
          withToken.delete(from);
          did.push(`mv ${from} ${p}`);
          break;
        }
        case 3: {
          const ne = NEUTRAL.find((x) => from.endsWith(x.path) && x.context);
          if (!ne) break;
          commit({ [from]: ne.context!(text(from)) }, 'context');
          did.push(`context above ${from}`);
          break;
        }
        case 4: {
          const p = `c${k}/${from.split('/').slice(1).join('/')}`;
          if (!fresh(p)) break;
          commit({ [p]: text(from) }, 'copy');
          withToken.set(p, withToken.get(from)!);
          did.push(`copy ${from} ${p}`);
          break;
        }
        case 5: {
          // Re-indented: every line moved right (or a blank line above).
          commit({ [from]: r.chance(0.5) ? text(from).replace(/^(?=.)/gm, '  ') : `\n${text(from)}` }, 'reindent');
          did.push(`reindent ${from}`);
          break;
        }
        case 6: {
          const p = `e${k}/${r.chance(0.5) ? '.env' : 'deploy.env'}`;
          if (!fresh(p)) break;
          commit({ [p]: `APP=shop\nPOSTMARK_SERVER_TOKEN=${r.chance(0.5) ? withToken.get(from)! : fakeToken()}\n` }, 'dotenv');
          did.push(`dotenv ${p}`);
          break;
        }
        case 7: {
          // A token added, then taken out again in the next commit.
          const ex = r.pick(EXAMPLES);
          const p = `t${k}/${ex.path}`;
          if (!fresh(p)) break;
          commit({ [p]: ex.text.split(EXAMPLE_TOKEN).join(fakeToken()) }, 'oops');
          commit({ [p]: null }, 'take it out');
          did.push(`add then remove ${p}`);
          break;
        }
        case 8: {
          // The last commit reverted, then the revert reverted: the change comes back.
          const merge = repo.git('rev-list', '--parents', '-n', '1', 'HEAD').trim().split(' ').length > 2;
          // An empty commit (a message only) has nothing to revert.
          if (git(repo.dir, ['revert', '--no-edit', ...(merge ? ['-m', '1'] : []), 'HEAD']).code !== 0) {
            git(repo.dir, ['revert', '--abort']);
            break;
          }
          if (r.chance(0.7) && git(repo.dir, ['revert', '--no-edit', 'HEAD']).code !== 0) git(repo.dir, ['revert', '--abort']);
          did.push('revert (and re-add)');
          break;
        }
        case 9: {
          // main moves on (a token, a rename, a context change), and is merged into the branch.
          repo.git('checkout', '-q', 'main');
          const mainLive = [...withToken.keys()].filter((p) => existsSync(join(repo.dir, p)));
          const what = r.int(3);
          if (what === 0 || !mainLive.length) {
            const ex = r.pick(EXAMPLES);
            commit({ [`main${k}/${ex.path}`]: ex.text.split(EXAMPLE_TOKEN).join(fakeToken()) }, 'on main');
            did.push(`main adds main${k}/${ex.path}`);
          } else if (what === 1) {
            const p = r.pick(mainLive);
            mkdirSync(join(repo.dir, `mv${k}`), { recursive: true });
            repo.git('mv', p, `mv${k}/${p.split('/').pop()}`);
            commit({}, 'rename on main');
            did.push(`main renames ${p}`);
          } else {
            const p = r.pick(mainLive);
            commit({ [p]: `# main\n${text(p)}` }, 'edit on main');
            did.push(`main edits ${p}`);
          }
          repo.git('checkout', '-q', 'feature');
          const m = git(repo.dir, ['merge', '-q', '--no-ff', '--no-edit', 'main']);
          if (m.code !== 0) {
            git(repo.dir, ['merge', '--abort']);
            did.push('(merge of main conflicted: not merged)');
          } else did.push('merge main');
          break;
        }
        case 10: {
          const m = git(repo.dir, ['merge', '-q', '--no-ff', '--no-edit', 'other']);
          if (m.code !== 0) git(repo.dir, ['merge', '--abort']);
          else did.push('merge other');
          break;
        }
        case 11: {
          // Config changed inside the range: it must not apply to the range or the server.
          commit({ '.secret-guard.json': JSON.stringify(r.pick([{ ignorePaths: ['**'] }, { failOn: 'none' }, { disabledRules: ['postmark-server-token', 'postmark-hardcoded-client'] }])) }, 'config');
          did.push(`config changed in range: ${text('.secret-guard.json')}`);
          break;
        }
        case 12: {
          commit({ [from]: null }, 'delete');
          withToken.delete(from);
          did.push(`rm ${from}`);
          break;
        }
        case 13: {
          // An evil merge: the merge commit itself adds a token neither parent has.
          const m = git(repo.dir, ['merge', '-q', '--no-ff', '--no-commit', 'other']);
          if (m.code !== 0) {
            git(repo.dir, ['merge', '--abort']);
            break;
          }
          const p = `evil${k}/.env`;
          repo.write({ [p]: `POSTMARK_SERVER_TOKEN=${fakeToken()}\n` });
          repo.git('add', '-A');
          repo.git('commit', '-q', '--allow-empty', '-m', 'merge other, and more');
          did.push(`evil merge adds ${p}`);
          break;
        }
        case 15: {
          // A new token with an inline allow on its line (or one added to an old token's line).
          const ex = r.pick(EXAMPLES);
          const p = `al${k}/${ex.path}`;
          if (r.chance(0.5) && fresh(p)) {
            const body = ex.text.split(EXAMPLE_TOKEN).join(fakeToken());
            commit({ [p]: body.replace(/\n/, ' # secret-guard:allow\n') }, 'allowed');
            did.push(`add allowed ${p}`);
          } else {
            const t = withToken.get(from)!;
            commit({ [from]: text(from).split('\n').map((l) => (l.includes(t) ? `${l} # secret-guard:allow` : l)).join('\n') }, 'allow old');
            did.push(`allow the token in ${from}`);
          }
          break;
        }
        case 16: {
          // A new token and its fingerprint in the committed ignore file (read by no gate but pre-push).
          const ex = r.pick(EXAMPLES);
          const p = `ig${k}/${ex.path}`;
          if (!fresh(p)) break;
          repo.write({ [p]: ex.text.split(EXAMPLE_TOKEN).join(fakeToken()) });
          const fp = (scanJson(['scan', p], repo.dir).findings[0] as Reported | undefined)?.fingerprint;
          const old = existsSync(join(repo.dir, '.secret-guard-ignore')) ? text('.secret-guard-ignore') : '';
          commit(fp ? { '.secret-guard-ignore': `${old}${fp}\n` } : {}, 'ignore it');
          did.push(`add ${p} and ignore its fingerprint`);
          break;
        }
        case 17: {
          // A token in a commit message (no file changes).
          const t = fakeToken();
          repo.git('commit', '-q', '--allow-empty', '-m', `deploy notes\n\nPOSTMARK_SERVER_TOKEN=${t}\n`);
          messages.push(t);
          did.push('token in a commit message');
          break;
        }
        default: {
          // A token already in the base pasted into another file in a Postmark context.
          const p = `dup${k}/postmark.env`;
          if (!fresh(p)) break;
          commit({ [p]: `POSTMARK_API_TOKEN=${withToken.get(from)!}\n` }, 'dup');
          did.push(`copy token of ${from} into ${p}`);
        }
      }
    } catch (e) {
      throw new Error(`building op ${op} (${did.join('; ')}): ${String(e)}`);
    }
  }
  const head = repo.git('rev-parse', 'HEAD').trim();
  // The base: main as it is now (what a pull request's base.sha names), or the old fork point.
  const base = r.chance(0.7) ? repo.git('rev-parse', 'main').trim() : fork;
  return { repo, did, config, base, head, fork, messages };
}

/** Pushes and what the hooks said, against the oracle over the commits the server lacks. */
function checkPush(c: Case, r: Random, where: string): void {
  const { repo } = c;
  // The server: main (and maybe the side branch) as they are, put there without a hook.
  const serverRefs = ['refs/heads/main:refs/heads/main', ...(r.chance(0.5) ? ['refs/heads/other:refs/heads/other'] : [])];
  const server = makeServer(repo, c.config, serverRefs, true);
  const target = r.chance(0.5) ? 'refs/heads/feature' : 'refs/heads/main';
  const commits = pushed(repo, server.dir, c.head);
  const want = oracle(repo, commits, { gate: 'server', config: c.config });
  withMessages(repo, commits, want, c.config);
  const before = gitIn(server.dir, ['for-each-ref']);
  const p = git(repo.dir, ['push', '--no-verify', '--force', server.dir, `feature:${target}`]);
  const w = `${where}; push feature:${target} (${commits.length} new commits)`;
  expect(p.out, w).not.toContain('secret-guard: not scanned');
  if (want.must.size) {
    expect(p.code, `${w}: pre-receive must refuse\n${p.out}`).not.toBe(0);
    expect(p.out, w).toContain('push refused');
    expect(gitIn(server.dir, ['for-each-ref']), w).toBe(before);
  }
  if (!want.mayFail) expect(p.code, `${w}: pre-receive must accept\n${p.out}`).toBe(0);

  // The same push through the client's pre-push hook, to a server without one. Its settings are
  // the working tree's (the project's own .secret-guard.json).
  const plain = makeServer(repo, null, serverRefs, false);
  gitIn(repo.dir, ['remote', 'add', 'plain', plain.dir]);
  gitIn(repo.dir, ['fetch', '-q', 'plain']);
  // The hook runs ./node_modules/.bin/secret-guard: this build, kept out of every commit.
  if (!existsSync(join(repo.dir, 'node_modules'))) {
    mkdirSync(join(repo.dir, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(BIN, join(repo.dir, 'node_modules', '.bin', 'secret-guard'));
    appendFileSync(join(repo.dir, '.git', 'info', 'exclude'), '/node_modules/\n');
  }
  const inst = cli(['install', '--hook', 'pre-push', '--force'], repo.dir, { HOME: repo.dir });
  expect(inst.code, inst.stderr).toBe(0);
  const wt = join(repo.dir, '.secret-guard.json');
  let clientConfig: string | null = null;
  if (existsSync(wt)) {
    clientConfig = join(tempDir('sg-config-'), 'client.json');
    copyFileSync(wt, clientConfig);
  }
  const ignoreFile = join(repo.dir, '.secret-guard-ignore');
  const ignored = new Set(existsSync(ignoreFile) ? readFileSync(ignoreFile, 'utf8').split('\n').map((l) => l.replace(/#.*$/, '').trim()).filter(Boolean) : []);
  const wantClient = oracle(repo, commits, { gate: 'client', config: clientConfig, ignored });
  withMessages(repo, commits, wantClient, clientConfig);
  const pp = git(repo.dir, ['push', '--force', 'plain', `feature:${target}`]);
  const wc = `${where}; pre-push feature:${target}`;
  if (wantClient.must.size) {
    expect(pp.code, `${wc}: pre-push must stop\n${pp.out}`).not.toBe(0);
    expect(pp.out, wc).toContain('push stopped');
  }
  if (!wantClient.mayFail) expect(pp.code, `${wc}: pre-push must pass\n${pp.out}`).toBe(0);

  // A rewrite (rebase / amend) force-pushed over what the server already has.
  server.sync(`+refs/heads/feature:${target}`);
  const old = c.head;
  const rewrite = r.int(3);
  if (rewrite === 0) {
    const ex = r.pick(EXAMPLES);
    repo.write({ [`amend/${ex.path}`]: ex.text.split(EXAMPLE_TOKEN).join(fakeToken()) });
    repo.git('add', '-A');
    repo.git('commit', '-q', '--amend', '--allow-empty', '--no-edit', '--no-verify');
  } else if (rewrite === 1) {
    repo.git('commit', '-q', '--amend', '--allow-empty', '-m', 'reworded', '--no-verify');
  } else if (git(repo.dir, ['rebase', '-q', '--no-verify', 'main']).code !== 0) {
    git(repo.dir, ['rebase', '--abort']);
    repo.git('commit', '-q', '--amend', '--allow-empty', '-m', 'reworded', '--no-verify');
  }
  const tip = repo.git('rev-parse', 'HEAD').trim();
  const again = pushed(repo, server.dir, tip);
  const want2 = oracle(repo, again, { gate: 'server', config: c.config });
  withMessages(repo, again, want2, c.config);
  const f = git(repo.dir, ['push', '--no-verify', '--force', server.dir, `feature:${target}`]);
  const w2 = `${where}; force-push of a rewrite (${['amend with a token', 'reword', 'rebase onto main'][rewrite]}) of ${old.slice(0, 8)} over feature:${target}`;
  if (want2.must.size) expect(f.code, `${w2}: must refuse\n${f.out}`).not.toBe(0);
  if (!want2.mayFail) expect(f.code, `${w2}: must accept\n${f.out}`).toBe(0);

  // Tags of what the server has: lightweight (nothing new), annotated (its message), of a blob.
  server.sync(`+refs/heads/feature:${target}`);
  const lw = git(repo.dir, ['push', '--no-verify', server.dir, `${tip}:refs/tags/light`]);
  expect(lw.code, `${where}; lightweight tag of pushed commits\n${lw.out}`).toBe(0);
  const token = r.chance(0.5) ? fakeToken() : null;
  repo.git('tag', '-a', 'rel', '-m', token ? `release\n\nPOSTMARK_SERVER_TOKEN=${token}\n` : 'release\n', tip);
  const an = git(repo.dir, ['push', '--no-verify', server.dir, 'refs/tags/rel']);
  expect(an.code === 0, `${where}; annotated tag (token in message: ${Boolean(token)})\n${an.out}`).toBe(!token);
  const blobFile = join(tempDir('sg-blob-'), 'b');
  writeFileSync(blobFile, token ? `POSTMARK_SERVER_TOKEN=${token}\n` : 'just text\n');
  const blob = repo.git('hash-object', '-w', blobFile).trim();
  const bt = git(repo.dir, ['push', '--no-verify', server.dir, `${blob}:refs/tags/blob`]);
  expect(bt.code === 0, `${where}; tag of a blob (token: ${Boolean(token)})\n${bt.out}`).toBe(!token);
}

/** Cases per run (CASES=n for a longer search). */
const SEEDED_CASES = Number(process.env.CASES ?? 2);

describe('scan --range and the push gates against per-commit tree scans (seeded)', () => {
  const seed = runSeed();
  it(`seeded cases (SEED=${seed})`, () => {
    const r = seeded(seed);
    for (let i = 0; i < SEEDED_CASES; i++) {
      const c = buildCase(r);
      const where = `SEED=${seed} case ${i}: ${c.did.join('; ')}`;
      // An annotated tag on a commit of the range, its message with a token or without.
      const tagTokens = new Set<string>();
      const inRange = c.repo.git('rev-list', `${c.base}..${c.head}`).split('\n').filter(Boolean);
      if (inRange.length && r.chance(0.4)) {
        const t = r.chance(0.5) ? fakeToken() : null;
        c.repo.git('tag', '-a', 'in-range', '-m', t ? `notes\n\nPOSTMARK_SERVER_TOKEN=${t}\n` : 'notes\n', r.pick(inRange));
        if (t) tagTokens.add(t);
      }
      checkRange(c.repo, c.base, c.head, c.config, `${where}; --range ${c.base === c.fork ? 'fork' : 'main'}..feature${inRange.length ? `; tag in range (token: ${tagTokens.size > 0})` : ''}`, tagTokens);
      checkPush(c, r, where);
    }
  });
});

describe('scan --pre-receive: commits the host keeps under refs no push made were never read', () => {
  /**
   * GitLab fetches a fork's merge-request branch into the target repository as
   * refs/merge-requests/N/head with hooks skipped (Gitaly's fetch_source_branch), as GitHub keeps
   * refs/pull/N/head: those commits never went through this hook. Merging them, by a merge commit
   * or a fast-forward of main, brings their token onto main, and must be refused.
   */
  const cases = [
    ['fast-forward', 'refs/merge-requests/1/head'],
    ['merge commit', 'refs/pull/1/head'],
  ] as const;
  for (const [how, ref] of cases) {
    it(`refuses a ${how} of main to ${ref}, whose commits arrived without the hook`, () => {
      const token = fakeToken();
      const repo = makeRepo({ files: { 'README.md': 'hello\n' } });
      const server = makeServer(repo, null, ['refs/heads/main:refs/heads/main'], true);
      repo.git('checkout', '-q', '-b', 'fork');
      repo.commit({ 'config/mail.txt': `POSTMARK_SERVER_TOKEN=${token}\n` }, 'from a fork');
      // What the host does for a merge request from a fork: a fetch, no hook.
      server.sync(`refs/heads/fork:${ref}`);
      repo.git('checkout', '-q', 'main');
      if (how === 'merge commit') repo.git('merge', '-q', '--no-ff', '--no-edit', 'fork');
      else repo.git('merge', '-q', '--ff-only', 'fork');
      const before = gitIn(server.dir, ['for-each-ref']);
      const p = git(repo.dir, ['push', server.dir, 'main:main']);
      expect(p.code, p.out).not.toBe(0);
      expect(p.out).toContain('push refused');
      expect(p.out).toContain('config/mail.txt:1');
      expect(gitIn(server.dir, ['for-each-ref'])).toBe(before);
      // The range oracle agrees: the commits are new to main.
      expect(checkRange(repo, 'main@{1}', 'main', null, how).must).toBeGreaterThan(0);
    });
  }
});

describe('a merge of the base branch is not blamed for a secrets file the base already committed', () => {
  /**
   * main commits a .env after the branch forked; the branch merges main. The merge's first-parent
   * diff adds .env, but its other parent (main, in the base) has it at the same path: not the
   * merge's doing, as for a token merged in from the base. An evil merge that adds a .env neither
   * parent has is still the merge's.
   */
  function build(evil: boolean) {
    const repo = makeRepo({ files: { 'README.md': 'hello\n' } });
    repo.git('checkout', '-q', '-b', 'feature');
    repo.commit({ 'src/app.js': 'console.log(1)\n' }, 'feature work');
    repo.git('checkout', '-q', 'main');
    repo.commit({ 'deploy/.env': 'APP=shop\n', 'config/app.env': 'REGION=eu\n' }, 'env files on main');
    const server = makeServer(repo, null, ['refs/heads/main:refs/heads/main', 'refs/heads/feature:refs/heads/feature'], true);
    repo.git('checkout', '-q', 'feature');
    repo.git('merge', '-q', '--no-ff', '--no-commit', 'main');
    if (evil) repo.write({ 'ops/.env': 'APP=other\n' });
    repo.git('add', '-A', '-f');
    repo.git('commit', '-q', '-m', 'merge main');
    return { repo, server };
  }

  it('--range main..feature and --pre-receive pass a merge of main that brings its .env', () => {
    const { repo, server } = build(false);
    const r = cli(['scan', '--range', 'main..feature'], repo.dir);
    expect(r.code, r.stdout).toBe(0);
    expect(checkRange(repo, 'main', 'feature', null, 'merge of main').code).toBe(0);
    const p = git(repo.dir, ['push', server.dir, 'feature']);
    expect(p.code, p.out).toBe(0);
  });

  it('an evil merge that adds a .env of its own still fails both', () => {
    const { repo, server } = build(true);
    const r = cli(['scan', '--range', 'main..feature', '--format', 'json'], repo.dir);
    expect(r.code, r.stdout).toBe(1);
    expect((JSON.parse(r.stdout) as JsonReport).findings.map((f) => f.file)).toEqual(['ops/.env']);
    const p = git(repo.dir, ['push', server.dir, 'feature']);
    expect(p.code, p.out).not.toBe(0);
    expect(p.out).toContain('ops/.env');
    expect(p.out).not.toContain('deploy/.env');
  });
});

describe('an inline allow written on a token the base already had is no new finding', () => {
  /**
   * The README: a `secret-guard:allow` on a finding the range introduces hides nothing. On a token
   * already in the base (unallowed, so the range passed without the comment), the comment adds no
   * secret: --range must still pass. (Removing an allow is a new finding, as in the pre-commit
   * hook.) An allow on a token the range adds still fails the range.
   */
  const line = (t: string, allow: boolean) => `POSTMARK_SERVER_TOKEN=${t}${allow ? ' # secret-guard:allow' : ''}\n`;

  it('--range passes an allow added on an old token', () => {
    const t = fakeToken();
    const repo = makeRepo({ files: { 'app.txt': line(t, false) } });
    const base = repo.git('rev-parse', 'HEAD').trim();
    repo.commit({ 'app.txt': line(t, true) }, 'mark it allowed');
    const r = cli(['scan', '--range', `${base}..HEAD`], repo.dir);
    expect(r.code, r.stdout).toBe(0);
  });

  it('--range still fails an allow on a token the range adds, and the history keeps the old token in HEAD', () => {
    const t = fakeToken();
    const added = fakeToken();
    const repo = makeRepo({ files: { 'app.txt': line(t, false) } });
    const base = repo.git('rev-parse', 'HEAD').trim();
    repo.commit({ 'app.txt': line(t, true) + line(added, true) }, 'a new one, allowed at once');
    const r = cli(['scan', '--range', `${base}..HEAD`, '--format', 'json', '--show-secrets'], repo.dir);
    expect(r.code, r.stdout).toBe(1);
    expect((JSON.parse(r.stdout) as JsonReport).findings.map((f) => f.match)).toEqual([added]);
    const h = cli(['scan', '--history', '--format', 'json', '--show-secrets'], repo.dir);
    const old = (JSON.parse(h.stdout) as JsonReport<JsonReport['findings'][number] & { holders: { inHead: boolean } }>).findings.filter((f) => f.match === t);
    expect(old.some((f) => f.holders.inHead && !f.suppressedBy), h.stdout).toBe(true);
  });
});

describe('scan --pre-push when the push names a URL, not a remote', () => {
  /**
   * `git push ../server.git feature` gives the hook the URL as the remote's name. The remote that
   * has that URL knows what the server holds; without it, every commit of a new branch was read
   * and a token the server already had stopped the push as "commits the remote does not have".
   */
  function project() {
    const old = fakeToken();
    const repo = makeRepo({ files: { 'config/app.txt': `POSTMARK_SERVER_TOKEN=${old}\n` } });
    const server = makeServer(repo, null, ['refs/heads/main:refs/heads/main'], false);
    gitIn(repo.dir, ['remote', 'add', 'origin', server.dir]);
    gitIn(repo.dir, ['fetch', '-q', 'origin']);
    mkdirSync(join(repo.dir, 'node_modules', '.bin'), { recursive: true });
    symlinkSync(BIN, join(repo.dir, 'node_modules', '.bin', 'secret-guard'));
    appendFileSync(join(repo.dir, '.git', 'info', 'exclude'), '/node_modules/\n');
    expect(cli(['install', '--hook', 'pre-push'], repo.dir, { HOME: repo.dir }).code).toBe(0);
    repo.git('checkout', '-q', '-b', 'feature');
    return { repo, server };
  }

  it('passes a new branch whose only token the server already has', () => {
    const { repo, server } = project();
    repo.commit({ 'src/app.js': 'console.log(1)\n' }, 'clean work');
    const p = git(repo.dir, ['push', server.dir, 'feature']);
    expect(p.code, p.out).toBe(0);
  });

  it('still stops one that brings a new token', () => {
    const { repo, server } = project();
    const t = fakeToken();
    repo.commit({ 'src/mail.txt': `POSTMARK_SERVER_TOKEN=${t}\n` }, 'a token');
    const p = git(repo.dir, ['push', server.dir, 'feature']);
    expect(p.code, p.out).not.toBe(0);
    expect(p.out).toContain('src/mail.txt:1');
    expect(p.out).not.toContain('config/app.txt');
  });
});
