/**
 * `scan --staged` judges what the commit makes, not only the lines it adds (issue 11 §3): a
 * finding is new when its rule does not report the same secret in the file's previous version
 * (HEAD's blob at the rename source, else the same path), scanned under that version's own path
 * and config. Real repositories, real `git mv`, through bin/.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { cleanupAll, fakeToken, makeRepo, type Repo } from './helpers/repo.js';
import type { JsonReport } from './helpers/report.js';

afterAll(cleanupAll);

function staged(repo: Repo) {
  const r = cli(['scan', '--staged', '--format', 'json', '--show-secrets'], repo.dir);
  if (r.code === 2) throw new Error(`scan --staged failed: ${r.stderr}`);
  const json = JSON.parse(r.stdout) as JsonReport;
  return { code: r.code, json, findings: json.findings.map((f) => `${f.file}:${f.line}:${f.ruleId}`) };
}

describe('scan --staged: a change that puts an existing value into a Postmark context', () => {
  it('a pure `git mv` into a file named for Postmark fails; the same move between neutral names passes', () => {
    const repo = makeRepo({ files: { 'config/mail.yml': `api_token: ${fakeToken()}\nfrom: ops@example.com\n`, 'config/other.yml': `api_token: ${fakeToken()}\n` } });
    expect(cli(['scan', 'config'], repo.dir).code).toBe(0); // no Postmark context yet
    repo.git('mv', 'config/mail.yml', 'config/postmark.yml');
    expect(repo.git('diff', '--cached', '--name-status', '-M')).toMatch(/^R100\tconfig\/mail\.yml\tconfig\/postmark\.yml$/m);
    const r = staged(repo);
    expect(r.code).toBe(1);
    expect(r.findings).toEqual(['config/postmark.yml:1:postmark-server-token']);

    repo.git('reset', '-q', '--hard');
    repo.git('mv', 'config/other.yml', 'config/settings.yml');
    expect(staged(repo)).toMatchObject({ code: 0, findings: [] });
  });

  it('a renamed INI section header above an untouched token fails', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'settings.ini': `[other]\nserver_token = ${token}\ntimeout = 30\n` } });
    repo.write({ 'settings.ini': `[postmark]\nserver_token = ${token}\ntimeout = 30\n` });
    repo.git('add', '-A');
    expect(repo.git('diff', '--cached', '-U0')).not.toMatch(/^\+server_token/m);
    const r = staged(repo);
    expect(r.code).toBe(1);
    expect(r.findings).toEqual(['settings.ini:2:postmark-server-token']);
  });

  it('a changed YAML parent key above an untouched token fails', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'config/app.yml': `mailer:\n  other:\n    api_key: ${token}\n    region: eu\n` } });
    repo.write({ 'config/app.yml': `mailer:\n  postmark:\n    api_key: ${token}\n    region: eu\n` });
    repo.git('add', '-A');
    const r = staged(repo);
    expect(r.code).toBe(1);
    expect(r.findings).toEqual(['config/app.yml:3:postmark-server-token']);
  });

  it('a move out of a folder the config ignores fails; a move within it passes', () => {
    const repo = makeRepo({
      files: {
        '.secret-guard.json': '{"ignorePaths": ["fixtures/**"]}',
        'fixtures/app.env.txt': `POSTMARK_SERVER_TOKEN=${fakeToken()}\n`,
        'fixtures/other.env.txt': `POSTMARK_SERVER_TOKEN=${fakeToken()}\n`,
      },
    });
    repo.git('mv', 'fixtures/other.env.txt', 'fixtures/moved.env.txt');
    expect(staged(repo).code).toBe(0);
    repo.git('reset', '-q', '--hard');
    repo.git('mv', 'fixtures/app.env.txt', 'app.env.txt');
    const r = staged(repo);
    expect(r.code).toBe(1);
    expect(r.findings).toEqual(['app.env.txt:1:postmark-server-token']);
  });
});

describe('scan --staged: what the commit adds, and what it leaves alone', () => {
  it('an old token on a line the change touches passes; a new token beside it fails, alone', () => {
    const old = fakeToken();
    const added = fakeToken();
    const repo = makeRepo({ files: { 'deploy/app.env.txt': `A=1\nPOSTMARK_SERVER_TOKEN=${old}\nB=2\n` } });
    // The line holding the old token is rewritten (a comment added), its token is not new.
    repo.write({ 'deploy/app.env.txt': `A=1\nPOSTMARK_SERVER_TOKEN=${old} # rotate in May\nB=2\n` });
    repo.git('add', '-A');
    expect(staged(repo)).toMatchObject({ code: 0, findings: [] });
    repo.write({ 'deploy/app.env.txt': `A=1\nPOSTMARK_SERVER_TOKEN=${old} # rotate in May\nPOSTMARK_ACCOUNT_TOKEN=${added}\nB=2\n` });
    repo.git('add', '-A');
    const r = staged(repo);
    expect(r.code).toBe(1);
    expect(r.json.findings.map((f) => [f.line, f.ruleId, f.match])).toEqual([[3, 'postmark-account-token', added]]);
  });

  it('a token moved within a file, or copied to a second line of it, is not new', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'app.env.txt': `POSTMARK_SERVER_TOKEN=${token}\nA=1\nB=2\n` } });
    repo.write({ 'app.env.txt': `A=1\nB=2\nPOSTMARK_SERVER_TOKEN=${token}\nPOSTMARK_API_TOKEN=${token}\n` });
    repo.git('add', '-A');
    expect(staged(repo)).toMatchObject({ code: 0, findings: [] });
  });

  it('the same token in a new file is new there', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'a.env.txt': `POSTMARK_SERVER_TOKEN=${token}\n` } });
    repo.write({ 'b.env.txt': `# copied\nPOSTMARK_SERVER_TOKEN=${token}\n` });
    repo.git('add', '-A');
    expect(staged(repo).findings).toEqual(['b.env.txt:2:postmark-server-token']);
  });

  it('a token whose inline allow is removed is new', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'app.env.txt': `# secret-guard:allow test fixture\nPOSTMARK_SERVER_TOKEN=${token}\n` } });
    repo.write({ 'app.env.txt': `# fixture\nPOSTMARK_SERVER_TOKEN=${token}\n` });
    repo.git('add', '-A');
    expect(staged(repo).findings).toEqual(['app.env.txt:2:postmark-server-token']);
  });

  it('a UTF-16LE file: a token line added deep in the file is found, the old one is not', () => {
    // U+010A has a 0x0A byte: git counts a line there, the text has none, so git's line
    // numbers drift one per such character from the scanner's.
    const old = fakeToken();
    const added = fakeToken();
    const utf16le = (s: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
    const head = Array.from({ length: 40 }, (_, i) => `# Ċ section ${i} Ċ\n`).join('');
    const repo = makeRepo({ files: { 'win.env.txt': utf16le(`POSTMARK_SERVER_TOKEN=${old}\n${head}A=1\n`) } });
    repo.write({ 'win.env.txt': utf16le(`POSTMARK_SERVER_TOKEN=${old}\n${head}A=1\nPOSTMARK_ACCOUNT_TOKEN=${added}\n`) });
    repo.git('add', '-A');
    const r = staged(repo);
    expect(r.code).toBe(1);
    expect(r.json.findings.map((f) => [f.file, f.line, f.match])).toEqual([['win.env.txt', 43, added]]);
  });
});
