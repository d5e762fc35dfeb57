/**
 * Review 18: ways a scan still said "nothing found" (exit 0) while a Postmark token was in what it
 * was asked to check. Each describe is one defect, shown on a real repository; each failed on the
 * commit before its fix.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, cli } from './helpers/cli.js';
import { cleanupAll, fakeToken, GIT_IDENTITY, makeRepo, tempDir } from './helpers/repo.js';
import type { HistoryFinding, JsonReport } from './helpers/report.js';

afterAll(cleanupAll);

function json(args: string[], cwd: string): JsonReport<HistoryFinding> & { code: number; stderr: string } {
  const r = cli([...args, '--format', 'json'], cwd);
  return { ...JSON.parse(r.stdout || '{}'), code: r.code, stderr: r.stderr };
}

describe('diff.relative in a git config: history and range scans from a subfolder read the whole repository', () => {
  // `git log` honours diff.relative (the user's ~/.gitconfig, or a downloaded repository's own
  // .git/config) when it runs in a subfolder: it lists only the changes below that folder. The
  // scan runs its git there, so a token at the root was never read, and the scan exited 0.
  it.each([['--history'], ['--range', 'main~1..main']])('scan %s run in docs/ finds a token committed at the root', (...mode) => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'docs/guide.md': '# guide\n' } });
    repo.commit({ 'config/mail.env.example': `POSTMARK_SERVER_TOKEN=${token}\n` }, 'mail settings');
    repo.git('config', 'diff.relative', 'true');
    const r = json(['scan', ...mode], join(repo.dir, 'docs'));
    expect(r.code, r.stderr).toBe(1);
    expect(r.findings.map((f) => f.file)).toEqual(['config/mail.env.example']);
  });
});

describe('a text file of one width with bytes of the other after it: a token in the second part is found', () => {
  // Windows PowerShell's `>` writes UTF-16LE (with a byte-order mark), and Git Bash's `echo … >>`
  // then appends ASCII: the whole file was decoded as UTF-16, the ASCII tail turned into other
  // characters. The other way, Windows PowerShell's `>>` appends UTF-16 to a UTF-8 file: with no
  // NUL in its first 8 KiB the file was read as UTF-8, the tail's NULs splitting the token. Either
  // way the token (in plain sight for `strings` or a line reader) went unread while the file
  // counted as scanned: exit 0.
  const utf16 = (text: string, bom: boolean) => Buffer.concat([bom ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0), Buffer.from(text, 'utf16le')]);
  const cases: Array<[string, (token: string) => Buffer]> = [
    ['UTF-16LE with a byte-order mark, then an ASCII line', (t) => Buffer.concat([utf16('# mail settings\r\nMAIL_FROM=ops@example.com\r\n', true), Buffer.from(`POSTMARK_SERVER_TOKEN=${t}\n`)])],
    ['8 KiB of UTF-16LE without a mark, then an ASCII line', (t) => Buffer.concat([utf16('# generated settings, do not edit by hand\n'.repeat(120), false), Buffer.from(`\nPOSTMARK_SERVER_TOKEN=${t}\n`)])],
    ['8 KiB of ASCII, then a UTF-16LE line', (t) => Buffer.concat([Buffer.from('MAIL_SETTING=value\n'.repeat(500)), utf16(`POSTMARK_SERVER_TOKEN=${t}\r\n`, false)])],
  ];
  it.each(cases)('%s: the working tree, the staged hook and the range scan each find it', (_label, content) => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'README.md': '# app\n' } });
    repo.write({ 'deploy/mail.env.example': content(token) });
    repo.git('add', '-A');
    expect(json(['scan', '--staged'], repo.dir).findings.map((f) => f.file)).toEqual(['deploy/mail.env.example']);
    repo.git('commit', '-q', '-m', 'mail settings');
    for (const args of [['scan'], ['scan', '--range', 'main~1..main']]) {
      const r = json(args, repo.dir);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(1);
      expect(r.findings.map((f) => [f.file, f.ruleId])).toEqual([['deploy/mail.env.example', 'postmark-server-token']]);
    }
  });

  it('a UTF-16 file that holds its token in UTF-16 is still read as UTF-16, at its own line', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'deploy/mail.env.example': utf16(`# mail\r\nPOSTMARK_SERVER_TOKEN=${token}\r\n`, true) } });
    const r = json(['scan'], repo.dir);
    expect(r.code, r.stderr).toBe(1);
    expect(r.findings.map((f) => [f.file, f.line])).toEqual([['deploy/mail.env.example', 2]]);
  });
});

describe('the commit-msg hook: a -m or -F message that looks like git commit -v\'s template is read whole', () => {
  // The hook cut the message at a scissors line followed by comment lines and `diff --git`, taken
  // for the template `git commit -v` writes. Given with -m or -F, git writes no template and keeps
  // that line and all after it (cleanup mode whitespace): the token below it was committed, and
  // the hook exited 0. Git runs the hook with GIT_EDITOR=: when it opened no editor.
  it('git commit -F with a look-alike template below the message is blocked; git commit -v still is not', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'README.md': '# app\n' } });
    const hook = join(repo.dir, '.git', 'hooks', 'commit-msg');
    writeFileSync(hook, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} scan --commit-msg "$1"\n`);
    chmodSync(hook, 0o755);
    const env = { ...process.env, ...GIT_IDENTITY, HOME: repo.dir, NO_COLOR: '1' };
    const commit = (args: string[], extra: Record<string, string> = {}) => spawnSync('git', ['commit', '-q', ...args], { cwd: repo.dir, env: { ...env, ...extra }, encoding: 'utf8' });
    const before = repo.git('rev-parse', 'HEAD').trim();
    const message = `fix the mailer\n# ------------------------ >8 ------------------------\n# Do not modify or remove the line above.\ndiff --git a/README.md b/README.md\nPOSTMARK_SERVER_TOKEN=${token}\n`;
    const file = join(tempDir(), 'message.txt');
    writeFileSync(file, message);
    const f = commit(['--allow-empty', '-F', file]);
    expect(f.status, f.stdout + f.stderr).toBe(1);
    expect(f.stdout + f.stderr).toContain('commit blocked');
    expect(repo.git('rev-parse', 'HEAD').trim()).toBe(before);
    // git commit -v: the staged diff below git's own scissors line is not the message.
    repo.write({ 'mail.env.example': `POSTMARK_SERVER_TOKEN=${fakeToken()}\n` });
    repo.git('add', 'mail.env.example');
    const v = commit(['-v'], { GIT_EDITOR: "sed -i -e '1s/^/add mail settings/'" });
    expect(v.status, v.stdout + v.stderr).toBe(0);
    expect(repo.git('log', '-1', '--format=%B').trim()).toBe('add mail settings');
  });
});

describe("--range: a merge's other parent is read as it is, not through a replace ref", () => {
  it('an evil merge that adds a token is still reported when a replace ref gives its other parent the same token', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'README.md': '# app\n' } });
    const base = repo.git('rev-parse', 'HEAD').trim();
    repo.git('checkout', '-q', '-b', 'side');
    repo.commit({ 'notes.md': 'side work\n' }, 'side');
    repo.git('checkout', '-q', 'main');
    repo.commit({ 'docs.md': 'main work\n' }, 'main work');
    const mainTip = repo.git('rev-parse', 'HEAD').trim();
    repo.git('checkout', '-q', 'side');
    repo.git('merge', '-q', '--no-commit', 'main');
    repo.write({ 'config/mail.env.example': `POSTMARK_SERVER_TOKEN=${token}\n` });
    repo.git('add', 'config/mail.env.example');
    repo.git('commit', '-q', '--no-edit');
    // A stand-in for main's tip whose tree holds the same token at the same path.
    repo.git('checkout', '-q', '-b', 'fake', mainTip);
    repo.commit({ 'config/mail.env.example': `POSTMARK_SERVER_TOKEN=${token}\n` }, 'fake');
    repo.git('replace', mainTip, repo.git('rev-parse', 'HEAD').trim());
    repo.git('checkout', '-q', 'side');
    const r = cli(['scan', '--range', `${base}..side`, '--format', 'json'], repo.dir);
    expect(r.code, r.stderr).toBe(1);
    expect((JSON.parse(r.stdout) as { findings: Array<{ file: string }> }).findings.map((f) => f.file)).toContain('config/mail.env.example');
  });
});
