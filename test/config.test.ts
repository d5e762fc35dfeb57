/** Config files: found walking up, every key honoured, every error exit 2 naming file and key. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { cliAsync } from './helpers/cli-async.js';
import { cleanupAll, fakeToken, makeRepo, tempDir } from './helpers/repo.js';
import { loadConfig } from '../src/config/load.js';

afterAll(cleanupAll);

describe('config file', () => {
  it('is found walking up from a subfolder, in YAML too', () => {
    const repo = makeRepo({ files: { '.secret-guard.yml': 'disabledRules:\n  - dotenv-not-ignored\n', 'sub/.env': 'A=1\n' } });
    expect(cli(['scan'], join(repo.dir, 'sub')).code).toBe(0);
    expect(cli(['scan', '--no-config'], join(repo.dir, 'sub')).code).toBe(1);
  });

  it('applies severity overrides and failOn', () => {
    const repo = makeRepo({ files: { '.secret-guard.json': '{"severity": {"dotenv-not-ignored": "warning"}}', '.env': 'A=1\n' } });
    expect(cli(['scan'], repo.dir).code).toBe(0);
    repo.write({ '.secret-guard.json': '{"severity": {"dotenv-not-ignored": "warning"}, "failOn": "warning"}' });
    expect(cli(['scan'], repo.dir).code).toBe(1);
  });

  it('runs custom rules whose examples check out', () => {
    const cfg = {
      rules: [
        {
          id: 'internal-mail-key',
          pattern: 'MAILKEY-(?<secret>[A-Z0-9]{20})',
          keywords: ['MAILKEY-'],
          severity: 'error',
          description: 'Our internal mail relay key.',
          examples: ['relay_key = "MAILKEY-ABCDEFGHIJ0123456789"'],
          negativeExamples: ['relay_key = "MAILKEY-short"'],
        },
      ],
    };
    const repo = makeRepo({ files: { '.secret-guard.json': JSON.stringify(cfg), 'relay.ini': 'key = MAILKEY-QWERTYUIOP0987654321\n' } });
    const r = cli(['scan', '--format', 'json'], repo.dir);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings[0]).toMatchObject({ ruleId: 'internal-mail-key', file: 'relay.ini', match: 'QWER…' });
    expect(cli(['rules', '--format', 'json'], repo.dir).stdout).toContain('internal-mail-key');
  });

  it.each([
    ['{ not json', /not valid JSON/],
    ['{"ignorePath": []}', /`ignorePath` is not a known key/],
    ['{"severity": {"postmark-server-token": "high"}}', /`severity\.postmark-server-token` must be one of/],
    ['{"maxFileSize": "lots"}', /`maxFileSize` must be a size/],
    ['{"failOn": "never"}', /`failOn`/],
    ['{"rules": [{"id": "x-key", "pattern": "XKEY[0-9]{4}", "examples": ["nothing here"], "negativeExamples": ["nope"]}]}', /example 1 .* is not found/],
    ['{"rules": [{"id": "x-key", "pattern": "([", "examples": ["a"], "negativeExamples": ["b"]}]}', /rules\[0\]\.pattern/],
  ])('rejects %s with exit 2, naming the file and key', (text, message) => {
    const repo = makeRepo({ files: { '.secret-guard.json': text, 'a.txt': 'x\n' } });
    const r = cli(['scan'], repo.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('.secret-guard.json');
    expect(r.stderr).toMatch(message);
  });

  it('rejects invalid YAML and a missing --config file', () => {
    const repo = makeRepo({ files: { '.secret-guard.yml': 'ignorePaths: [unclosed\n', 'a.txt': 'x\n' } });
    expect(cli(['scan'], repo.dir).stderr).toMatch(/not valid YAML/);
    mkdirSync(join(repo.dir, 'other'));
    expect(cli(['scan', '--config', 'missing.json'], repo.dir).code).toBe(2);
  });

  it('lists rules with id, severity and description', () => {
    const repo = makeRepo({ files: { 'a.txt': `x ${fakeToken()}\n` } });
    const text = cli(['rules'], repo.dir).stdout;
    expect(text).toMatch(/^postmark-server-token\s+error\s+A Postmark Server API token/m);
    const json = JSON.parse(cli(['rules', '--format', 'json'], repo.dir).stdout);
    expect(json.rules.map((r: { id: string }) => r.id)).toContain('postmark-smtp-token');
  });

  it('a config that is a link, a FIFO, a device or over 1 MiB is exit 2 at once, quoting none of it', async () => {
    const token = fakeToken();
    const holder = join(tempDir('sg-elsewhere-'), 'settings.json');
    writeFileSync(holder, `{"ignorePaths": ["${token}"]}`);
    const link = makeRepo({ files: { 'a.txt': 'x\n' } });
    symlinkSync(holder, join(link.dir, '.secret-guard.json'));
    const fifo = makeRepo({ files: { 'a.txt': 'x\n' } });
    execFileSync('mkfifo', [join(fifo.dir, '.secret-guard.yml')]);
    const big = makeRepo({ files: { 'a.txt': 'x\n' } });
    writeFileSync(join(big.dir, '.secret-guard.json'), `{"ignorePaths": [${Array(30000).fill(`"${token}"`).join(',')}]}`);
    const cases: Array<[string, string, string[], RegExp]> = [
      ['found as a link', link.dir, [], /config file .*\.secret-guard\.json is a symbolic link, so it was not read\nLinks are not followed/],
      ['named as a link', link.dir, ['--config', '.secret-guard.json'], /is a symbolic link, so it was not read/],
      ['a FIFO', fifo.dir, [], /config file .*\.secret-guard\.yml is a FIFO, so it was not read/],
      ['a device', big.dir, ['--config', '/dev/zero'], /config file \/dev\/zero is a device, so it was not read/],
      ['over 1 MiB', big.dir, [], /config file .*\.secret-guard\.json is \d+ bytes, over the 1 MiB limit for settings files, so it was not read/],
    ];
    // A FIFO or a device read by mistake would block or never end: those runs get a process of their
    // own with a time limit, so a regression fails the test instead of hanging it; the rest run in-process.
    const runs = await Promise.all(cases.map(([label, dir, extra]) => cliAsync(['scan', ...extra], dir, /FIFO|device/.test(label) ? { timeoutMs: 20000 } : {})));
    cases.forEach(([label, , , message], i) => {
      const r = runs[i]!;
      expect(r.code, label).toBe(2);
      expect(r.stderr, label).toMatch(message);
      expect(r.stdout + r.stderr, label).not.toContain(token);
      expect(r.stdout + r.stderr, label).not.toContain(token.slice(0, 8));
    });
  });

  it('origin "explicit" (a server-side gate) reads only --config, never a file in the repository', async () => {
    const repo = makeRepo({ files: { '.secret-guard.json': '{"failOn": "none"}', 'a.txt': 'x\n' } });
    expect((await loadConfig({ cwd: repo.dir, origin: { from: 'explicit' } })).failOn).toBeUndefined();
    const server = join(tempDir('sg-server-'), 'gate.json');
    writeFileSync(server, '{"failOn": "warning"}');
    expect((await loadConfig({ cwd: repo.dir, file: server, origin: { from: 'explicit' } })).failOn).toBe('warning');
    expect((await loadConfig({ cwd: repo.dir })).failOn).toBe('none');
  });
});
