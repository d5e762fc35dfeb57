/**
 * A seeded differential of the CI entry points against the events CI really delivers: the GitHub
 * Action (action.yml's scan step, action/run.mjs, with the environment and a real event payload at
 * GITHUB_EVENT_PATH), the scan step of examples/github-actions.yml and the scan line of
 * examples/gitlab-ci.yml (their own shell text, the `${{ … }}` and CI variables filled in, the
 * installed binary replaced by this checkout's bin/), and the README's push range
 * (`before..sha`) through `scan --range`.
 *
 * Each case builds a real bare "origin" and a developer's repository that pushes into it: a random
 * base history on main, then one event:
 * - pull request (pull_request, pull_request_review; pull_request_target, from a fork whose head is
 *   in no branch of origin; and its merge queue run, merge_group): a head branch of 1–4 commits (tokens added, removed, renamed, written with an
 *   inline allow, settings loosened by the branch itself; merges of main into it, a rebase onto
 *   main, a force push that rewrites earlier commits), main moved on meanwhile; origin gets
 *   refs/pull/1/head and refs/pull/1/merge as GitHub makes them;
 * - push: a fast-forward, a force push (main or a branch; `before` no ancestor of `after`, or a
 *   history of its own), a new branch (`before` all zeros), the first push of the default branch,
 *   a tag (lightweight, or annotated with or without a token in its message), a branch deletion
 *   (`after` all zeros).
 * The job's checkout is made as actions/checkout makes it, from origin: every branch and tag
 * (fetch-depth 0), or the event's ref alone at depth 1 or 2.
 *
 * The oracle, from the real repository (origin holds every object pushed): the event's commits S
 * are those a pull request brings (`base..head`) or a push brings (`after`, not reachable from
 * `before` nor from any other branch of origin); a token is introduced by a commit that holds it
 * and none of whose parents does (tokens are unique per case). The BASE whose settings count: a
 * pull request's base; for a push to main, `before`; for any other push (or a new branch), main,
 * never the branch's own earlier push. Then, for every entry point:
 * - must: each token a commit of S introduces, outside what the BASE's settings ignore (main's
 *   first commit may ignore fixtures/**), is a failing finding, and the exit is 1;
 * - may: every token reported was introduced by a commit that is the event's or not yet on the
 *   default branch; an event whose commits introduce no token at all passes (exit 0);
 * - exit 2 only where the job could not reach what it needed (a shallow checkout; the previous tip
 *   of a force push to the default branch, pruned from origin), with what to do in the message.
 * What the branch itself changes in .secret-guard.json or .secret-guard-ignore, and inline allows it
 * adds, loosen nothing. SEED=<n> replays a run; CASES=<n> sets how many cases.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { fingerprint } from '../src/core/fingerprint.js';
import { runActionStep } from './helpers/action.js';
import { BIN } from './helpers/cli.js';
import { runSeed, seeded, seededToken, type Random } from './helpers/random.js';
import { cleanupAll, gitIn, GIT_IDENTITY, makeRepo, tempDir } from './helpers/repo.js';
import type { JsonFinding, JsonReport } from './helpers/report.js';

afterAll(cleanupAll);

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ZEROS = '0'.repeat(40);
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}';
const RULES = ['postmark-server-token', 'postmark-hardcoded-client'];
const CASES = Number(process.env.CASES ?? 10);

// ---------------------------------------------------------------------------------------------
// The entry points, run as CI runs them.

interface Run { who: string; code: number; out: string; report: string | null }

/** `${{ name }}` replaced from `vars` (a name not there is left as it is, and fails the run). */
const fill = (text: string, vars: Record<string, string>) => text.replace(/\$\{\{\s*([^}]+?)\s*\}\}/g, (m, name: string) => vars[name] ?? m);

function bash(script: string, cwd: string, env: Record<string, string>): { code: number; out: string } {
  const r = spawnSync('bash', ['-e', '-c', script], { cwd, env: { ...process.env, ...GIT_IDENTITY, NO_COLOR: '1', ...env }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/** action.yml's scan step as the runner runs it (helpers/action.ts), inputs at their defaults, GitHub's variables as given. */
function runAction(ws: string, eventName: string, payload: object, github: Record<string, string>): Run {
  const r = runActionStep(ws, eventName, payload, { env: github });
  // The step's exit code and its exit-code output say the same.
  if (r.outputs['exit-code'] !== undefined) expect(r.outputs['exit-code'], r.out).toBe(String(r.code));
  return { who: 'action', code: r.code, out: r.out, report: r.outputs.report && existsSync(r.outputs.report) ? r.outputs.report : null };
}

/** The scan step of examples/github-actions.yml, or the scan line of examples/gitlab-ci.yml: its own text, this checkout's bin/ for the installed one. */
function exampleScan(file: 'github-actions.yml' | 'gitlab-ci.yml'): string {
  const doc = parse(readFileSync(join(ROOT, 'examples', file), 'utf8'));
  const lines: string[] = file === 'gitlab-ci.yml' ? doc['secret-guard'].script : doc.jobs.secrets.steps.map((s: { run?: string }) => s.run ?? '');
  const line = lines.find((l) => l.includes('secret-guard scan'))!;
  const bin = file === 'gitlab-ci.yml' ? '/tmp/secret-guard-base/node_modules/.bin/secret-guard' : '"$RUNNER_TEMP"/base/node_modules/.bin/secret-guard';
  expect(line).toContain(bin);
  return line.replace(bin, `"${process.execPath}" "${BIN}"`).trim();
}
const GITHUB_SCAN = exampleScan('github-actions.yml');
const GITLAB_SCAN = exampleScan('gitlab-ci.yml');

function runExample(who: string, script: string, ws: string, env: Record<string, string>): Run {
  const report = join(tempDir('sg-ci-ex-'), 'report.json');
  const r = bash(`${script} --json-output ${report}`, ws, { RUNNER_TEMP: tempDir('sg-ci-rt-'), ...env });
  return { who, code: r.code, out: r.out, report: existsSync(report) ? report : null };
}

// ---------------------------------------------------------------------------------------------
// Repositories: origin, the developer's clone, and the job's checkout.

interface World {
  r: Random;
  origin: string;
  dev: string;
  n: number;
  did: string[];
  /** Tokens written in this case. */
  tokens: Set<string>;
}

const git = (dir: string, ...args: string[]) => gitIn(dir, args);
const tip = (w: World, ref: string) => {
  const r = spawnSync('git', ['rev-parse', '-q', '--verify', `${ref}^{commit}`], { cwd: w.origin, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
};

function tokenLine(w: World, path: string): string {
  const t = seededToken(w.r);
  w.tokens.add(t);
  const allow = w.r.chance(0.2) ? ' # secret-guard:allow' : '';
  return path.endsWith('.js') ? `const client = new postmark.ServerClient('${t}');${allow ? ' // secret-guard:allow' : ''}\n` : `POSTMARK_SERVER_TOKEN=${t}${allow}\n`;
}
const cleanLine = (w: World) => `NOTE=${w.r.pick(['deploy', 'mail', 'queue', 'retry'])} ${w.r.hex(6)}\n`;

function tracked(w: World): string[] {
  return git(w.dev, 'ls-files').split('\n').filter((p) => p && !p.startsWith('.') && p !== 'README.md');
}

/** One random commit on the current branch, in the branch's own folders (never trunk/). */
function branchCommit(w: World): void {
  const k = w.r.int(10);
  const files = tracked(w).filter((p) => !p.startsWith('trunk/'));
  const withToken = files.filter((p) => new RegExp(UUID).test(readFileSync(join(w.dev, p), 'utf8')));
  const n = w.n++;
  if (k < 4 || !files.length) {
    const path = w.r.pick([`src/m${n}.js`, `config/k${n}.env.txt`, `fixtures/f${n}.env.txt`]);
    writeFileSync(join(w.dev, ...mk(w.dev, path)), w.r.chance(0.5) ? tokenLine(w, path) : cleanLine(w));
    w.did.push(`add ${path}`);
  } else if (k < 6 && withToken.length) {
    const path = w.r.pick(withToken);
    if (w.r.chance(0.5)) git(w.dev, 'rm', '-q', path);
    else writeFileSync(join(w.dev, path), cleanLine(w));
    w.did.push(`remove the token of ${path}`);
  } else if (k < 8) {
    const from = w.r.pick(files);
    const to = `${w.r.pick(['src', 'config', 'fixtures'])}/r${n}${from.endsWith('.js') ? '.js' : '.env.txt'}`;
    mk(w.dev, to);
    git(w.dev, 'mv', from, to);
    if (w.r.chance(0.3)) writeFileSync(join(w.dev, to), readFileSync(join(w.dev, to), 'utf8') + cleanLine(w));
    w.did.push(`rename ${from} to ${to}`);
  } else {
    // The branch loosens its own check: none of this may count before it is on the base.
    const loosen = w.r.pick([{ ignorePaths: ['**'] }, { disabledRules: RULES }, { failOn: 'none' }]);
    writeFileSync(join(w.dev, '.secret-guard.json'), JSON.stringify(loosen));
    const path = `src/m${n}.js`;
    writeFileSync(join(w.dev, ...mk(w.dev, path)), tokenLine(w, path));
    const ignore = [...w.tokens].flatMap((t) => [...files, path].flatMap((p) => RULES.map((rule) => fingerprint(rule, t, p))));
    if (w.r.chance(0.5)) writeFileSync(join(w.dev, '.secret-guard-ignore'), ignore.join('\n') + '\n');
    w.did.push(`loosen the settings (${JSON.stringify(loosen)}) and add ${path}`);
  }
  git(w.dev, 'add', '-A');
  git(w.dev, 'commit', '-q', '--allow-empty', '-m', `change ${n}`);
}

function mk(dir: string, path: string): string[] {
  const parts = path.split('/');
  spawnSync('mkdir', ['-p', join(dir, ...parts.slice(0, -1))]);
  return parts;
}

/** A commit on main, in trunk/ only (a branch never conflicts with it), pushed. */
function mainCommit(w: World): void {
  const back = git(w.dev, 'rev-parse', '--abbrev-ref', 'HEAD').trim();
  git(w.dev, 'checkout', '-q', 'main');
  const path = `trunk/x${w.n++}.env.txt`;
  writeFileSync(join(w.dev, ...mk(w.dev, path)), w.r.chance(0.4) ? tokenLine(w, path) : cleanLine(w));
  git(w.dev, 'add', '-A');
  git(w.dev, 'commit', '-q', '-m', `main ${path}`);
  git(w.dev, 'push', '-q', 'origin', 'main');
  if (back !== 'main') git(w.dev, 'checkout', '-q', back);
  w.did.push(`main adds ${path}`);
}

/** origin and a developer's clone of it, with main's first commits. */
function world(r: Random, pushMain = true): World {
  const origin = makeRepo({ bare: true }).dir;
  const dev = join(tempDir('sg-ci-dev-'), 'dev');
  git(origin, 'clone', '-q', `file://${origin}`, dev);
  const w: World = { r, origin, dev, n: 0, did: [], tokens: new Set() };
  git(dev, 'checkout', '-q', '-B', 'main');
  const ignoresFixtures = r.chance(0.5);
  writeFileSync(join(dev, 'README.md'), '# app\n');
  if (ignoresFixtures) writeFileSync(join(dev, '.secret-guard.json'), JSON.stringify({ ignorePaths: ['fixtures/**'] }));
  git(dev, 'add', '-A');
  git(dev, 'commit', '-q', '-m', 'initial');
  w.did.push(ignoresFixtures ? 'main ignores fixtures/**' : 'main has no settings');
  if (pushMain) {
    git(dev, 'push', '-q', 'origin', 'main');
    for (let i = r.int(3); i > 0; i--) mainCommit(w);
  }
  return w;
}

type Depth = 0 | 1 | 2;

/** The job's checkout, as actions/checkout makes it: every branch and tag, or `ref` alone at `depth`; then `sha` checked out. */
function checkout(w: World, depth: Depth, ref: string, sha: string): string {
  const ws = join(tempDir('sg-ci-ws-'), 'ws');
  git(w.dev, 'init', '-q', ws);
  git(ws, 'remote', 'add', 'origin', `file://${w.origin}`);
  if (depth === 0) {
    git(ws, 'fetch', '-q', '--prune', '--no-tags', 'origin', '+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*');
    if (ref.startsWith('refs/pull/')) git(ws, 'fetch', '-q', 'origin', `+${ref}:refs/remotes/pull/1/merge`);
  } else {
    const local = ref.startsWith('refs/heads/') ? `refs/remotes/origin/${ref.slice(11)}` : ref.startsWith('refs/pull/') ? 'refs/remotes/pull/1/merge' : ref;
    git(ws, 'fetch', '-q', '--no-tags', `--depth=${depth}`, 'origin', `+${ref}:${local}`);
  }
  git(ws, 'checkout', '-q', '--detach', sha);
  return ws;
}

// ---------------------------------------------------------------------------------------------
// The oracle.

const treeTokens = new Map<string, Map<string, string[]>>();
/** token → the paths that hold it, in `commit`'s tree (read from the developer's repository, which made every object; origin may have pruned some). */
function tokensIn(w: World, commit: string): Map<string, string[]> {
  const key = `${w.origin}\0${commit}`;
  let out = treeTokens.get(key);
  if (out) return out;
  out = new Map();
  const r = spawnSync('git', ['grep', '-I', '-o', '-E', UUID, commit, '--'], { cwd: w.dev, encoding: 'utf8' });
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    const [, path, token] = line.split(':') as [string, string, string];
    out.set(token, [...(out.get(token) ?? []), path]);
  }
  treeTokens.set(key, out);
  return out;
}

/** token → paths, for the tokens `commit` introduces: in its tree and in no parent's. */
function introduced(w: World, commit: string): Map<string, string[]> {
  const parents = git(w.dev, 'rev-list', '--parents', '-n', '1', commit).trim().split(' ').slice(1);
  const out = new Map<string, string[]>();
  for (const [t, paths] of tokensIn(w, commit)) if (!parents.some((p) => tokensIn(w, p).has(t))) out.set(t, paths);
  return out;
}

const revList = (w: World, ...args: string[]) => git(w.dev, 'rev-list', ...args).split('\n').filter(Boolean);

interface Expect {
  /** Tokens that must fail every entry point. */
  must: Set<string>;
  /** Tokens that may be reported. */
  may: Set<string>;
  /** Why an exit 2 is allowed (the checkout cannot serve the event), or null. */
  unreachable: string | null;
}

/**
 * Whether a finding of `token` at `path` counts under the settings `base` holds (null: no base, the
 * defaults): the settings the generator writes are ignorePaths, disabledRules (both rules), failOn
 * none and an ignore file of fingerprints.
 */
function countsUnder(w: World, base: string | null): (token: string, path: string) => boolean {
  const at = (file: string) => {
    const r = base ? spawnSync('git', ['show', `${base}:${file}`], { cwd: w.dev, encoding: 'utf8' }) : null;
    return r && r.status === 0 ? r.stdout : null;
  };
  const config = JSON.parse(at('.secret-guard.json') ?? '{}') as { ignorePaths?: string[]; disabledRules?: string[]; failOn?: string };
  const ignored = new Set((at('.secret-guard-ignore') ?? '').split('\n').filter(Boolean));
  if (config.failOn === 'none' || config.disabledRules?.length || config.ignorePaths?.includes('**')) return () => false;
  const fixtures = config.ignorePaths?.includes('fixtures/**') ?? false;
  return (t, p) => !(fixtures && p.startsWith('fixtures/')) && !RULES.some((rule) => ignored.has(fingerprint(rule, t, p)));
}

/** must/may from the commits of the event (`s`, judged under `base`'s settings) and the commits that may be scanned besides (`mayScan`). */
function expectFor(w: World, s: string[], mayScan: string[], base: string | null, unreachable: string | null): Expect {
  const counts = countsUnder(w, base);
  const must = new Set<string>();
  const may = new Set<string>();
  for (const c of s) for (const [t, paths] of introduced(w, c)) if (paths.some((p) => counts(t, p))) must.add(t);
  for (const c of new Set([...s, ...mayScan])) for (const t of introduced(w, c).keys()) may.add(t);
  return { must, may, unreachable };
}

function judge(w: World, run: Run, want: Expect, where: string): void {
  const at = `${where}\n${run.who} exited ${run.code}:\n${run.out}`;
  for (const t of w.tokens) expect(run.out, `${at}\n(a token printed)`).not.toContain(t);
  if (run.code === 2) {
    expect(want.unreachable, `${at}\n(exit 2 with everything in reach)`).not.toBeNull();
    expect(run.out, `${at}\n(exit 2 without what to do)`).toMatch(/fetch-depth: 0|git fetch|--allow-shallow|--unshallow|--range (refs\/remotes\/)?origin\/main\.\.HEAD/);
    return;
  }
  expect([0, 1], at).toContain(run.code);
  const findings = run.report ? (JSON.parse(readFileSync(run.report, 'utf8')) as JsonReport).findings : [];
  const tokenOf = (f: JsonFinding) => [...w.tokens].find((t) => fingerprint(f.ruleId, t, f.file) === f.fingerprint);
  const failing = new Set(findings.filter((f) => f.severity === 'error' && !f.suppressedByChange?.approved).map(tokenOf));
  const missed = [...want.must].filter((t) => !failing.has(t));
  expect(missed.map((t) => t.slice(0, 8)), `${at}\n(tokens the event introduced that did not fail)`).toEqual([]);
  if (want.must.size) expect(run.code, at).toBe(1);
  const extra = findings.map(tokenOf).filter((t) => t === undefined || !want.may.has(t));
  expect(extra.map((t) => t?.slice(0, 8) ?? 'no token of this case'), `${at}\n(reported, yet no commit of the event introduced it)`).toEqual([]);
  if (!want.may.size) expect(run.code, `${at}\n(a clean event failed)`).toBe(0);
}

// ---------------------------------------------------------------------------------------------
// Events.

function pullRequest(w: World, where: () => string): void {
  const { r, dev } = w;
  const from = r.chance(0.3) && revList(w, 'refs/heads/main').length > 1 ? 'main~1' : 'main';
  git(dev, 'checkout', '-q', '-b', 'feature', from);
  let pushed = false;
  for (let i = 1 + r.int(4); i > 0; i--) {
    const k = r.int(10);
    if (k < 2) mainCommit(w);
    else if (k < 3) {
      git(dev, 'merge', '-q', '--no-edit', 'main');
      w.did.push('merge main into feature');
    } else if (k < 4 && !pushed) {
      git(dev, 'push', '-q', 'origin', 'feature');
      pushed = true;
      w.did.push('push feature');
    } else branchCommit(w);
  }
  branchCommit(w);
  if (r.chance(0.25)) {
    git(dev, 'rebase', '-q', 'main');
    w.did.push('rebase feature onto main');
  }
  if (pushed && r.chance(0.5)) {
    // A force push that rewrites what the pull request held.
    git(dev, 'reset', '-q', '--hard', r.pick(['HEAD~1', 'main']));
    branchCommit(w);
    w.did.push('rewrite feature (force push)');
  }
  if (r.chance(0.4)) mainCommit(w);
  git(dev, 'push', '-q', '-f', 'origin', 'feature', 'main');
  const base = tip(w, 'refs/heads/main')!;
  const head = tip(w, 'refs/heads/feature')!;
  // GitHub's test merge: refs/pull/1/merge, main's tip and the head.
  git(dev, 'checkout', '-q', '--detach', base);
  git(dev, 'merge', '-q', '--no-ff', '--no-edit', head);
  const merge = git(dev, 'rev-parse', 'HEAD').trim();
  git(dev, 'push', '-q', 'origin', `${head}:refs/pull/1/head`, `${merge}:refs/pull/1/merge`);

  const depth = r.pick([0, 0, 1, 2] as Depth[]);
  const ws = checkout(w, depth, 'refs/pull/1/merge', merge);
  const s = revList(w, head, `^${base}`);
  const want = expectFor(w, s, [], base, depth ? `a checkout of depth ${depth}` : null);
  const label = `${where()}; pull request ${base.slice(0, 8)}..${head.slice(0, 8)}, checkout depth ${depth}`;
  const payload = { action: 'synchronize', number: 1, pull_request: { number: 1, base: { ref: 'main', sha: base }, head: { ref: 'feature', sha: head } }, repository: { default_branch: 'main' } };
  // A review's run (pull_request_review) gets the same payload and checkout; pull_request_target
  // checks out the base, and the head is in no branch there (a fork's).
  const event = r.pick(['pull_request', 'pull_request', 'pull_request_review', 'pull_request_target']);
  if (event === 'pull_request_target') git(w.origin, 'update-ref', '-d', 'refs/heads/feature');
  const at = event === 'pull_request_target' ? checkout(w, depth, 'refs/heads/main', base) : ws;
  judge(w, { ...runAction(at, event, payload, { GITHUB_SHA: merge, GITHUB_REF: 'refs/pull/1/merge', GITHUB_BASE_REF: 'main', GITHUB_HEAD_REF: 'feature' }), who: `action (${event})` }, want, label);
  // A merge queue runs the check again on its merge of the pull request (merge_group).
  const queue = { action: 'checks_requested', merge_group: { base_sha: base, base_ref: 'refs/heads/main', head_sha: merge, head_ref: 'refs/heads/gh-readonly-queue/main/pr-1-x' }, repository: { default_branch: 'main' } };
  judge(w, { ...runAction(ws, 'merge_group', queue, { GITHUB_SHA: merge, GITHUB_REF: queue.merge_group.head_ref }), who: 'action (merge_group)' }, expectFor(w, revList(w, merge, `^${base}`), [], base, want.unreachable), label);
  judge(w, runExample('examples/github-actions.yml', fill(GITHUB_SCAN, { 'github.event.pull_request.base.sha': base, 'github.event.pull_request.head.sha': head }), ws, {}), want, label);
  // GitLab: the diff base is the merge base; a merged results pipeline's CI_COMMIT_SHA is the merge.
  const diffBase = git(w.dev, 'merge-base', base, head).trim();
  const mergedResults = r.chance(0.5);
  const gl = { CI_MERGE_REQUEST_DIFF_BASE_SHA: diffBase, CI_MERGE_REQUEST_SOURCE_BRANCH_SHA: mergedResults || r.chance(0.5) ? head : '', CI_COMMIT_SHA: mergedResults ? merge : head };
  const glWant = expectFor(w, revList(w, head, `^${diffBase}`), [], diffBase, want.unreachable);
  judge(w, runExample('examples/gitlab-ci.yml', GITLAB_SCAN, ws, gl), glWant, `${label}; GitLab ${JSON.stringify(gl)}`);
}

type PushKind = 'fast-forward' | 'force' | 'new-branch' | 'first-push' | 'tag' | 'delete';

function push(w: World, kind: PushKind, where: () => string): void {
  const { r, dev } = w;
  // A branch besides main, for the kinds that push one (a deletion always has one).
  if (kind === 'delete' || (kind !== 'first-push' && r.chance(0.5))) {
    git(dev, 'checkout', '-q', '-b', 'topic');
    for (let i = r.int(3); i > 0; i--) branchCommit(w);
    git(dev, 'push', '-q', 'origin', 'topic');
    git(dev, 'checkout', '-q', 'main');
  }
  const hasTopic = tip(w, 'refs/heads/topic') !== null;
  const branch = kind === 'first-push' ? 'main' : kind === 'new-branch' ? 'fresh' : kind === 'delete' ? 'topic' : hasTopic && r.chance(0.5) ? 'topic' : 'main';
  const ref = kind === 'tag' ? 'refs/tags/v1' : `refs/heads/${branch}`;
  const before = tip(w, ref) ?? ZEROS;
  const othersBefore = git(w.origin, 'for-each-ref', '--format=%(refname) %(objectname)', 'refs/heads').split('\n').filter((x) => x && !x.startsWith(`${ref} `)).map((x) => x.split(' ')[1]!);
  let after = ZEROS;
  let pruned = false;
  let tagToken: string | null = null;
  if (kind === 'delete') {
    git(dev, 'push', '-q', 'origin', '--delete', branch);
    w.did.push(`delete ${branch}`);
  } else if (kind === 'tag') {
    const onMain = r.chance(0.5);
    git(dev, 'checkout', '-q', '--detach', 'main');
    if (!onMain) branchCommit(w);
    const annotated = r.chance(0.5);
    // A release note with a token pasted in: a tag's message is pushed with it.
    const noted = annotated && r.chance(0.5) ? seededToken(r) : null;
    if (noted) w.tokens.add(noted);
    git(dev, 'tag', ...(annotated ? ['-a', '-m', noted ? `release\n\nPOSTMARK_SERVER_TOKEN=${noted}` : 'release'] : []), 'v1', 'HEAD');
    tagToken = noted;
    git(dev, 'push', '-q', 'origin', 'v1');
    git(dev, 'checkout', '-q', 'main');
    // GitHub's `after` for a tag: the commit, or the tag object of an annotated tag; either must do.
    after = annotated && r.chance(0.5) ? git(w.origin, 'rev-parse', ref).trim() : tip(w, ref)!;
    w.did.push(`${annotated ? 'annotated' : 'lightweight'} tag v1 on ${onMain ? 'main' : 'a commit of its own'}`);
  } else {
    git(dev, 'checkout', '-q', ...(kind === 'new-branch' ? ['-b', branch] : [branch]));
    let orphan = false;
    if (kind === 'force') {
      const parent = spawnSync('git', ['rev-parse', '-q', '--verify', `${before}~1`], { cwd: dev, encoding: 'utf8' }).stdout.trim();
      if (!parent || r.chance(0.3)) {
        orphan = true;
        git(dev, 'checkout', '-q', '--orphan', 'rewritten');
        git(dev, 'rm', '-rq', '--cached', '.');
        git(dev, 'clean', '-qfdx');
        writeFileSync(join(dev, 'README.md'), '# rewritten\n');
        w.did.push(`rewrite ${branch} as a history of its own`);
      } else {
        git(dev, 'reset', '-q', '--hard', parent);
        w.did.push(`rewrite ${branch} from ${before.slice(0, 8)}~1`);
      }
    }
    for (let i = 1 + r.int(3); i > 0; i--) branchCommit(w);
    if (orphan) {
      git(dev, 'branch', '-f', branch, 'HEAD');
      git(dev, 'checkout', '-q', branch);
    }
    git(dev, 'push', '-q', ...(kind === 'force' ? ['-f'] : []), 'origin', branch);
    after = tip(w, ref)!;
    if (kind === 'force' && r.chance(0.5)) {
      // origin dropped the commit the branch held before: no fetch brings it back.
      git(w.origin, 'gc', '-q', '--prune=now');
      pruned = true;
      w.did.push('origin pruned');
    }
    git(dev, 'checkout', '-q', 'main');
    w.did.push(`push ${branch}`);
  }
  const afterCommit = after === ZEROS ? null : git(w.dev, 'rev-parse', `${after}^{commit}`).trim();
  const main = tip(w, 'refs/heads/main');
  const depth = kind === 'delete' ? 0 : r.pick([0, 0, 1, 2] as Depth[]);
  const ws = checkout(w, depth, kind === 'delete' ? 'refs/heads/main' : ref, afterCommit ?? main!);
  // The event's commits: after's, not before's, nor any other branch's. A push to main is judged
  // under before's settings (the protected branch's previous tip); any other push, and a new
  // branch, under main's (before is the same branch's earlier push, by the same hands); the first
  // push of main under none.
  const toMain = ref === 'refs/heads/main';
  const s = afterCommit ? revList(w, afterCommit, ...(before === ZEROS ? [] : [`^${before}`]), ...othersBefore.map((o) => `^${o}`)) : [];
  const notOnMain = afterCommit && main && ref !== 'refs/heads/main' ? revList(w, afterCommit, `^${main}`) : [];
  const fromBefore = afterCommit && before !== ZEROS ? revList(w, afterCommit, `^${before}`) : [];
  const all = kind === 'first-push' ? revList(w, afterCommit!) : [];
  const base = kind === 'first-push' ? null : toMain && before !== ZEROS ? before : main;
  const forcedMain = pruned && branch === 'main';
  const unreachable = depth ? `a checkout of depth ${depth}` : forcedMain ? 'the previous tip of a force push to the default branch' : null;
  const want = expectFor(w, s, [...notOnMain, ...fromBefore, ...all], base, unreachable);
  if (tagToken) {
    want.must.add(tagToken);
    want.may.add(tagToken);
  }
  const label = `${where()}; push (${kind}) ${ref} ${before.slice(0, 8)}..${after.slice(0, 8)}, checkout depth ${depth}`;
  const payload = { ref, before, after, created: before === ZEROS, deleted: after === ZEROS, forced: kind === 'force', base_ref: null, repository: { default_branch: 'main' } };
  judge(w, runAction(ws, 'push', payload, { GITHUB_SHA: afterCommit ?? main!, GITHUB_REF: ref }), want, label);
  if (kind !== 'delete') {
    // The README's push ranges: to main `${{ github.event.before }}..${{ github.sha }}` (all zeros,
    // or a previous tip the checkout lacks, is exit 2); to anything else
    // `refs/remotes/origin/main..${{ github.sha }}` (exit 2 where the checkout lacks it).
    const from = toMain ? before : 'refs/remotes/origin/main';
    const readme = runExample('README push range', `"${process.execPath}" "${BIN}" scan --range ${from}..${afterCommit} --format github`, ws, {});
    const gone = (toMain && before === ZEROS) || spawnSync('git', ['rev-parse', '-q', '--verify', `${from}^{commit}`], { cwd: ws }).status !== 0;
    // A range reads commits, not a tag's message (the README says so; the action reads it too).
    const must = new Set([...want.must].filter((t) => t !== tagToken));
    judge(w, readme, { ...want, must, unreachable: gone ? 'no previous tip in the checkout' : want.unreachable }, label);
  }
}

describe('the CI entry points against pull requests and pushes (seeded)', () => {
  const seed = runSeed();
  it(`seeded cases (SEED=${seed})`, () => {
    const r = seeded(seed);
    for (let i = 0; i < CASES; i++) {
      // Every kind in every run (the default 10 cases: each once, a pull request three times); what
      // happens within it is drawn from the seed, so runs add up to more than any one of them.
      const kind = (['pr', 'fast-forward', 'force', 'pr', 'new-branch', 'first-push', 'pr', 'tag', 'force', 'delete'] as const)[i % 10]!;
      const w = world(r, kind !== 'first-push');
      const where = () => `SEED=${seed} case ${i}: ${w.did.join('; ')}`;
      if (kind === 'pr') pullRequest(w, where);
      else push(w, kind, where);
    }
  }, 300_000);
});
