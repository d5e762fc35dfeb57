#!/usr/bin/env node
/**
 * The GitHub Action's one step (action.yml runs it with node): picks what to scan from the event
 * payload at GITHUB_EVENT_PATH unless the `range` input says, runs secret-guard from the action's
 * own checkout, and writes the outputs to GITHUB_OUTPUT.
 *
 * What is scanned, by event:
 * - pull_request / pull_request_target: base.sha..head.sha (the pull request's own commits);
 * - push: before..after; a new branch (before all zeros) or a force push whose old tip is not in
 *   the clone: the pushed commits not on the default branch (origin/<default>..after), or the
 *   whole history when the pushed branch is the default branch or origin/<default> is absent;
 *   a deleted branch (after all zeros): nothing;
 * - anything else (workflow_dispatch, schedule, ...): the whole history.
 *
 * One scan writes every report: `format` to the log (annotations), the JSON report (the finding
 * count is read from it) and SARIF when `sarif` names a file (--json-output, --sarif-output); its
 * exit code, with `fail-on`, is the step's. Inputs come as INPUT_* variables set by action.yml.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'secret-guard.js');
const ZERO = /^0+$/;

const input = (name, fallback = '') => (process.env[`INPUT_${name.toUpperCase().replace(/-/g, '_')}`] ?? '').trim() || fallback;

function git(cwd, args) {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

const hasCommit = (cwd, rev) => git(cwd, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]) !== null;

/** The commits a new (or force-pushed) branch brings: those not on the default branch. */
function newBranch(cwd, payload, after, why) {
  const main = payload.repository?.default_branch;
  const ref = payload.ref ?? '';
  if (main && ref !== `refs/heads/${main}` && hasCommit(cwd, `refs/remotes/origin/${main}`)) {
    return { args: ['--range', `origin/${main}..${after}`], range: `origin/${main}..${after}`, why: `${why}: the commits not on ${main}` };
  }
  const reason = main && ref === `refs/heads/${main}` ? `it is the default branch` : `origin/${main ?? '<default branch>'} is not in the clone`;
  return { args: ['--history'], range: 'history', why: `${why} and ${reason}: the whole history` };
}

/** What to scan: { args, range, why }, or null when there is nothing (a deleted branch). */
export function pickTarget(cwd, eventName, payload, explicit) {
  if (explicit === 'history') return { args: ['--history'], range: 'history', why: 'the range input' };
  if (explicit) return { args: ['--range', explicit], range: explicit, why: 'the range input' };
  if (eventName === 'pull_request' || eventName === 'pull_request_target') {
    const pr = payload.pull_request;
    if (!pr?.base?.sha || !pr?.head?.sha) throw new Error(`the ${eventName} payload has no pull_request.base.sha/head.sha`);
    const range = `${pr.base.sha}..${pr.head.sha}`;
    return { args: ['--range', range], range, why: 'the pull request' };
  }
  if (eventName === 'push') {
    const { before, after } = payload;
    if (!after) throw new Error('the push payload has no "after" commit');
    if (ZERO.test(after)) return null;
    if (!before || ZERO.test(before)) return newBranch(cwd, payload, after, 'a new branch');
    if (!hasCommit(cwd, before)) return newBranch(cwd, payload, after, `the previous tip ${before.slice(0, 12)} is not in the clone (a force push)`);
    const range = `${before}..${after}`;
    return { args: ['--range', range], range, why: 'the push' };
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
  const code = scan(cwd, [...target.args, ...onUnread, '--format', format, ...failOn, ...reports]);
  let findings = '';
  try {
    findings = String(JSON.parse(readFileSync(report, 'utf8')).findings.length);
  } catch {
    // exit 2 before a report was written: the count stays empty, the step fails below.
  }
  output({ findings, report, sarif, range: target.range, 'exit-code': code });
  return code;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    process.exitCode = main();
  } catch (e) {
    console.error(`secret-guard action: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 2;
  }
}
