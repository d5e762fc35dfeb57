/**
 * Three ways a token in plain sight passed unread (issue 11 §2): a NUL byte that makes a file
 * "binary", a symbolic link whose target text is the token, and a named path that is no file
 * (a FIFO, `<(cmd)`). Each in every mode, through bin/, on real repositories; and real binaries
 * with no rule keyword stay skipped, counted, and free of findings.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, cli } from './helpers/cli.js';
import { cliAsync } from './helpers/cli-async.js';
import { cleanupAll, fakeToken, makeRepo, tempDir, type Repo } from './helpers/repo.js';

afterAll(cleanupAll);

interface JsonReport {
  findings: Array<{ ruleId: string; file: string; line: number; column: number; match: string }>;
  stats: { filesScanned: number; skipped: Record<string, number> };
}

type Mode = 'worktree' | 'staged' | 'history' | 'range';

async function scan(repo: Repo, mode: Mode, base: string) {
  const args = { worktree: [], staged: ['--staged'], history: ['--history'], range: ['--range', `${base}..HEAD`] }[mode];
  const r = await cliAsync(['scan', ...args, '--format', 'json', '--show-secrets'], repo.dir);
  expect(r.code, `${mode}: ${r.stderr}`).not.toBe(2);
  return { code: r.code, json: JSON.parse(r.stdout) as JsonReport };
}

/** Stage, then commit, scanning in each mode as the state allows. */
async function everyMode(repo: Repo, check: (mode: Mode, r: { code: number; json: JsonReport }) => void) {
  const base = repo.git('rev-parse', 'HEAD').trim();
  check('worktree', await scan(repo, 'worktree', base));
  repo.git('add', '-A');
  check('staged', await scan(repo, 'staged', base));
  repo.git('commit', '-qm', 'add files');
  check('range', await scan(repo, 'range', base));
  check('history', await scan(repo, 'history', base));
}

const where = (r: { json: JsonReport }) => r.json.findings.map((f) => `${f.file}:${f.line}:${f.column}:${f.match}`).sort();

describe('a file judged binary (a NUL in its first 8 KiB)', () => {
  it('is read as its printable runs when it holds a rule keyword: the token is found at its own line and column', async () => {
    const t = fakeToken();
    const env = fakeToken();
    const repo = makeRepo({ files: { 'README.md': '# app\n' } });
    repo.write({
      'mail.js': Buffer.from(`// build \0\nconst c = new postmark.ServerClient("${t}");\n`),
      // A .env packed in a binary container: KEY=value survives between the NUL runs.
      'bundle.dat': Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]), Buffer.from(`\0\0REGION=eu\0POSTMARK_SERVER_TOKEN=${env}\0\xff\xfe`, 'latin1')]),
    });
    await everyMode(repo, (mode, r) => {
      expect(r.code, mode).toBe(1);
      expect(where(r), mode).toEqual([`bundle.dat:1:45:${env}`, `mail.js:2:38:${t}`].sort());
      expect(r.json.stats.skipped.binary ?? 0, mode).toBe(0);
    });
  });

  it('real binaries with no rule keyword (PNG, WOFF, an ELF executable) stay skipped and counted, with no finding', async () => {
    const repo = makeRepo({ files: { 'README.md': '# app\n' } });
    // GUIDs and random bytes in every file, but no Postmark keyword: nothing to read them for.
    const guid = Buffer.from(fakeToken());
    const png = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(8, 0), deflateSync(Buffer.concat([guid, Buffer.alloc(4096, 7)]))]);
    const woff = Buffer.concat([Buffer.from('wOFF\0\x01\0\0', 'latin1'), Buffer.alloc(40, 0), deflateSync(Buffer.concat([Buffer.from(`SERVER_TOKEN=${guid}`), Buffer.alloc(2048, 1)]))]);
    repo.write({ 'logo.png': png, 'font.woff': woff, 'tool.bin': readFileSync('/bin/true'), 'id.dat': Buffer.concat([Buffer.from('\0\0\0'), guid]) });
    await everyMode(repo, (mode, r) => {
      expect(r.code, mode).toBe(0);
      expect(r.json.findings, mode).toEqual([]);
      expect(r.json.stats.skipped.binary, mode).toBe(4);
    });
  });

  it('a binary that holds the keyword and GUIDs outside any Postmark context reports nothing', async () => {
    const repo = makeRepo({ files: { 'README.md': '# app\n' } });
    const noise = Buffer.concat([
      readFileSync('/bin/true').subarray(0, 4096),
      Buffer.from(`\0postmark\0MessageID\0${fakeToken()}\0postmark-js/4.0.2\0X-PM-Message-Id: ${fakeToken()}\0POSTMARK_API_TEST\0`),
    ]);
    repo.write({ 'libmail.so': noise });
    await everyMode(repo, (mode, r) => {
      expect(r.code, mode).toBe(0);
      expect(r.json.findings, mode).toEqual([]);
      expect(r.json.stats.filesScanned, mode).toBe(mode === 'staged' || mode === 'range' ? 1 : 2);
    });
  });
});

describe('a symbolic link', () => {
  it('is read as its target text (what git commits and a web UI shows), never followed, in every mode', async () => {
    const t = fakeToken();
    const repo = makeRepo({ files: { 'README.md': '# app\n' } });
    symlinkSync(`new postmark.ServerClient('${t}')`, join(repo.dir, 'client.js'));
    await everyMode(repo, (mode, r) => {
      expect(r.code, mode).toBe(1);
      expect(where(r), mode).toEqual([`client.js:1:28:${t}`]);
    });
  });

  it('named on the command line, is read as its target text, and the report says it was not followed', async () => {
    const t = fakeToken();
    const repo = makeRepo({ files: { 'README.md': '# app\n' } });
    symlinkSync(`new postmark.ServerClient('${t}')`, join(repo.dir, 'client.js'));
    const inRepo = await cliAsync(['scan', 'client.js'], repo.dir);
    expect(inRepo.code, inRepo.stderr).toBe(1);
    expect(inRepo.stdout).toContain('client.js is a symbolic link: its target text was scanned, the file it points to was not');
    expect(inRepo.stdout).not.toContain(t);
    const plain = tempDir('sg-plain-');
    symlinkSync(`new postmark.ServerClient('${t}')`, join(plain, 'client.js'));
    const outside = await cliAsync(['scan', 'client.js'], plain);
    expect(outside.code, outside.stderr).toBe(1);
    expect(outside.stdout).toContain('client.js is a symbolic link');
  });
});

describe('a named path that is no file', () => {
  const PIPE = /cannot scan [^\n]*\(a (symbolic link to a )?FIFO \(named pipe\)\)[^\n]*\n[^\n]*secret-guard scan -/;

  it('a FIFO is exit 2 with what to do, inside a repository and outside one', async () => {
    const repo = makeRepo({ files: { 'README.md': '# app\n' } });
    execFileSync('mkfifo', [join(repo.dir, 'p.env')]);
    const inRepo = await cliAsync(['scan', 'p.env'], repo.dir, { timeoutMs: 30_000 });
    expect(inRepo.code).toBe(2);
    expect(inRepo.stderr).toMatch(PIPE);
    const plain = tempDir('sg-plain-');
    execFileSync('mkfifo', [join(plain, 'p.env')]);
    const outside = await cliAsync(['scan', 'p.env'], plain, { timeoutMs: 30_000 });
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(PIPE);
  });

  it('`scan <(cmd)` (a /dev/fd link to a pipe) is exit 2, inside a repository and outside one', async () => {
    const repo = makeRepo({ files: { 'README.md': '# app\n' } });
    const plain = tempDir('sg-plain-');
    for (const dir of [repo.dir, plain]) {
      const r = spawnSync('bash', ['-c', `"$0" "$1" scan <(echo POSTMARK_SERVER_TOKEN=${fakeToken()})`, process.execPath, BIN], {
        cwd: dir,
        env: { ...process.env, NO_COLOR: '1', GIT_CONFIG_NOSYSTEM: '1' },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(r.status, `${dir}: ${r.stdout}`).toBe(2);
      expect(r.stderr).toMatch(PIPE);
    }
  });
});

describe('a pushed tag of a blob', () => {
  it('that is binary but holds a token beside a NUL is refused by the pre-receive hook', () => {
    const server = makeRepo({ bare: true }).dir;
    const installed = cli(['install', '--hook', 'pre-receive'], server, { HOME: server });
    expect(installed.code, installed.stderr).toBe(0);
    const client = makeRepo({ files: { 'README.md': 'hello\n' } });
    client.git('remote', 'add', 'origin', server);
    const t = fakeToken();
    const file = join(tempDir('sg-blob-'), 'blob.bin');
    writeFileSync(file, Buffer.from(`\0\0POSTMARK_SERVER_TOKEN=${t}\n`));
    const sha = client.git('hash-object', '-w', file).trim();
    client.git('tag', 'keys', sha);
    const r = spawnSync('git', ['push', 'origin', 'main', 'refs/tags/keys'], { cwd: client.dir, env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', NO_COLOR: '1', HOME: client.dir }, encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).not.toBe(0);
    expect(r.stderr).toContain('secret-guard: push refused');
    expect(r.stderr).not.toContain(t);
  });
});
