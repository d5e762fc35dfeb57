#!/usr/bin/env node
/**
 * The GitHub Action's one step (action.yml runs it with node): picks what to scan from the event
 * payload at GITHUB_EVENT_PATH unless the `range` input says, runs secret-guard from the action's
 * own checkout, and writes the outputs to GITHUB_OUTPUT.
 *
 * What is scanned, by event:
 * - pull_request, pull_request_target, pull_request_review(_comment): base.sha..head.sha (the
 *   pull request's own commits), either end fetched from origin when the clone lacks it;
 * - merge_group (a merge queue): merge_group.base_sha..merge_group.head_sha;
 * - push to the default branch: before..after, judged by before's settings (the protected
 *   branch's previous tip). A previous tip the clone lacks (a force push) is fetched from origin
 *   first (GitHub serves a force-pushed-over commit by its id); out of reach: exit 2 with what to do.
 * - push to any other branch or a tag, and a new branch (before all zeros): the pushed commits not
 *   on the default branch (refs/remotes/origin/<default>..after, by the default branch's settings). Not
 *   before..after: before is the same branch's previous push, written by whoever pushes now, so
 *   its settings are the pusher's own. A branch with no origin/<default> in the clone: exit 2 with
 *   what to do; a new one (or the first push of the default branch): every commit it holds, against
 *   an empty commit, so no settings of its own. Never the whole history with the pushed commit's
 *   own .secret-guard.json and .secret-guard-ignore: the push would configure its check.
 *   A deleted branch (after all zeros): nothing. A pushed annotated tag's message is read too
 *   (by the push gate, with the defaults): the range reads it only on a commit it walked;
 * - anything else (workflow_dispatch, schedule, ...): the whole history, by the checkout's settings.
 *
 * One scan writes every report: `format` to the log (annotations), the JSON report (the finding
 * count is read from it) and SARIF when `sarif` names a file (--json-output, --sarif-output); its
 * exit code, with `fail-on`, is the step's. A pushed tag's message findings are added to both
 * reports. Inputs come as INPUT_* variables set by action.yml.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
// The github reporter's own annotation (this action runs from its checkout, built by `npm ci`).
import { annotation } from '../dist/report/github.js';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'secret-guard.js');
const ZERO = /^0+$/;

const input = (name, fallback = '') => (process.env[`INPUT_${name.toUpperCase().replace(/-/g, '_')}`] ?? '').trim() || fallback;

function git(cwd, args, env = {}) {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_TERMINAL_PROMPT: '0', ...env } });
  return r.status === 0 ? r.stdout.trim() : null;
}

const hasCommit = (cwd, rev) => git(cwd, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]) !== null;
const isShallow = (cwd) => git(cwd, ['rev-parse', '--is-shallow-repository']) === 'true';

/** A step the action cannot take: exit 2, with what to do. */
export class Unreachable extends Error {
  constructor(message, fix) {
    super(`${message}\n${fix}`);
  }
}

/**
 * A commit the event names, fetched from origin by its id when the clone lacks it (a force push's
 * previous tip, a fork's head). Not in a shallow clone: its history would come too, and the range
 * would still cross the boundary.
 */
function fetchCommit(cwd, sha) {
  if (!/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(sha) || isShallow(cwd) || git(cwd, ['remote', 'get-url', 'origin']) === null) return false;
  git(cwd, ['fetch', '--no-tags', '--quiet', 'origin', sha]);
  return hasCommit(cwd, sha);
}

/**
 * A commit of the empty tree: the base of a branch that has nothing before it. Its settings are
 * none (the defaults), as an empty repository's are; fixed identity and dates give the same id
 * in every clone.
 */
function emptyCommit(cwd) {
  const tree = spawnSync('git', ['hash-object', '-t', 'tree', '-w', '--stdin'], { cwd, input: '', encoding: 'utf8' });
  const stamp = { GIT_AUTHOR_NAME: 'secret-guard', GIT_AUTHOR_EMAIL: 'secret-guard@localhost', GIT_AUTHOR_DATE: '1970-01-01T00:00:00Z' };
  const commit = tree.status === 0 ? git(cwd, ['commit-tree', '--no-gpg-sign', tree.stdout.trim(), '-m', 'secret-guard: an empty base'], { ...stamp, GIT_COMMITTER_NAME: stamp.GIT_AUTHOR_NAME, GIT_COMMITTER_EMAIL: stamp.GIT_AUTHOR_EMAIL, GIT_COMMITTER_DATE: stamp.GIT_AUTHOR_DATE }) : null;
  if (!commit) throw new Unreachable('could not write the empty base commit into the clone', 'Check that the checkout is a writable git repository.');
  return commit;
}

const FETCH_FIX = 'Check out with `fetch-depth: 0` (actions/checkout) and let the job reach origin, or fetch the previous tip before this step (`git fetch origin <sha>`); or set the `range` input.';

/**
 * The default branch's tip as the clone has it, spelt in full: git resolves a short `origin/main`
 * to a tag of that name before the remote-tracking branch, and the checkout fetches every tag, so
 * a pushed tag `origin/main` on the branch's own commit would have been the base, its settings too.
 */
const remoteRef = (main) => `refs/remotes/origin/${main}`;

/** The scan of `range` (BASE..HEAD), and why that range was chosen. */
const byRange = (range, why) => ({ args: ['--range', range], range, why });

/** The payload's default branch, and whether the push is to it. */
function defaultBranch(payload) {
  const main = payload.repository?.default_branch;
  return { main, isMain: Boolean(main) && (payload.ref ?? '') === `refs/heads/${main}` };
}

/** A new branch or tag (no previous tip): the commits not on the default branch, by its settings. */
function newBranch(cwd, payload, after, why) {
  const { main, isMain } = defaultBranch(payload);
  if (main && !isMain && hasCommit(cwd, remoteRef(main))) {
    return byRange(`${remoteRef(main)}..${after}`, `${why}: the commits not on ${main}`);
  }
  const reason = isMain ? 'it is the default branch' : `origin/${main ?? '<default branch>'} is not in the clone`;
  const empty = emptyCommit(cwd);
  return byRange(`${empty}..${after}`, `${why} and ${reason}: every commit it holds, against an empty base (no settings of its own count)`);
}

/**
 * A push to a branch other than the default one (or a moved tag): what it would bring to the
 * default branch, judged by that branch's settings. Its previous tip is no trusted base: the same
 * branch's earlier push, by the same hands, could have loosened the settings for this one.
 */
function otherBranch(cwd, payload, after) {
  const { main } = defaultBranch(payload);
  const ref = payload.ref || 'the branch';
  if (!main) {
    throw new Unreachable(
      `cannot judge the push to ${ref}: the payload names no repository.default_branch, whose settings a push to another branch is judged by (not those of its own previous tip)`,
      'Set the `range` input to `refs/remotes/origin/<default branch>..${{ github.sha }}`.',
    );
  }
  if (!hasCommit(cwd, remoteRef(main))) {
    throw new Unreachable(
      `cannot judge the push to ${ref}: a push to a branch other than ${main} is judged by ${main}'s settings (its own previous tip is no trusted base), and origin/${main} is not in the clone`,
      `Check out with \`fetch-depth: 0\` (actions/checkout then fetches every branch), or fetch it before this step (\`git fetch origin +refs/heads/${main}:refs/remotes/origin/${main}\`).`,
    );
  }
  return byRange(`${remoteRef(main)}..${after}`, `the push to ${ref}, not the default branch: the commits not on ${main}, by ${main}'s settings`);
}

/**
 * The events whose payload is a pull request's. The review events check out its merge too: read
 * as 'anything else', the whole history was judged by the pull request's own settings.
 */
const PULL_REQUEST_EVENTS = ['pull_request', 'pull_request_target', 'pull_request_review', 'pull_request_review_comment'];

/** What to scan: { args, range, why }, or null when there is nothing (a deleted branch). */
export function pickTarget(cwd, eventName, payload, explicit) {
  if (explicit === 'history') return { args: ['--history'], range: 'history', why: 'the range input' };
  if (explicit) return byRange(explicit, 'the range input');
  if (PULL_REQUEST_EVENTS.includes(eventName)) {
    const pr = payload.pull_request;
    if (!pr?.base?.sha || !pr?.head?.sha) throw new Error(`the ${eventName} payload has no pull_request.base.sha/head.sha`);
    // A fork's head is in no branch of the clone (pull_request_target checks out the base): origin
    // serves it from refs/pull/<n>/head. Still missing, the scan says so (exit 2).
    const fetched = [pr.base.sha, pr.head.sha].filter((sha) => !hasCommit(cwd, sha) && fetchCommit(cwd, sha));
    const range = `${pr.base.sha}..${pr.head.sha}`;
    return byRange(range, fetched.length ? 'the pull request; fetched from origin' : 'the pull request');
  }
  if (eventName === 'merge_group') {
    // A merge queue's commit, checked against the branch it merges into: as a whole history it
    // was judged by its own settings, the pull request's changes to them included.
    const group = payload.merge_group;
    if (!group?.base_sha || !group?.head_sha) throw new Error('the merge_group payload has no merge_group.base_sha/head_sha');
    const range = `${group.base_sha}..${group.head_sha}`;
    return byRange(range, 'the merge queue');
  }
  if (eventName === 'push') {
    const { before, after } = payload;
    if (!after) throw new Error('the push payload has no "after" commit');
    if (ZERO.test(after)) return null;
    if (!before || ZERO.test(before)) return newBranch(cwd, payload, after, (payload.ref ?? '').startsWith('refs/tags/') ? 'a new tag' : 'a new branch');
    if (!defaultBranch(payload).isMain) return otherBranch(cwd, payload, after);
    const fetched = !hasCommit(cwd, before) && fetchCommit(cwd, before);
    if (!hasCommit(cwd, before)) {
      // The commits the push brings cannot be told from those the branch had, nor judged by its
      // settings: the whole history by the pushed commit's own would let the push configure its check.
      const lack = isShallow(cwd) ? 'this is a shallow clone' : 'it could not be fetched from origin';
      throw new Unreachable(
        `cannot tell what the push to ${payload.ref} brings: its previous tip ${before.slice(0, 12)} is not in the clone (${lack}), and it is the default branch`,
        FETCH_FIX,
      );
    }
    const range = `${before}..${after}`;
    return byRange(range, fetched ? 'the push; its previous tip fetched from origin' : 'the push');
  }
  return { args: ['--history'], range: 'history', why: `a ${eventName || 'manual'} run` };
}

function output(values) {
  const file = process.env.GITHUB_OUTPUT;
  const lines = Object.entries(values).map(([k, v]) => `${k}=${String(v).replace(/[\r\n]+/g, ' ')}\n`);
  if (file) appendFileSync(file, lines.join(''));
  else process.stdout.write(lines.join(''));
}

function scan(cwd, args) {
  const r = spawnSync(process.execPath, [BIN, 'scan', ...args], { cwd, stdio: 'inherit' });
  return r.status ?? 2;
}

function main() {
  const cwd = resolve(process.env.GITHUB_WORKSPACE || process.cwd());
  const eventName = process.env.GITHUB_EVENT_NAME ?? '';
  const eventPath = process.env.GITHUB_EVENT_PATH;
  const payload = eventPath ? JSON.parse(readFileSync(eventPath, 'utf8')) : {};
  const format = input('format', 'github');
  // Unset, the config's failOn decides (the base's, in a pull request), else the CLI's default:
  // passing `error` always overrode a base that asked for `warning`.
  const failOn = input('fail-on') ? ['--fail-on', input('fail-on')] : [];
  const sarif = input('sarif') ? resolve(cwd, input('sarif')) : '';
  const report = resolve(cwd, input('report', join(process.env.RUNNER_TEMP || tmpdir(), 'secret-guard-report.json')));
  const onUnread = ['--on-unread', input('on-unread', 'refuse')];

  const target = pickTarget(cwd, eventName, payload, input('range'));
  if (!target) {
    console.log('secret-guard: the push deleted a branch; nothing to scan.');
    output({ findings: 0, report: '', sarif: '', range: '', 'exit-code': 0 });
    return 0;
  }
  console.log(`secret-guard: scanning ${target.range} (${target.why})`);

  // A report left by an earlier run must not stand in for this one's.
  rmSync(report, { force: true });
  const reports = ['--json-output', report, ...(sarif ? ['--sarif-output', sarif] : [])];
  let code = scan(cwd, [...target.args, ...onUnread, '--format', format, ...failOn, ...reports]);
  const tag = eventName === 'push' && !input('range') ? annotatedTag(cwd, payload) : null;
  if (tag) code = scanTagMessage(cwd, tag, report, sarif, format, failOn, code);
  let findings = '';
  try {
    findings = String(JSON.parse(readFileSync(report, 'utf8')).findings.length);
  } catch {
    // exit 2 before a report was written: the count stays empty, the step fails below.
  }
  output({ findings, report, sarif, range: target.range, 'exit-code': code });
  return code;
}

/** The pushed annotated tag, { ref, object }, when the push is of one (`after`, or the ref in the clone, is a tag object). */
function annotatedTag(cwd, payload) {
  const ref = payload.ref ?? '';
  if (!ref.startsWith('refs/tags/') || !payload.after || ZERO.test(payload.after)) return null;
  const commit = git(cwd, ['rev-parse', `${payload.after}^{commit}`]);
  for (const name of [payload.after, ref]) {
    if (git(cwd, ['cat-file', '-t', name]) === 'tag' && git(cwd, ['rev-parse', `${name}^{commit}`]) === commit) {
      return { ref, object: git(cwd, ['rev-parse', name]) };
    }
  }
  return null;
}

/**
 * A tag's message is no commit's: the range reads it only when the tag is on a commit it walked,
 * and a tag of a commit already on the default branch (a release) was passed over in silence.
 * The push gate reads a pushed tag's message (its commits are held by the tag itself here, so
 * nothing else), with the defaults: nothing pushed configures it. Its findings join the report;
 * the step's exit code is the worse of the two (findings before a file left unread), and stays 2
 * when the range could not be scanned at all.
 */
function scanTagMessage(cwd, tag, report, sarif, format, failOn, code) {
  const zeros = '0'.repeat(tag.object.length);
  const gateRun = (fmt) => spawnSync(process.execPath, [BIN, 'scan', '--pre-receive', '--format', fmt, ...failOn], { cwd, input: `${zeros} ${tag.object} ${tag.ref}\n`, encoding: 'utf8' });
  const r = gateRun('json');
  let found = [];
  try {
    found = JSON.parse(r.stdout).findings;
  } catch {
    console.error(`secret-guard: the message of ${tag.ref} could not be scanned: ${(r.stderr || '').trim()}`);
    return code === 1 ? 1 : 2;
  }
  let json = null;
  try {
    json = JSON.parse(readFileSync(report, 'utf8'));
  } catch {
    // the range scan wrote no report (exit 2): the tag's findings are still said below
  }
  const known = new Set((json?.findings ?? []).map((f) => f.fingerprint));
  const fresh = found.filter((f) => !known.has(f.fingerprint));
  for (const f of fresh) {
    const text = `${f.message} (${f.match}) In the message of ${tag.ref}.`;
    console.log(format === 'github' ? annotation(f.severity, [['title', f.ruleId]], text) : `secret-guard: ${f.severity} ${f.ruleId}: ${text}`);
  }
  // The range could not complete (no report): its exit 2 stands, the tag's findings said above.
  if (json && fresh.length) {
    json.findings.push(...fresh);
    writeFileSync(report, `${JSON.stringify(json, null, 2)}\n`);
    // The push gate writes no SARIF file of its own: the same scan again, as SARIF on stdout.
    if (sarif && !joinSarif(sarif, gateRun('sarif').stdout, fresh)) {
      console.error(`secret-guard: the findings in the message of ${tag.ref} could not be added to ${sarif}`);
      return 2;
    }
  }
  if (!json) return code;
  const gate = r.status ?? 2;
  return code === 1 || gate === 1 ? 1 : code === 2 || gate === 2 ? 2 : 0;
}

/**
 * The tag message's results (`fresh`, by fingerprint, from `tagText`: the push gate's SARIF) added
 * to the range's SARIF file, so code scanning shows them at `tag-message/<tag object>` beside the
 * rest; false when either cannot be read. Each keeps its rule: an index into this file's rules,
 * the rule's description added when the range's settings had left it out.
 */
function joinSarif(sarif, tagText, fresh) {
  let main;
  let extra;
  try {
    main = JSON.parse(readFileSync(sarif, 'utf8'));
    extra = JSON.parse(tagText).runs[0];
  } catch {
    return false;
  }
  const run = main.runs[0];
  const rules = run.tool.driver.rules;
  const wanted = new Set(fresh.map((f) => f.fingerprint));
  for (const { ruleIndex, ...result } of extra.results) {
    if (!wanted.has(result.partialFingerprints?.['secretGuard/v1'])) continue;
    let i = rules.findIndex((d) => d.id === result.ruleId);
    const own = ruleIndex === undefined ? undefined : extra.tool.driver.rules[ruleIndex];
    if (i < 0 && own) i = rules.push(own) - 1;
    run.results.push(i < 0 ? result : { ...result, ruleIndex: i });
  }
  writeFileSync(sarif, `${JSON.stringify(main, null, 2)}\n`);
  return true;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main();
  } catch (e) {
    console.error(`secret-guard action: ${e instanceof Error ? e.message : String(e)}`);
    output({ findings: '', report: '', sarif: '', range: '', 'exit-code': 2 });
    process.exitCode = 2;
  }
}
