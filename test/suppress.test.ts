/** The suppression layers, each against the two failure modes users report of other scanners. */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { cleanupAll, fakeToken, makeRepo } from './helpers/repo.js';

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
