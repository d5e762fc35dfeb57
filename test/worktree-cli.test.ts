import { afterAll, describe, expect, it } from 'vitest';
// The working-tree contract as a user meets it. The exit codes, the redaction, --show-secrets and
// standard input go through bin/ as a node process of their own (what a user's shell or hook
// starts); what the report says about the files read is the same code either way
// (cli-in-process.test.ts compares the two), so those calls run in-process.
import { cli, cliBin } from './helpers/cli.js';
import { cleanupAll, fakeToken, makeRepo, tempDir } from './helpers/repo.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

afterAll(cleanupAll);

describe('scan of the working tree, through bin/', () => {
  it('exits 0 on a clean repository and says what it read', () => {
    const repo = makeRepo({ files: { 'app.js': "const t = process.env.POSTMARK_SERVER_TOKEN;\n" } });
    const r = cliBin(['scan'], repo.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/no findings · 1 file scanned/);
  });

  it('exits 1 on a token, redacts it, and points at file:line:col', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'config/mail.yml': `mail:\n  host: smtp.postmarkapp.com\n  port: 587\n  user: apikey\n  password: ${token}\n` } });
    const r = cliBin(['scan'], repo.dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^config\/mail\.yml\n  5:13 /m);
    expect(r.stdout).toContain('postmark-server-token');
    expect(r.stdout).toContain(`${token.slice(0, 4)}…`);
    expect(r.stdout + r.stderr).not.toContain(token);
  });

  it('prints the secret only with --show-secrets', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { '.env.production': `POSTMARK_SERVER_TOKEN=${token}\n` } });
    expect(cliBin(['scan'], repo.dir).stdout).not.toContain(token);
    expect(cliBin(['scan', '--show-secrets'], repo.dir).stdout).toContain(token);
  });

  it('scans untracked files git would commit, not ignored ones', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { '.gitignore': '.env\n' } });
    repo.write({ '.env': `POSTMARK_SERVER_TOKEN=${token}\n` });
    expect(cli(['scan'], repo.dir).code).toBe(0);
    repo.write({ 'notes/todo.env': `POSTMARK_SERVER_TOKEN=${token}\n` });
    const r = cli(['scan', '--format', 'json'], repo.dir);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings.map((f: { file: string }) => f.file)).toEqual(['notes/todo.env', 'notes/todo.env']);
  });

  it('reports a tracked or unignored .env with the fix, but not a template', () => {
    const repo = makeRepo({ files: { '.env': 'DEBUG=1\n', '.env.example': 'POSTMARK_SERVER_TOKEN=\n' } });
    const r = cli(['scan', '--format', 'json'], repo.dir);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.findings).toHaveLength(1);
    expect(json.findings[0]).toMatchObject({ ruleId: 'dotenv-not-ignored', file: '.env', severity: 'error' });
    expect(json.findings[0].fix).toContain('git rm --cached');
  });

  it('writes the documented JSON shape with fingerprints that survive moving a line', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'a.env.txt': `POSTMARK_API_KEY=${token}\n` } });
    const first = JSON.parse(cli(['scan', '--format', 'json'], repo.dir).stdout);
    expect(first.version).toBe(1);
    expect(first.findings[0]).toMatchObject({ ruleId: 'postmark-server-token', severity: 'error', file: 'a.env.txt', line: 1, column: 18, endLine: 1, endColumn: 54, match: `${token.slice(0, 4)}…` });
    repo.write({ 'a.env.txt': `# moved\n\nPOSTMARK_API_KEY=${token}\n` });
    const second = JSON.parse(cli(['scan', '--format', 'json'], repo.dir).stdout);
    expect(second.findings[0].line).toBe(3);
    expect(second.findings[0].fingerprint).toBe(first.findings[0].fingerprint);
  });

  it('skips and counts binary files; a file over --max-file-size is read by its keywords, and one that holds a keyword is not read: exit 2', () => {
    const repo = makeRepo({ files: { 'logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2]), 'big.txt': 'x'.repeat(2000) } });
    // No rule keyword in its bytes or its path: it can hold no finding, so it counts as read.
    const r = cli(['scan', '--max-file-size', '1kB', '--format', 'json'], repo.dir);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const s = JSON.parse(r.stdout).stats;
    expect(s.skipped).toMatchObject({ binary: 1, tooLarge: 0 });
    expect(s.filesScanned).toBe(1);
    // A keyword in it (here as UTF-16, in the middle): not read, named, and the scan cannot pass.
    repo.write({ 'notes.txt': Buffer.concat([Buffer.from('y'.repeat(1500)), Buffer.from('Postmark', 'utf16le'), Buffer.from('y'.repeat(1500))]) });
    const refused = cli(['scan', '--max-file-size', '1kB'], repo.dir);
    expect(refused.code).toBe(2);
    expect(refused.stdout).toMatch(/2 skipped \(1 binary, 1 over --max-file-size\)/);
    expect(refused.stderr).toBe(
      'secret-guard: not scanned: notes.txt: 3016 bytes, over --max-file-size (a rule keyword is in it)\n' +
        'secret-guard: 1 file over --max-file-size not read, so the scan does not pass (exit 2): a check that cannot read a file cannot vouch for it.\n' +
        'Raise --max-file-size (or maxFileSize in .secret-guard.json), add such paths to ignorePaths, or pass --on-unread accept to accept them unread.\n',
    );
    const accepted = cli(['scan', '--max-file-size', '1kB', '--on-unread', 'accept'], repo.dir);
    expect(accepted.code).toBe(0);
    expect(accepted.stderr).toContain('secret-guard: 1 file over --max-file-size accepted unread (--on-unread accept).');
    // Read in full, the file is simply clean.
    expect(cli(['scan', '--max-file-size', '4kB'], repo.dir)).toMatchObject({ code: 0, stderr: '' });
  });

  it('scans plain folders outside a repository', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'settings.py'), `ANYMAIL = {\n    "POSTMARK_SERVER_TOKEN": "${fakeToken()}",\n}\n`);
    const r = cli(['scan', '.'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^settings\.py\n  2:\d+ /m);
  });

  it('honours --fail-on and the exit-code contract', () => {
    const repo = makeRepo({ files: { 'mailer.js': "const postmark = require('postmark')('your-api-token-here');\n" } });
    expect(cliBin(['scan'], repo.dir).code).toBe(0);
    expect(cliBin(['scan', '--fail-on', 'warning'], repo.dir).code).toBe(1);
    expect(cliBin(['scan', '--no-such-flag'], repo.dir).code).toBe(2);
    expect(cliBin(['scan', 'does/not/exist'], repo.dir).code).toBe(2);
  });

  it('excludes paths through ignorePaths in the config file', () => {
    const repo = makeRepo({ files: { '.secret-guard.json': '{"ignorePaths": ["fixtures/**"]}', 'fixtures/.env.test': `POSTMARK_SERVER_TOKEN=${fakeToken()}\n` } });
    const r = cli(['scan'], repo.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/1 ignored by config/); // the fixture (the config file itself is scanned)
  });
});

describe('what is named is read', () => {
  const files = (r: { stdout: string }) => (JSON.parse(r.stdout).findings as Array<{ file: string }>).map((f) => f.file).sort();

  it('a path git ignores, named on the command line, is scanned (a bundle with an inlined env value)', () => {
    const repo = makeRepo({ files: { '.gitignore': 'build/\n*.log\n', 'src/app.js': 'export {};\n' } });
    const t = fakeToken();
    repo.write({
      'build/bundle.js': `var e={POSTMARK_SERVER_TOKEN:"${t}"};\n`,
      'build/chunks/vendor.js': `var POSTMARK_SERVER_TOKEN="${t}";\n`,
      'src/debug.log': `POSTMARK_SERVER_TOKEN=${t}\n`,
    });
    // Not named: git ignores them, and so does the scan.
    expect(cli(['scan'], repo.dir).code).toBe(0);
    // A named ignored file, and a named ignored folder (read whole).
    const file = cli(['scan', '--format', 'json', 'build/bundle.js'], repo.dir);
    expect(file.code, file.stderr).toBe(1);
    expect(files(file)).toEqual(['build/bundle.js']);
    const folder = cli(['scan', '--format', 'json', 'build'], repo.dir);
    expect(folder.code, folder.stderr).toBe(1);
    expect(files(folder)).toEqual(['build/bundle.js', 'build/chunks/vendor.js']);
    // A named folder git does not ignore is read as git sees it: the ignored log below it is not.
    expect(cli(['scan', 'src'], repo.dir).code).toBe(0);
    expect(cli(['scan', 'src/debug.log'], repo.dir).code).toBe(1);
  });

  it('`scan -` reads standard input: a token is exit 1 at <stdin>, clean text exit 0', () => {
    const dir = tempDir('sg-stdin-');
    const t = fakeToken();
    for (const args of [['scan', '-'], ['scan', '--format', 'json', '--', '-']]) {
      const r = cliBin(args, dir, {}, `POSTMARK_SERVER_TOKEN=${t}\n`);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(1);
      expect(r.stdout).toMatch(args.includes('json') ? /"file": "<stdin>"/ : /^<stdin>\n  1:23 /m);
      expect(r.stdout).not.toContain(t);
    }
    const clean = cliBin(['scan', '-'], dir, {}, 'just some text\n');
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toMatch(/no findings · 1 file scanned/);
    // Inside a repository too, and never together with paths.
    const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    expect(cliBin(['scan', '-'], repo.dir, {}, `POSTMARK_SERVER_TOKEN=${t}\n`).code).toBe(1);
    const mixed = cliBin(['scan', '-', 'a.txt'], repo.dir, {}, '');
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/standard input\) is scanned on its own/);
  });
});
