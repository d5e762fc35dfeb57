/**
 * The active config file is scanned like any file: only its own custom rules' findings there are
 * dropped (their examples match them by design). A real token pasted elsewhere in it is a leak,
 * in every mode: working tree, staged, history, range. Real repositories, through bin/.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cliAsync } from './helpers/cli-async.js';
import { cleanupAll, fakeToken, makeRepo } from './helpers/repo.js';

afterAll(cleanupAll);

const rule = {
  id: 'relay-key',
  pattern: 'RELAYKEY-(?<secret>[A-Z0-9]{20})',
  keywords: ['RELAYKEY-'],
  examples: ['k = "RELAYKEY-ABCDEFGHIJ0123456789"'],
  negativeExamples: ['k = "RELAYKEY-short"'],
};

const yml = (token?: string) =>
  [
    'rules:',
    `  - id: ${rule.id}`,
    `    pattern: '${rule.pattern}'`,
    `    keywords: ['${rule.keywords[0]}']`,
    `    examples: ['${rule.examples[0]}']`,
    `    negativeExamples: ['${rule.negativeExamples[0]}']`,
    ...(token ? ['remediation:', `  secretManager: vault kv put secret/mail POSTMARK_SERVER_TOKEN=${token}`] : []),
    '',
  ].join('\n');

const files = (r: { stdout: string }) => (JSON.parse(r.stdout).findings as Array<{ file: string; ruleId: string }>).map((f) => `${f.file} ${f.ruleId}`);

describe('a token pasted into the active config', () => {
  it('is found by scan, --staged, --history and --range; the custom rule examples beside it are not', async () => {
    const repo = makeRepo({ files: { 'README.md': '# app\n', '.secret-guard.yml': yml() } });
    // The config alone, examples and all, is clean in every mode.
    for (const mode of [[], ['--history']]) {
      const r = await cliAsync(['scan', ...mode, '--format', 'json'], repo.dir);
      expect(r.code, r.stdout + r.stderr).toBe(0);
    }
    repo.git('checkout', '-q', '-b', 'pr');
    const token = fakeToken();
    repo.write({ '.secret-guard.yml': yml(token) });
    repo.git('add', '-A');
    const staged = await cliAsync(['scan', '--staged', '--format', 'json'], repo.dir);
    const worktree = await cliAsync(['scan', '--format', 'json'], repo.dir);
    repo.commit({}, 'a token in the config');
    const history = await cliAsync(['scan', '--history', '--format', 'json'], repo.dir);
    const range = await cliAsync(['scan', '--range', 'main..pr', '--format', 'json'], repo.dir);
    for (const [name, r] of Object.entries({ staged, worktree, history, range })) {
      expect(r.code, `${name}: ${r.stdout}${r.stderr}`).toBe(1);
      expect(files(r), name).toEqual(['.secret-guard.yml postmark-server-token']);
      expect(r.stdout + r.stderr).not.toContain(token);
    }
  });
});
