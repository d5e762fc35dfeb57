/**
 * The action on events whose commits it used to judge by their own settings (found by
 * test/ci-review.test.ts). Pushes that leave it no previous tip in the clone:
 * It scanned the whole history with the checkout's own .secret-guard.json and .secret-guard-ignore
 * there, the pushed commit's: a force push to the default branch, or its first push, that loosened
 * its own settings passed with a token in it. Now the previous tip is fetched from origin (GitHub
 * serves a force-pushed-over commit by its id) and the push judged by its settings; out of reach,
 * the step is exit 2 with what to do; a first push is scanned against an empty base, no settings.
 * A merge queue's run (merge_group) and a review's (pull_request_review) were the whole history by
 * the checkout's settings, the pull request's own: now the pull request's range, by the base's.
 * A pushed annotated tag on a commit already on the default branch: its message was never read.
 * pull_request_target from a fork: the head, in no branch of the clone, made every run exit 2.
 * A push to a branch other than the default one was judged by its previous tip's settings, the
 * same branch's earlier push by the same hands: now by the default branch's, the commits not on
 * it (refs/remotes/origin/<default>, in full: a pushed tag `origin/main` was taken for it).
 * Real bare origins, clones made as actions/checkout makes them (every branch and tag).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runActionStep, type ActionRun } from './helpers/action.js';
import { cli } from './helpers/cli.js';
import { cleanupAll, fakeToken, gitIn, makeRepo, tempDir } from './helpers/repo.js';

afterAll(cleanupAll);

const ZEROS = '0'.repeat(40);
const LOOSE = { '.secret-guard.json': JSON.stringify({ ignorePaths: ['**'] }) };

/** The action's scan step (helpers/action.ts), its report printed as text. */
const runAction = (ws: string, payload: object, event = 'push'): ActionRun => runActionStep(ws, event, payload, { inputs: { format: 'text' } });

/** origin with main = one clean commit. */
function origin() {
  const server = makeRepo({ bare: true });
  const dev = makeRepo({ files: { 'README.md': '# app\n' } });
  dev.git('remote', 'add', 'origin', `file://${server.dir}`);
  return { server, dev };
}

/**
 * An origin whose main is pushed, and a branch `name` on the developer's side with one commit that
 * adds a token (and `files`, e.g. loosened settings): the pull request most cases check.
 */
function withFeature(name: string, files: Record<string, string> = {}) {
  const { server, dev } = origin();
  dev.git('push', '-q', 'origin', 'main');
  const base = dev.git('rev-parse', 'HEAD').trim();
  dev.git('checkout', '-q', '-b', name);
  const token = fakeToken();
  const head = dev.commit({ ...files, 'config/mail.env.txt': `POSTMARK_SERVER_TOKEN=${token}\n` }, 'mail');
  return { server, dev, base, head, token };
}

/** actions/checkout with fetch-depth 0: every branch and tag from origin, `sha` checked out. */
function checkout(server: string, sha: string): string {
  const ws = join(tempDir('sg-ci-push-ws-'), 'ws');
  gitIn(server, ['init', '-q', ws]);
  gitIn(ws, ['remote', 'add', 'origin', `file://${server}`]);
  gitIn(ws, ['fetch', '-q', '--no-tags', 'origin', '+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*']);
  gitIn(ws, ['checkout', '-q', '--detach', sha]);
  return ws;
}

/**
 * origin's main pushed, then two pushes of a branch `feature`: the first only ignores config/**
 * (with `alsoPush`, more refspecs pushed with it), the second adds a token under config/.
 */
function loosenedFeature(alsoPush: (first: string) => string[] = () => []) {
  const { server, dev } = origin();
  dev.git('push', '-q', 'origin', 'main');
  dev.git('checkout', '-q', '-b', 'feature');
  const first = dev.commit({ '.secret-guard.json': '{"ignorePaths": ["config/**"]}\n' }, 'settings');
  dev.git('push', '-q', 'origin', 'feature', ...alsoPush(first));
  const token = fakeToken();
  const second = dev.commit({ 'config/mail.env.txt': `POSTMARK_SERVER_TOKEN=${token}\n` }, 'mail');
  dev.git('push', '-q', 'origin', 'feature');
  return { server, dev, first, second, token };
}

/**
 * main force-pushed as a history of its own that loosens its settings and adds a token. `pruned`:
 * origin has dropped the commit it held before (gc), so no fetch can bring it.
 */
function forcePushOwnHistory(pruned: boolean) {
  const { server, dev } = origin();
  dev.git('push', '-q', 'origin', 'main');
  const before = dev.git('rev-parse', 'HEAD').trim();
  dev.git('checkout', '-q', '--orphan', 'rewritten');
  const token = fakeToken();
  const after = dev.commit({ ...LOOSE, 'config/mail.env.txt': `POSTMARK_SERVER_TOKEN=${token}\n` }, 'rewritten');
  dev.git('push', '-q', '-f', 'origin', 'rewritten:main');
  if (pruned) gitIn(server.dir, ['gc', '-q', '--prune=now']);
  const ws = checkout(server.dir, after);
  return { ws, before, after, token, payload: { ref: 'refs/heads/main', before, after, forced: true, repository: { default_branch: 'main' } } };
}

describe('the action on a push with no previous tip in the clone', () => {
  it('a force push to the default branch: its previous tip is fetched from origin and the push judged by its settings, not the pushed ones', () => {
    const { ws, before, after, token, payload } = forcePushOwnHistory(false);
    expect(spawnSync('git', ['cat-file', '-e', `${before}^{commit}`], { cwd: ws }).status).not.toBe(0);
    const r = runAction(ws, payload);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain('(the push; its previous tip fetched from origin)');
    expect(r.outputs).toMatchObject({ range: `${before}..${after}`, findings: '1', 'exit-code': '1' });
    expect(r.out).not.toContain(token);
  });

  it('a force push to the default branch whose previous tip origin no longer has is exit 2 with what to do, not the whole history by the pushed settings', () => {
    const { ws, before, payload } = forcePushOwnHistory(true);
    const r = runAction(ws, payload);
    expect(r.code, r.out).toBe(2);
    expect(r.out).toContain(`its previous tip ${before.slice(0, 12)} is not in the clone (it could not be fetched from origin), and it is the default branch`);
    expect(r.out).toContain('`fetch-depth: 0`');
    expect(r.outputs).toMatchObject({ findings: '', 'exit-code': '2' });
  });

  it("the first push of the default branch is scanned against an empty base: its own settings and ignore file hide nothing", () => {
    const { server, dev } = origin();
    const token = fakeToken();
    dev.commit({ 'config/mail.env.txt': `POSTMARK_SERVER_TOKEN=${token}\n` }, 'mail');
    const ignore = cli(['scan', '--format', 'json'], dev.dir);
    const fingerprints = (JSON.parse(ignore.stdout) as { findings: Array<{ fingerprint: string }> }).findings.map((f) => f.fingerprint);
    expect(fingerprints).toHaveLength(1);
    const after = dev.commit({ ...LOOSE, '.secret-guard-ignore': `${fingerprints[0]}\n` }, 'settings');
    dev.git('push', '-q', 'origin', 'main');
    const r = runAction(checkout(server.dir, after), { ref: 'refs/heads/main', before: ZEROS, after, created: true, repository: { default_branch: 'main' } });
    expect(r.code, r.out).toBe(1);
    expect(r.outputs).toMatchObject({ findings: '1', 'exit-code': '1' });
    expect(r.out).toContain('a new branch and it is the default branch: every commit it holds, against an empty base');
    expect(r.out).not.toContain(token);
  });
});

describe('the action in a merge queue (merge_group)', () => {
  it("scans merge_group.base_sha..head_sha by the base's settings: the pull request's own hide nothing", () => {
    const { server, dev, base, token } = withFeature('feature', LOOSE);
    dev.git('checkout', '-q', 'main');
    dev.git('merge', '-q', '--no-ff', '--no-edit', 'feature');
    const head = dev.git('rev-parse', 'HEAD').trim();
    dev.git('push', '-q', 'origin', 'HEAD:refs/heads/gh-readonly-queue/main/pr-1');
    const r = runAction(checkout(server.dir, head), { action: 'checks_requested', merge_group: { base_sha: base, base_ref: 'refs/heads/main', head_sha: head, head_ref: 'refs/heads/gh-readonly-queue/main/pr-1' }, repository: { default_branch: 'main' } }, 'merge_group');
    expect(r.code, r.out).toBe(1);
    expect(r.outputs).toMatchObject({ range: `${base}..${head}`, findings: '1', 'exit-code': '1' });
    expect(r.out).toContain('(the merge queue)');
    expect(r.out).not.toContain(token);
  });
});

describe('the action on a review of a pull request (pull_request_review)', () => {
  it("scans base.sha..head.sha by the base's settings, as on pull_request: not the whole history by the merge's", () => {
    const { server, dev, base, head, token } = withFeature('feature', LOOSE);
    dev.git('push', '-q', 'origin', 'feature');
    dev.git('checkout', '-q', '--detach', base);
    dev.git('merge', '-q', '--no-ff', '--no-edit', head);
    const merge = dev.git('rev-parse', 'HEAD').trim();
    dev.git('push', '-q', 'origin', `${merge}:refs/pull/1/merge`);
    const ws = checkout(server.dir, head);
    gitIn(ws, ['fetch', '-q', 'origin', '+refs/pull/1/merge:refs/remotes/pull/1/merge']);
    gitIn(ws, ['checkout', '-q', '--detach', merge]);
    const pr = { number: 1, base: { ref: 'main', sha: base }, head: { ref: 'feature', sha: head } };
    for (const event of ['pull_request_review', 'pull_request_review_comment']) {
      const r = runAction(ws, { action: 'submitted', pull_request: pr, repository: { default_branch: 'main' } }, event);
      expect(r.code, `${event}: ${r.out}`).toBe(1);
      expect(r.outputs).toMatchObject({ range: `${base}..${head}`, findings: '1', 'exit-code': '1' });
      expect(r.out).not.toContain(token);
    }
  });
});

describe('the action on a pushed annotated tag', () => {
  it("reads the tag's message even when its commit is already on the default branch (a release)", () => {
    const { server, dev } = origin();
    dev.git('push', '-q', 'origin', 'main');
    const commit = dev.git('rev-parse', 'HEAD').trim();
    const token = fakeToken();
    dev.git('tag', '-a', 'v1', '-m', `release\n\nPOSTMARK_SERVER_TOKEN=${token}`);
    dev.git('push', '-q', 'origin', 'v1');
    const ws = checkout(server.dir, commit);
    for (const after of [commit, dev.git('rev-parse', 'v1').trim()]) {
      const r = runAction(ws, { ref: 'refs/tags/v1', before: ZEROS, after, created: true, repository: { default_branch: 'main' } });
      expect(r.code, r.out).toBe(1);
      expect(r.out).toContain('In the message of refs/tags/v1.');
      expect(r.outputs).toMatchObject({ findings: '1', 'exit-code': '1' });
      expect(JSON.parse(readFileSync(r.outputs.report!, 'utf8')).findings[0].file).toBe('<tag message>');
      expect(r.out).not.toContain(token);
    }
  });
});

describe('the action on a pushed annotated tag, with a SARIF file asked for', () => {
  it("puts the tag message's finding in the SARIF file at tag-message/<tag object>, with its rule", () => {
    const { server, dev } = origin();
    // The base's settings leave the rule out; the tag's message is read by the defaults, so the
    // SARIF file must gain the rule's description for the result to point at.
    dev.commit({ '.secret-guard.json': '{"disabledRules": ["postmark-server-token"]}\n' }, 'settings');
    dev.git('push', '-q', 'origin', 'main');
    const commit = dev.git('rev-parse', 'HEAD').trim();
    const token = fakeToken();
    dev.git('tag', '-a', 'v2', '-m', `release\n\nPOSTMARK_SERVER_TOKEN=${token}`);
    dev.git('push', '-q', 'origin', 'v2');
    const tag = dev.git('rev-parse', 'v2').trim();
    const ws = checkout(server.dir, commit);
    const r = runActionStep(ws, 'push', { ref: 'refs/tags/v2', before: ZEROS, after: tag, created: true, repository: { default_branch: 'main' } }, { inputs: { format: 'text', sarif: 'results.sarif' } });
    expect(r.code, r.out).toBe(1);
    expect(r.outputs.sarif).toBe(join(ws, 'results.sarif'));
    const text = readFileSync(r.outputs.sarif!, 'utf8');
    expect(text).not.toContain(token);
    type Result = { ruleId: string; ruleIndex: number; locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> };
    const run = JSON.parse(text).runs[0] as { results: Result[]; tool: { driver: { rules: Array<{ id: string }> } } };
    const inTag = run.results.filter((x) => x.locations[0]!.physicalLocation.artifactLocation.uri === `tag-message/${tag}`);
    expect(inTag).toHaveLength(1);
    expect(inTag[0]!.ruleId).toBe('postmark-server-token');
    expect(run.tool.driver.rules[inTag[0]!.ruleIndex]!.id).toBe('postmark-server-token');
  });
});

describe('the action on pull_request_target from a fork', () => {
  it("fetches the head, in no branch of the clone (origin has it as refs/pull/1/head), and scans base..head: not exit 2 for want of it", () => {
    const { server, dev, base, head, token } = withFeature('fork-feature');
    dev.git('push', '-q', 'origin', `${head}:refs/pull/1/head`);
    // pull_request_target checks out the base branch.
    const ws = checkout(server.dir, base);
    expect(spawnSync('git', ['cat-file', '-e', `${head}^{commit}`], { cwd: ws }).status).not.toBe(0);
    const r = runAction(ws, { action: 'synchronize', pull_request: { number: 1, base: { ref: 'main', sha: base }, head: { ref: 'fork-feature', sha: head } }, repository: { default_branch: 'main' } }, 'pull_request_target');
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain('(the pull request; fetched from origin)');
    expect(r.outputs).toMatchObject({ range: `${base}..${head}`, findings: '1', 'exit-code': '1' });
    expect(r.out).not.toContain(token);
  });
});

describe("GitHub Action, push to a feature branch: the branch's own earlier push does not configure the check", () => {
  it('the second push, bringing a token under a path the first push ignored, fails the step', () => {
    const { server, first, second } = loosenedFeature();
    const ws = join(tempDir('sg-ws-'), 'ws');
    mkdirSync(ws);
    gitIn(ws, ['clone', '-q', server.dir, '.']);
    gitIn(ws, ['checkout', '-q', second]);
    const run = runActionStep(ws, 'push', { before: first, after: second, ref: 'refs/heads/feature', repository: { default_branch: 'main' } }, { inputs: { format: 'text' } });
    expect(run.code, run.out).toBe(1);
  });

  it("an ignore file the first push added hides nothing in the second; the scan is the branch's commits not on main, by main's settings", () => {
    const { server, dev } = origin();
    dev.git('push', '-q', 'origin', 'main');
    dev.git('checkout', '-q', '-b', 'feature');
    // The fingerprint of a token before it is committed: the scan of a file outside the repository.
    const token = fakeToken();
    const scratch = tempDir('sg-fp-');
    writeFileSync(join(scratch, 'mail.env.txt'), `POSTMARK_SERVER_TOKEN=${token}\n`);
    const scanned = cli(['scan', '--format', 'json', 'mail.env.txt'], scratch);
    const fingerprints = (JSON.parse(scanned.stdout) as { findings: Array<{ fingerprint: string }> }).findings.map((f) => f.fingerprint);
    expect(fingerprints).toHaveLength(1);
    const first = dev.commit({ '.secret-guard-ignore': `${fingerprints[0]}\n` }, 'ignore');
    dev.git('push', '-q', 'origin', 'feature');
    const second = dev.commit({ 'mail.env.txt': `POSTMARK_SERVER_TOKEN=${token}\n` }, 'mail');
    dev.git('push', '-q', 'origin', 'feature');
    const r = runAction(checkout(server.dir, second), { ref: 'refs/heads/feature', before: first, after: second, repository: { default_branch: 'main' } });
    expect(r.code, r.out).toBe(1);
    expect(r.outputs).toMatchObject({ range: `refs/remotes/origin/main..${second}`, findings: '1', 'exit-code': '1' });
    expect(r.out).toContain("not the default branch: the commits not on main, by main's settings");
    expect(r.out).not.toContain(token);
  });

  it('a tag named origin/main, pushed with the branch, is not taken for the default branch: not on a new branch, not on a later push', () => {
    // git reads a short `origin/main` as refs/tags/origin/main before refs/remotes/origin/main.
    const { server, first, second, token } = loosenedFeature((first) => [`${first}:refs/tags/origin/main`]);
    const ws = checkout(server.dir, second);
    expect(gitIn(ws, ['rev-parse', 'refs/tags/origin/main']).trim()).toBe(first);
    for (const before of [first, ZEROS]) {
      const r = runAction(ws, { ref: 'refs/heads/feature', before, after: second, created: before === ZEROS, repository: { default_branch: 'main' } });
      expect(r.code, r.out).toBe(1);
      expect(r.outputs).toMatchObject({ range: `refs/remotes/origin/main..${second}`, findings: '1', 'exit-code': '1' });
      expect(r.out).not.toContain(token);
    }
  });

  it("a clone without origin/<default>, or a payload naming no default branch, is exit 2 with what to do, not before..after by the branch's own settings", () => {
    const { server, first, second } = loosenedFeature();
    // The branch alone, whole history: no origin/main.
    const ws = join(tempDir('sg-ci-push-ws-'), 'ws');
    gitIn(server.dir, ['clone', '-q', '--single-branch', '--branch', 'feature', `file://${server.dir}`, ws]);
    const r = runAction(ws, { ref: 'refs/heads/feature', before: first, after: second, repository: { default_branch: 'main' } });
    expect(r.code, r.out).toBe(2);
    expect(r.out).toContain('origin/main is not in the clone');
    expect(r.out).toContain('`fetch-depth: 0`');
    expect(r.out).toContain('git fetch origin');
    expect(r.outputs).toMatchObject({ findings: '', 'exit-code': '2' });
    // Nor when the payload does not say which branch is the default one.
    const unnamed = runAction(checkout(server.dir, second), { ref: 'refs/heads/feature', before: first, after: second });
    expect(unnamed.code, unnamed.out).toBe(2);
    expect(unnamed.out).toContain('the payload names no repository.default_branch');
  });
});
