/** The suppression layers, each against the two failure modes users report of other scanners. */
import { execFileSync } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { cliAsync } from './helpers/cli-async.js';
import { cleanupAll, fakeToken, makeRepo, tempDir } from './helpers/repo.js';

afterAll(cleanupAll);

const findings = (dir: string, extra: string[] = []) => JSON.parse(cli(['scan', '--format', 'json', ...extra], dir).stdout).findings as Array<{ fingerprint: string; line: number; file: string }>;

describe('inline secret-guard:allow', () => {
  it.each([
    ['# secret-guard:allow fixture for docs', 'x.yml'],
    ['// secret-guard:allow', 'x.ts'],
    ['<!-- secret-guard:allow: example only -->', 'x.md'],
    ['-- secret-guard:allow', 'x.sql'],
  ])('works on the line above in any comment syntax: %s', (comment, file) => {
    const repo = makeRepo({ files: { [file]: `${comment}\nPOSTMARK_SERVER_TOKEN=${fakeToken()}\n` } });
    const r = cli(['scan'], repo.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1 suppressed \(1 inline\)/);
  });

  it('on a line of its own covers the next line; after code it covers only its own line', () => {
    const [own, next, alone, below] = [fakeToken(), fakeToken(), fakeToken(), fakeToken()];
    const repo = makeRepo({ files: { 'mail.env.txt': `POSTMARK_SERVER_TOKEN=${own} # secret-guard:allow\nPOSTMARK_API_TOKEN=${next}\n  # secret-guard:allow fixture\nPOSTMARK_SERVER_TOKEN=${alone}\nPOSTMARK_API_TOKEN=${below}\n` } });
    const r = cli(['scan', '--format', 'json'], repo.dir);
    expect(r.code).toBe(1);
    const f = JSON.parse(r.stdout).findings as Array<{ line: number }>;
    // Line 2 (below a trailing allow) and line 5 (two lines below an allow) are reported.
    expect(f.map((x) => x.line)).toEqual([2, 5]);
    expect(r.stdout).not.toContain(next);
  });

  it('works on the same line', () => {
    const repo = makeRepo({ files: { '.env.test': `POSTMARK_SERVER_TOKEN=${fakeToken()} # secret-guard:allow\n` } });
    expect(cli(['scan', '--no-config'], repo.dir).stdout).toMatch(/1 suppressed/);
  });
});

describe('.secret-guard-ignore and `secret-guard ignore`', () => {
  it('silences one fingerprint; a new secret on the same line is still reported', () => {
    const first = fakeToken();
    const repo = makeRepo({ files: { 'app.env.txt': `POSTMARK_SERVER_TOKEN=${first}\n` } });
    const [f] = findings(repo.dir);
    const add = cli(['ignore', f!.fingerprint, '--reason', 'revoked in 2024'], repo.dir);
    expect(add.code).toBe(0);
    expect(readFileSync(`${repo.dir}/.secret-guard-ignore`, 'utf8')).toBe(`${f!.fingerprint}  # revoked in 2024\n`);
    expect(cli(['ignore', f!.fingerprint], repo.dir).stdout).toMatch(/already/);
    const quiet = cli(['scan'], repo.dir);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toMatch(/1 suppressed \(1 ignore-file\)/);
    repo.write({ 'app.env.txt': `POSTMARK_SERVER_TOKEN=${fakeToken()}\n` });
    expect(cli(['scan'], repo.dir).code).toBe(1);
  });

  it('rejects what is not a fingerprint, in the command and in the file', () => {
    const repo = makeRepo({ files: { 'a.txt': 'x\n' } });
    expect(cli(['ignore', 'postmark-server-token'], repo.dir).code).toBe(2);
    repo.write({ '.secret-guard-ignore': 'not-a-fingerprint\n' });
    const r = cli(['scan'], repo.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\.secret-guard-ignore:1/);
  });
});

describe('baselines', () => {
  it('report only new findings; moving a baselined line keeps it suppressed; a new secret is new', () => {
    const old = fakeToken();
    const repo = makeRepo({ files: { 'settings.env.txt': `POSTMARK_SERVER_TOKEN=${old}\n` } });
    const w = cli(['scan', '--write-baseline', '.secret-guard-baseline.json'], repo.dir);
    expect(w.code).toBe(0);
    const text = readFileSync(`${repo.dir}/.secret-guard-baseline.json`, 'utf8');
    expect(text).not.toContain(old);
    expect(text).not.toMatch(/time|date/i);
    expect(cli(['scan', '--baseline', '.secret-guard-baseline.json'], repo.dir).code).toBe(0);
    repo.write({ 'settings.env.txt': `# moved down\n\n\nPOSTMARK_SERVER_TOKEN=${old}\n` });
    const moved = cli(['scan', '--baseline', '.secret-guard-baseline.json'], repo.dir);
    expect(moved.code).toBe(0);
    expect(moved.stdout).toMatch(/1 suppressed \(1 baseline\)/);
    repo.write({ 'settings.env.txt': `POSTMARK_SERVER_TOKEN=${old}\nPOSTMARK_API_KEY=${fakeToken()}\n` });
    expect(cli(['scan', '--baseline', '.secret-guard-baseline.json'], repo.dir).code).toBe(1);
    // The same findings write the same bytes: no churn.
    cli(['scan', '--write-baseline', 'again.json'], repo.dir);
    cli(['scan', '--write-baseline', 'again2.json'], repo.dir);
    expect(readFileSync(`${repo.dir}/again.json`, 'utf8')).toBe(readFileSync(`${repo.dir}/again2.json`, 'utf8'));
  });

  it('a missing or malformed baseline is exit 2, never a silent pass', () => {
    const repo = makeRepo({ files: { 'a.txt': 'x\n', 'bad.json': '{"findings": 3}' } });
    expect(cli(['scan', '--baseline', 'nope.json'], repo.dir).code).toBe(2);
    expect(cli(['scan', '--baseline', 'bad.json'], repo.dir).code).toBe(2);
  });
});

describe('an ignore file or baseline that cannot be trusted to read', () => {
  it('a link, a FIFO, a device, over 1 MiB or broken: exit 2 at once, naming it, quoting none of it', async () => {
    const token = fakeToken();
    const elsewhere = tempDir('sg-elsewhere-');
    const holder = join(elsewhere, 'holder');
    writeFileSync(holder, `${token}\n`);
    const fp = 'a'.repeat(32);
    const repo = (files: Record<string, string> = {}) => makeRepo({ files: { 'a.txt': 'x\n', ...files } }).dir;
    const linkIgnore = repo();
    symlinkSync(holder, join(linkIgnore, '.secret-guard-ignore'));
    const fifoIgnore = repo();
    execFileSync('mkfifo', [join(fifoIgnore, '.secret-guard-ignore')]);
    const bigIgnore = repo({ '.secret-guard-ignore': `${fp}  # ${token}\n`.repeat(20000) });
    const badIgnore = repo({ '.secret-guard-ignore': `${fp}\nPOSTMARK_SERVER_TOKEN=${token}\n` });
    const plain = repo();
    symlinkSync(holder, join(plain, 'linked-baseline.json'));
    execFileSync('mkfifo', [join(plain, 'fifo-baseline.json')]);
    writeFileSync(join(plain, 'big-baseline.json'), JSON.stringify({ version: 1, findings: Array(20000).fill({ fingerprint: fp, note: token }) }));
    writeFileSync(join(plain, 'broken-baseline.json'), `{"version": 1, "findings": [${token}]}`);
    const cases: Array<[string, string, string[], RegExp]> = [
      ['ignore file as a link', linkIgnore, [], /ignore file .*\.secret-guard-ignore is a symbolic link, so it was not read/],
      ['ignore file as a FIFO', fifoIgnore, [], /ignore file .*\.secret-guard-ignore is a FIFO, so it was not read/],
      ['ignore file over 1 MiB', bigIgnore, [], /ignore file .*\.secret-guard-ignore is \d+ bytes, over the 1 MiB limit/],
      ['ignore file with a line that is not a fingerprint', badIgnore, [], /\.secret-guard-ignore:2: not a fingerprint/],
      ['baseline as a link', plain, ['--baseline', 'linked-baseline.json'], /baseline .*linked-baseline\.json is a symbolic link, so it was not read/],
      ['baseline as a FIFO', plain, ['--baseline', 'fifo-baseline.json'], /baseline .*fifo-baseline\.json is a FIFO, so it was not read/],
      ['baseline as a device', plain, ['--baseline', '/dev/zero'], /baseline \/dev\/zero is a device, so it was not read/],
      ['baseline over 1 MiB', plain, ['--baseline', 'big-baseline.json'], /baseline .*big-baseline\.json is \d+ bytes, over the 1 MiB limit/],
      ['broken baseline', plain, ['--baseline', 'broken-baseline.json'], /baseline .*broken-baseline\.json is not valid JSON: .*\(line 1, column \d+\)/],
    ];
    // A FIFO or a device read by mistake would block or never end: those runs get a process of their
    // own with a time limit, so a regression fails the test instead of hanging it; the rest run in-process.
    const runs = await Promise.all(cases.map(([label, dir, extra]) => cliAsync(['scan', ...extra], dir, /FIFO|device/.test(label) ? { timeoutMs: 20000 } : {})));
    cases.forEach(([label, , , message], i) => {
      const r = runs[i]!;
      expect(r.code, `${label}: ${r.stdout}${r.stderr}`).toBe(2);
      expect(r.stderr, label).toMatch(message);
      expect(r.stdout + r.stderr, label).not.toContain(token.slice(0, 8));
    });
  });
});
