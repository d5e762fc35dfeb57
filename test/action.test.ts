/**
 * The GitHub Action (action.yml) as a runner would run it: its `scan` step's `run` line, with the
 * step's env evaluated from the inputs (defaults from action.yml), in a real clone of a real
 * repository, against generated GITHUB_EVENT_PATH payloads for a pull request, a push (to the
 * default branch and to another), a new branch, a force push and a deleted branch; GITHUB_OUTPUT is a temporary file whose lines are
 * checked. The setup-node and `npm ci` steps are not run: this checkout is already built.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { action, runActionStep, type ActionRun } from './helpers/action.js';
import { cleanupAll, fakeToken, gitIn, makeRepo, tempDir } from './helpers/repo.js';

afterAll(cleanupAll);

const ZEROS = '0'.repeat(40);

/** The scan step as the runner runs it (helpers/action.ts), `given` as the workflow's `with:`. */
const runAction = (workspace: string, eventName: string, payload: unknown, given: Record<string, string> = {}): ActionRun => runActionStep(workspace, eventName, payload, { inputs: given });

// origin: main = c1 (clean), c2 (a token, already on main); feature = c3 (a new token), c4 (clean).
const onMain = fakeToken();
const onFeature = fakeToken();
let c1 = '';
let c2 = '';
let c3 = '';
let c4 = '';
let clone = '';

beforeAll(() => {
  const origin = makeRepo({ files: { 'README.md': '# app\n' } });
  c1 = origin.git('rev-parse', 'HEAD').trim();
  c2 = origin.commit({ 'config/mail.yml': `postmark:\n  api_token: ${onMain}\n` }, 'mail config');
  origin.git('checkout', '-q', '-b', 'feature');
  c3 = origin.commit({ 'src/send.js': `const client = new postmark.ServerClient('${onFeature}');\n` }, 'send mail');
  c4 = origin.commit({ 'docs/notes.md': 'clean\n' }, 'notes');
  origin.git('checkout', '-q', 'main');
  // actions/checkout with fetch-depth: 0: every branch as refs/remotes/origin/*.
  clone = join(tempDir('sg-action-ws-'), 'ws');
  gitIn(origin.dir, ['clone', '-q', '--no-local', origin.dir, clone]);
  gitIn(clone, ['checkout', '-q', '--detach', c4]);
});

const repository = { default_branch: 'main' };

describe('action.yml', () => {
  it('is a composite action whose run steps name a shell, whose outputs come from the scan step, and whose scan step gets every input', () => {
    expect(action.runs.using).toBe('composite');
    for (const s of action.runs.steps) if (s.run) expect(s.shell, s.id).toBeTruthy();
    for (const [name, o] of Object.entries(action.outputs)) expect(o.value).toBe(`\${{ steps.scan.outputs.${name} }}`);
    const scanEnv = JSON.stringify(action.runs.steps.find((s) => s.id === 'scan')!.env);
    for (const name of Object.keys(action.inputs).filter((n) => n !== 'node-version')) expect(scanEnv).toContain(`inputs.${name} }}`);
    // Inputs reach the script through env, never spliced into the script's text.
    for (const s of action.runs.steps) expect(s.run ?? '').not.toMatch(/\$\{\{/);
  });
});

describe('the action, run against event payloads', () => {
  it('pull_request: scans base..head, fails on the token, writes the JSON report, SARIF and every output', () => {
    const r = runAction(clone, 'pull_request', { pull_request: { base: { sha: c2 }, head: { sha: c4 } }, repository }, { sarif: 'results.sarif' });
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain(`scanning ${c2}..${c4} (the pull request)`);
    expect(r.outputs).toMatchObject({ findings: '1', range: `${c2}..${c4}`, 'exit-code': '1', sarif: join(clone, 'results.sarif') });
    const report = JSON.parse(readFileSync(r.outputs.report!, 'utf8'));
    expect(report.findings.map((f: { file: string }) => f.file)).toEqual(['src/send.js']);
    expect(JSON.parse(readFileSync(join(clone, 'results.sarif'), 'utf8')).runs[0].results).toHaveLength(1);
    // format github: annotations in the log, redacted.
    expect(r.out).toMatch(/^::error file=src\/send\.js,line=1,/m);
    expect(r.out).not.toContain(onFeature);
  });

  it('push: to the default branch scans before..after; to another, the commits not on the default branch; fail-on none passes with the count', () => {
    const leak = runAction(clone, 'push', { ref: 'refs/heads/main', before: c1, after: c2, repository });
    expect(leak.code, leak.out).toBe(1);
    expect(leak.outputs).toMatchObject({ findings: '1', range: `${c1}..${c2}`, 'exit-code': '1' });
    // c4 is clean, but the branch still brings c3's token to main: judged as its pull request is,
    // by main's settings (c3, the branch's previous tip, is no trusted base).
    const branch = runAction(clone, 'push', { ref: 'refs/heads/feature', before: c3, after: c4, repository });
    expect(branch.code, branch.out).toBe(1);
    expect(branch.outputs).toMatchObject({ findings: '1', range: `refs/remotes/origin/main..${c4}`, 'exit-code': '1' });
    expect(JSON.parse(readFileSync(branch.outputs.report!, 'utf8')).findings[0].file).toBe('src/send.js');
    const tolerated = runAction(clone, 'push', { ref: 'refs/heads/main', before: c1, after: c2, repository }, { 'fail-on': 'none', format: 'text' });
    expect(tolerated.code, tolerated.out).toBe(0);
    expect(tolerated.outputs).toMatchObject({ findings: '1', 'exit-code': '0' });
  });

  it("pull_request: with fail-on unset, the base's failOn decides; the input, when set, overrides it", () => {
    const repo = makeRepo({ files: { '.secret-guard.json': '{ "failOn": "warning" }\n', 'README.md': '# app\n' } });
    const base = repo.git('rev-parse', 'HEAD').trim();
    // A placeholder in a hardcoded client call: a warning, never an error.
    const head = repo.commit({ 'config/services.php': "<?php\nreturn ['postmark' => ['token' => env('POSTMARK_TOKEN', 'your-postmark-token')]];\n" }, 'services');
    const pr = { pull_request: { base: { sha: base }, head: { sha: head } }, repository };
    const byBase = runAction(repo.dir, 'pull_request', pr, { format: 'text' });
    expect(byBase.code, byBase.out).toBe(1);
    expect(byBase.outputs).toMatchObject({ findings: '1', 'exit-code': '1' });
    const byInput = runAction(repo.dir, 'pull_request', pr, { format: 'text', 'fail-on': 'error' });
    expect(byInput.code, byInput.out).toBe(0);
  });

  it('a new branch (all-zero before): scans the commits not on the default branch, not main\'s old token', () => {
    const r = runAction(clone, 'push', { ref: 'refs/heads/feature', before: ZEROS, after: c4, created: true, repository });
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain('a new branch: the commits not on main');
    expect(r.outputs).toMatchObject({ findings: '1', range: `refs/remotes/origin/main..${c4}` });
    expect(JSON.parse(readFileSync(r.outputs.report!, 'utf8')).findings[0].file).toBe('src/send.js');
  });

  it('the first push of the default branch scans every commit it holds against an empty base; a run with no range in its event, the whole history', () => {
    const first = runAction(clone, 'push', { ref: 'refs/heads/main', before: ZEROS, after: c2, created: true, repository });
    // c1 and c2, what the push brings; not the feature branch's token.
    expect(first.outputs).toMatchObject({ findings: '1', 'exit-code': '1' });
    expect(first.outputs.range).toMatch(new RegExp(`^[0-9a-f]{40}\\.\\.${c2}$`));
    expect(first.out).toContain('it is the default branch: every commit it holds, against an empty base');
    const manual = runAction(clone, 'workflow_dispatch', { repository });
    expect(manual.outputs).toMatchObject({ range: 'history', findings: '2' });
  });

  it('a force push to another branch needs no old tip: the commits not on the default branch', () => {
    const gone = 'f'.repeat(40);
    const r = runAction(clone, 'push', { ref: 'refs/heads/feature', before: gone, after: c4, forced: true, repository });
    expect(r.outputs).toMatchObject({ range: `refs/remotes/origin/main..${c4}`, findings: '1' });
    expect(r.out).toContain('(the push to refs/heads/feature, not the default branch: the commits not on main');
  });

  it('a deleted branch scans nothing and passes; the range input overrides the payload', () => {
    const deleted = runAction(clone, 'push', { ref: 'refs/heads/feature', before: c4, after: ZEROS, deleted: true, repository });
    expect(deleted.code).toBe(0);
    expect(deleted.outputs).toMatchObject({ findings: '0', range: '' });
    const given = runAction(clone, 'pull_request', { pull_request: { base: { sha: c2 }, head: { sha: c4 } }, repository }, { range: `${c3}..${c4}` });
    expect(given.code, given.out).toBe(0);
    expect(given.outputs).toMatchObject({ range: `${c3}..${c4}`, findings: '0', 'exit-code': '0' });
  });

  it('a pull request file over the size limit with a keyword in it fails the step (exit 2) unless on-unread is accept', () => {
    const repo = makeRepo({ files: { 'README.md': '# app\n', '.secret-guard.json': '{"maxFileSize": "64kB"}' } });
    const base = repo.git('rev-parse', 'HEAD').trim();
    const head = repo.commit({ 'docs/mail.md': `Sending through Postmark\n${'-'.repeat(70_000)}\n` }, 'a long page');
    const payload = { pull_request: { base: { sha: base }, head: { sha: head } }, repository };
    const refused = runAction(repo.dir, 'pull_request', payload);
    expect(refused.code, refused.out).toBe(2);
    expect(refused.outputs).toMatchObject({ findings: '0', 'exit-code': '2' });
    expect(refused.out).toContain('secret-guard: not scanned: docs/mail.md: 70026 bytes, over --max-file-size (a rule keyword is in it)');
    const accepted = runAction(repo.dir, 'pull_request', payload, { 'on-unread': 'accept' });
    expect(accepted.code, accepted.out).toBe(0);
    expect(accepted.outputs).toMatchObject({ findings: '0', 'exit-code': '0' });
  });

  it('a scan that cannot complete (a shallow clone) is exit 2 with an empty count, not a pass', () => {
    const shallow = join(tempDir('sg-action-shallow-'), 'ws');
    gitIn(clone, ['clone', '-q', '--depth', '1', `file://${clone}`, shallow]);
    const r = runAction(shallow, 'workflow_dispatch', { repository });
    expect(r.code, r.out).toBe(2);
    expect(r.outputs).toMatchObject({ findings: '', 'exit-code': '2' });
  });
});
