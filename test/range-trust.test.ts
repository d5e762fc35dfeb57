/**
 * A change must not weaken its own check: in `scan --range BASE..HEAD` the settings and the
 * suppressions come from the base (or from the CI job), never from the pull request being
 * checked. Every case is a real repository with a real PR branch, scanned through bin/.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliAsync } from './helpers/cli-async.js';
import { cleanupAll, fakeToken, makeRepo, tempDir, type Repo } from './helpers/repo.js';

afterAll(cleanupAll);

const RULE = 'postmark-server-token';
const LEAK_PATH = 'config/mail.cfg';
/** What an attacker computes from the token they add: the fingerprint is rule, secret and path. */
const fingerprintOf = (token: string, path = LEAK_PATH) => createHash('sha256').update(`${RULE}\0${token}\0${path}`).digest('hex').slice(0, 32);

/** main with one harmless commit; `pr` branched from it and checked out. */
function prRepo(baseFiles: Record<string, string> = {}): Repo {
  const repo = makeRepo({ files: { 'README.md': '# app\n', ...baseFiles } });
  repo.git('checkout', '-q', '-b', 'pr');
  return repo;
}

const range = (dir: string, extra: string[] = []) => cliAsync(['scan', '--range', 'main..pr', ...extra], dir);

function expectNoToken(token: string, r: { stdout: string; stderr: string }): void {
  expect(r.stdout + r.stderr).not.toContain(token);
}

describe('--range: the pull request never configures its own check', () => {
  const weakenings: Array<[string, (token: string) => Record<string, string>]> = [
    ['a config with failOn: none', () => ({ '.secret-guard.json': '{"failOn": "none"}' })],
    ['a config ignoring every path', () => ({ '.secret-guard.json': '{"ignorePaths": ["**"]}' })],
    ['a config disabling the rule', () => ({ '.secret-guard.yml': `disabledRules:\n  - ${RULE}\n` })],
    ['a config lowering the severity', () => ({ '.secret-guard.json': `{"severity": {"${RULE}": "info"}}` })],
    ['a config with a tiny maxFileSize', () => ({ '.secret-guard.json': '{"maxFileSize": 8}' })],
  ];
  it.each(weakenings)('%s added by the PR: the range job still fails', async (_label, weaken) => {
    const token = fakeToken();
    const repo = prRepo();
    repo.commit({ [LEAK_PATH]: `POSTMARK_SERVER_TOKEN=${token}\n`, ...weaken(token) }, 'add mail settings');
    const r = await range(repo.dir, ['--format', 'json']);
    expect(r.code, r.stderr).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.findings.map((f: { file: string }) => f.file)).toEqual([LEAK_PATH]);
    expect(json.notes.join('\n')).toMatch(/changes in this range; this scan used the base's settings .*takes effect once it is merged/);
    expectNoToken(token, r);
  });

  it('the same settings on the base apply: the trusted side configures the check', async () => {
    const token = fakeToken();
    const repo = prRepo({ '.secret-guard.json': '{"failOn": "none"}' });
    repo.commit({ [LEAK_PATH]: `POSTMARK_SERVER_TOKEN=${token}\n` }, 'add mail settings');
    const r = await range(repo.dir);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(/changes in this range/);
  });

  it('a PR that loosens the base config is scanned with the base version, and says so', async () => {
    const token = fakeToken();
    const repo = prRepo({ '.secret-guard.json': '{"disabledRules": ["dotenv-not-ignored"]}' });
    repo.commit({ [LEAK_PATH]: `POSTMARK_SERVER_TOKEN=${token}\n`, '.secret-guard.json': '{"failOn": "none"}' }, 'loosen');
    const r = await range(repo.dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/the config \.secret-guard\.json changes in this range; this scan used the base's version \([0-9a-f]{12}:\.secret-guard\.json\)/);
  });

  it('--config naming a tracked file reads the base version; one outside the repository is trusted as given', async () => {
    const token = fakeToken();
    const repo = prRepo({ 'ci/secret-guard.json': '{}' });
    repo.commit({ [LEAK_PATH]: `POSTMARK_SERVER_TOKEN=${token}\n`, 'ci/secret-guard.json': '{"failOn": "none"}' }, 'loosen the CI config');
    expect((await range(repo.dir, ['--config', 'ci/secret-guard.json'])).code).toBe(1);
    const outside = join(tempDir('sg-ci-'), 'ci-config.json');
    writeFileSync(outside, '{"failOn": "none"}');
    expect((await range(repo.dir, ['--config', outside])).code).toBe(0);
  });
});

describe('--range: suppressions the change adds are shown, marked, and fail until approved', () => {
  function leakWith(extra: (token: string) => Record<string, string>, file = `POSTMARK_SERVER_TOKEN=${'%'}\n`): { repo: Repo; token: string } {
    const token = fakeToken();
    const repo = prRepo();
    repo.commit({ [LEAK_PATH]: file.replace('%', token), ...extra(token) }, 'add mail settings');
    return { repo, token };
  }

  const cases: Array<[string, () => { repo: Repo; token: string }, string[], string]> = [
    ['an ignore-file line with the token\'s fingerprint', () => leakWith((t) => ({ '.secret-guard-ignore': `${fingerprintOf(t)}  # test fixture\n` })), [], 'ignore-file'],
    [
      'a committed baseline entry',
      () => leakWith((t) => ({ '.secret-guard-baseline.json': JSON.stringify({ version: 1, findings: [{ fingerprint: fingerprintOf(t), ruleId: RULE, file: LEAK_PATH, line: 1 }] }) })),
      ['--baseline', '.secret-guard-baseline.json'],
      'baseline',
    ],
    ['an inline allow next to its own token', () => leakWith(() => ({}), '# secret-guard:allow test fixture\nPOSTMARK_SERVER_TOKEN=%\n'), [], 'inline'],
  ];

  it.each(cases)('%s: exit 1, the finding listed as suppressed by this change in every format', async (_label, make, extra, by) => {
    const { repo, token } = make();
    const text = await range(repo.dir, extra);
    expect(text.code, text.stderr).toBe(1);
    expect(text.stdout).toMatch(/^config\/mail\.cfg\n  \d+:\d+ +error/m);
    expect(text.stdout).toMatch(/suppressed by this change \(.* added in the range; not approved, so it counts\)/);
    const json = JSON.parse((await range(repo.dir, [...extra, '--format', 'json'])).stdout);
    expect(json.findings).toHaveLength(1);
    expect(json.findings[0].suppressedByChange).toMatchObject({ by, approved: false });
    const sarif = JSON.parse((await range(repo.dir, [...extra, '--format', 'sarif'])).stdout);
    expect(sarif.runs[0].results).toHaveLength(1);
    expect(sarif.runs[0].results[0].message.text).toMatch(/^\[suppressed by this change/);
    expect(sarif.runs[0].results[0].properties).toMatchObject({ suppressedByChange: by, approved: false });
    const github = await range(repo.dir, [...extra, '--format', 'github']);
    expect(github.code).toBe(1);
    expect(github.stdout).toMatch(/^::error file=config\/mail\.cfg,.*::Suppressed by this change/m);
    const gitlab = JSON.parse((await range(repo.dir, [...extra, '--format', 'gitlab'])).stdout);
    expect(gitlab.vulnerabilities).toHaveLength(1);
    expect(gitlab.vulnerabilities[0].description).toMatch(/^\[suppressed by this change/);
    for (const r of [text, github]) expectNoToken(token, r);
  });

  it('--approve-suppressions (a reviewer approved): exit 0, the finding still listed as approved', async () => {
    const { repo } = leakWith((t) => ({ '.secret-guard-ignore': `${fingerprintOf(t)}\n` }));
    const r = await range(repo.dir, ['--approve-suppressions']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/suppressed by this change \(a \.secret-guard-ignore entry added in the range; approved with --approve-suppressions\)/);
    expect(r.stdout).toMatch(/1 suppressed \(1 ignore-file\)/);
  });

  it('--approve-suppressions outside --range is a usage error', async () => {
    const repo = prRepo();
    const r = await cliAsync(['scan', '--approve-suppressions'], repo.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--approve-suppressions is for --range/);
  });

  it('an ignore entry landed on the base branch first suppresses the finding, as ever', async () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'README.md': '# app\n', '.secret-guard-ignore': `${fingerprintOf(token)}  # revoked, kept in the fixture\n` } });
    repo.git('checkout', '-q', '-b', 'pr');
    repo.commit({ [LEAK_PATH]: `POSTMARK_SERVER_TOKEN=${token}\n` }, 'add the revoked fixture');
    const r = await range(repo.dir);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/1 suppressed \(1 ignore-file\)/);
    expect(r.stdout).not.toMatch(/by this change/);
  });

  it('a baseline from outside the repository (the CI job\'s) is trusted as given', async () => {
    const { repo, token } = leakWith(() => ({}));
    const file = join(tempDir('sg-ci-'), 'baseline.json');
    writeFileSync(file, JSON.stringify({ version: 1, findings: [{ fingerprint: fingerprintOf(token), ruleId: RULE, file: LEAK_PATH, line: 1 }] }));
    const r = await range(repo.dir, ['--baseline', file]);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/1 suppressed \(1 baseline\)/);
  });
});

describe('--range: settings files read from a commit get the same refusals', () => {
  it('a committed link, an oversized ignore file or a broken config on either side: exit 2, quoting none of it', async () => {
    const token = fakeToken();
    const linked = makeRepo({ files: { 'README.md': '# app\n', 'settings.json': `{"failOn": "${token}"}` } });
    symlinkSync('settings.json', join(linked.dir, '.secret-guard.json'));
    linked.commit({}, 'config as a link');
    linked.git('checkout', '-q', '-b', 'pr');
    linked.commit({ 'a.txt': 'a\n' });
    const big = prRepo({ '.secret-guard-ignore': `${'b'.repeat(32)}  # ${token}\n`.repeat(20000) });
    big.commit({ 'a.txt': 'a\n' });
    const broken = prRepo({ '.secret-guard.json': `{"failOn": ${token}}` });
    broken.commit({ 'a.txt': 'a\n' });
    const headLink = prRepo();
    symlinkSync('/etc/hostname', join(headLink.dir, '.secret-guard-ignore'));
    headLink.commit({}, 'ignore file as a link');
    const cases: Array<[string, Repo, RegExp]> = [
      ['base config as a link', linked, /config file [0-9a-f]{12}:\.secret-guard\.json is a symbolic link, so it was not read/],
      ['base ignore file over 1 MiB', big, /ignore file [0-9a-f]{12}:\.secret-guard-ignore is \d+ bytes, over the 1 MiB limit/],
      ['base config broken', broken, /[0-9a-f]{12}:\.secret-guard\.json is not valid JSON/],
      ['head ignore file as a link', headLink, /ignore file [0-9a-f]{12}:\.secret-guard-ignore is a symbolic link/],
    ];
    for (const [label, repo, message] of cases) {
      const r = await range(repo.dir);
      expect(r.code, `${label}: ${r.stdout}${r.stderr}`).toBe(2);
      expect(r.stderr, label).toMatch(message);
      expect(r.stdout + r.stderr, label).not.toContain(token.slice(0, 8));
    }
  });
});

/** A folder whose config would silence everything, and a repository below it holding a token. */
function repoBelowConfiguredFolder(): { parent: string; dir: string } {
  const parent = tempDir('sg-parent-');
  writeFileSync(join(parent, '.secret-guard.json'), '{"ignorePaths": ["**"], "failOn": "none"}');
  const dir = join(parent, 'repo');
  mkdirSync(dir);
  execFileSync('git', ['init', '-q', dir]);
  writeFileSync(join(dir, 'mail.env'), `POSTMARK_SERVER_TOKEN=${fakeToken()}\n`);
  return { parent, dir };
}

describe('config discovery stops at the repository root', () => {
  it('a config in a parent folder (a shared /tmp, a home) never applies to a repository below it', async () => {
    const { dir } = repoBelowConfiguredFolder();
    const r = await cliAsync(['scan'], dir);
    expect(r.code, r.stdout).toBe(1);
    // From a subfolder too: the walk stops at the root, a config at the root still counts.
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'mail.env'), `POSTMARK_SERVER_TOKEN=${fakeToken()}\n`);
    expect((await cliAsync(['scan'], join(dir, 'sub'))).code).toBe(1);
    writeFileSync(join(dir, '.secret-guard.json'), '{"failOn": "none"}');
    expect((await cliAsync(['scan'], join(dir, 'sub'))).code).toBe(0);
  });

  it('a folder\'s config does not apply to a repository below it named from that folder', async () => {
    const { parent, dir } = repoBelowConfiguredFolder();
    for (const named of ['repo', 'repo/mail.env']) {
      const r = await cliAsync(['scan', named], parent);
      expect(r.code, r.stdout).toBe(1);
      expect(r.stdout).toContain('was not applied');
    }
    // A plain folder beside it is still the parent's to configure.
    mkdirSync(join(parent, 'files'));
    writeFileSync(join(parent, 'files', 'mail.env'), `POSTMARK_SERVER_TOKEN=${fakeToken()}\n`);
    expect((await cliAsync(['scan', 'files'], parent)).code).toBe(0);
  });

  it('outside a repository only the folder\'s own config counts', async () => {
    const parent = tempDir('sg-parent-');
    writeFileSync(join(parent, '.secret-guard.json'), '{"failOn": "none"}');
    const dir = join(parent, 'files');
    mkdirSync(dir);
    writeFileSync(join(dir, 'mail.env'), `POSTMARK_SERVER_TOKEN=${fakeToken()}\n`);
    expect((await cliAsync(['scan'], dir)).code).toBe(1);
    writeFileSync(join(dir, '.secret-guard.json'), '{"failOn": "none"}');
    expect((await cliAsync(['scan'], dir)).code).toBe(0);
  });
});

describe('only the active config file is exempt from scanning', () => {
  it('a deploy/.secret-guard.yml holding a token is found in the working tree, staged, history and range', async () => {
    const token = fakeToken();
    const repo = prRepo({ '.secret-guard.yml': 'failOn: error\n' });
    const file = { 'deploy/.secret-guard.yml': `postmark:\n  server_token: ${token}\n` };
    repo.write(file);
    repo.git('add', '-A');
    const staged = await cliAsync(['scan', '--staged', '--format', 'json'], repo.dir);
    repo.commit({}, 'deploy settings');
    const runs = [staged, await cliAsync(['scan', '--format', 'json'], repo.dir), await cliAsync(['scan', '--history', '--format', 'json'], repo.dir), await range(repo.dir, ['--format', 'json'])];
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(1);
      expect(JSON.parse(r.stdout).findings.map((f: { file: string }) => f.file)).toEqual(['deploy/.secret-guard.yml']);
      expectNoToken(token, r);
    }
  });
});

describe('--range: the config file itself', () => {
  const rule = (examples: string[]) => ({
    id: 'relay-key',
    pattern: 'RELAYKEY-(?<secret>[A-Z0-9]{20})',
    keywords: ['RELAYKEY-'],
    examples,
    negativeExamples: ['key = "RELAYKEY-short"'],
  });
  it('a new example of an existing custom rule is not a finding; a token the change puts in the config is', async () => {
    const repo = prRepo({ '.secret-guard.json': JSON.stringify({ rules: [rule(['k = "RELAYKEY-ABCDEFGHIJ0123456789"'])] }) });
    repo.commit({ '.secret-guard.json': JSON.stringify({ rules: [rule(['k = "RELAYKEY-ABCDEFGHIJ0123456789"', 'k = "RELAYKEY-ZYXWVUTSRQ9876543210"'])] }) }, 'another example');
    const clean = await range(repo.dir);
    expect(clean.code, clean.stdout).toBe(0);
    const token = fakeToken();
    const cfg = { rules: [rule(['k = "RELAYKEY-ABCDEFGHIJ0123456789"'])], remediation: { secretManager: `vault kv put secret/mail POSTMARK_SERVER_TOKEN=${token}` } };
    repo.commit({ '.secret-guard.json': JSON.stringify(cfg, null, 2) }, 'a token in the config');
    const r = await range(repo.dir, ['--format', 'json']);
    expect(r.code, r.stderr).toBe(1);
    expect(JSON.parse(r.stdout).findings.map((f: { file: string; ruleId: string }) => `${f.file} ${f.ruleId}`)).toEqual([`.secret-guard.json ${RULE}`]);
    expectNoToken(token, r);
  });
});

describe('--range with an empty side', () => {
  it.each([['..HEAD'], [''], ['..'], ['..pr'], [' ']])('%j is exit 2 with advice, never "nothing to scan"', async (spec) => {
    const repo = prRepo();
    repo.commit({ [LEAK_PATH]: `POSTMARK_SERVER_TOKEN=${fakeToken()}\n` });
    const r = await cliAsync(['scan', '--range', spec], repo.dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/has no base: nothing would be compared, and nothing scanned\nPass both ends, e\.g\. `--range "\$BASE_SHA\.\.\$HEAD_SHA"`.*--history/);
  });

  it('BASE.. keeps git\'s meaning, BASE..HEAD', async () => {
    const repo = prRepo();
    repo.commit({ [LEAK_PATH]: `POSTMARK_SERVER_TOKEN=${fakeToken()}\n` });
    const r = await cliAsync(['scan', '--range', 'main..', '--format', 'json'], repo.dir);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).stats.commitsScanned).toBe(1);
  });

  it('the all-zero base of a push that creates a branch is exit 2, pointing at --history', async () => {
    const repo = prRepo();
    const r = await cliAsync(['scan', '--range', `${'0'.repeat(40)}..HEAD`], repo.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/all-zero id git uses for a branch that did not exist before.*\nUse the default branch as the base \(`--range refs\/remotes\/origin\/main\.\.HEAD`,/);
  });
});
