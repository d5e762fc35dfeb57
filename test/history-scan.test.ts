import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { cleanupAll, fakeToken, gitIn, makeRepo, tempDir } from './helpers/repo.js';
import { scanHistoryJson } from './helpers/report.js';

afterAll(cleanupAll);

/** Runs `scan --history --format json`; every run also proves no token reached the output. */
const history = (dir: string, tokens: string[], ...extra: string[]) => scanHistoryJson(dir, ['--history'], tokens, extra);

const env = (token: string) => `POSTMARK_SERVER_TOKEN=${token}\n`;

describe('scan --history', () => {
  it('reports a leak once, at the commit that introduced it, with commit, author, date and holders', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'README.md': '# app\n' } });
    const introduced = repo.commit({ 'config/settings.txt': `DEBUG=1\n${env(token)}` }, 'add settings', '2024-03-01T10:00:00Z');
    repo.commit({ 'config/settings.txt': `DEBUG=0\n${env(token)}` }, 'edit another line');
    repo.commit({ 'other.txt': 'x\n' }, 'unrelated');
    const r = history(repo.dir, [token]);
    expect(r.code).toBe(1);
    expect(r.json.mode).toBe('history');
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({
      ruleId: 'postmark-server-token',
      file: 'config/settings.txt',
      line: 2,
      column: 23,
      kind: 'content',
      commit: introduced,
      author: 'Test Author <author@example.com>',
      match: `${token.slice(0, 4)}…`,
      holders: { commits: 3, refs: ['refs/heads/main'], inHead: true },
    });
    expect(r.findings[0]!.date).toMatch(/^2024-03-01T10:00:00/);
    expect(r.json.stats.commitsScanned).toBe(4);
    const text = cli(['scan', '--history'], repo.dir);
    expect(text.stdout).toMatch(/^config\/settings\.txt\n  2:23 /m);
    expect(text.stdout).toContain(introduced.slice(0, 12));
    expect(text.stdout).toMatch(/still held by 3 commits; at the tip of refs\/heads\/main; still in HEAD/);
    expect(text.stdout + text.stderr).not.toContain(token);
  });

  it('exits 0 on a clean history and says how much it read', () => {
    const repo = makeRepo({ files: { 'app.js': 'const t = process.env.POSTMARK_SERVER_TOKEN;\n' } });
    repo.commit({ 'b.txt': 'b\n' });
    const r = cli(['scan', '--history'], repo.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/no findings · 2 commits scanned · 2 blobs scanned/);
  });

  it('finds a token that exists only in a merge conflict resolution', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'settings.txt': 'POSTMARK_SERVER_TOKEN=\n' } });
    repo.git('checkout', '-q', '-b', 'side');
    repo.commit({ 'settings.txt': 'POSTMARK_SERVER_TOKEN=${SIDE}\n' }, 'side');
    repo.git('checkout', '-q', 'main');
    repo.commit({ 'settings.txt': 'POSTMARK_SERVER_TOKEN=${MAIN}\n' }, 'main');
    expect(() => repo.git('merge', '-q', 'side')).toThrow();
    repo.write({ 'settings.txt': env(token) });
    repo.git('add', 'settings.txt');
    repo.git('commit', '-q', '--no-edit');
    const merge = repo.git('rev-parse', 'HEAD').trim();
    const r = history(repo.dir, [token]);
    expect(r.code).toBe(1);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ file: 'settings.txt', commit: merge, holders: { commits: 1, inHead: true } });
  });

  it('reports a merged branch token once, at the branch commit, not again at the merge', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    repo.git('checkout', '-q', '-b', 'feature');
    const leak = repo.commit({ 'mail.txt': env(token) }, 'feature leak');
    repo.git('checkout', '-q', 'main');
    repo.commit({ 'b.txt': 'b\n' }, 'main moves on');
    repo.git('merge', '-q', '--no-ff', '--no-edit', 'feature');
    const r = history(repo.dir, [token]);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ commit: leak, holders: { commits: 2, refs: ['refs/heads/feature', 'refs/heads/main'], inHead: true } });
  });

  it('finds a token reachable only from a tag', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    repo.git('checkout', '-q', '--detach');
    const leak = repo.commit({ 'release.txt': env(token) }, 'release build');
    repo.git('tag', '-a', '-m', 'v1', 'v1.0.0');
    repo.git('checkout', '-q', 'main');
    const r = history(repo.dir, [token]);
    expect(r.code).toBe(1);
    expect(r.findings[0]).toMatchObject({ commit: leak, holders: { commits: 1, refs: ['refs/tags/v1.0.0'], inHead: false } });
  });

  it('finds a token on a branch that was never merged', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    repo.git('checkout', '-q', '-b', 'wip');
    repo.commit({ 'wip.txt': env(token) });
    repo.git('checkout', '-q', 'main');
    repo.commit({ 'b.txt': 'b\n' });
    const r = history(repo.dir, [token]);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.holders).toEqual({ commits: 1, refs: ['refs/heads/wip'], inHead: false });
  });

  it('does not report a rename as a new leak; holders follow the file', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'old/name.txt': `line one\nline two\n${env(token)}` } });
    const first = repo.git('rev-parse', 'HEAD').trim();
    repo.git('mv', 'old/name.txt', 'new name.txt');
    repo.commit({}, 'rename');
    repo.commit({ 'new name.txt': `line one\nline two changed\n${env(token)}` }, 'edit after rename');
    const r = history(repo.dir, [token]);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ file: 'old/name.txt', commit: first, holders: { commits: 3, refs: ['refs/heads/main'], inHead: true } });
  });

  it('says a leak is no longer in HEAD once deleted, and counts the commits that hold it', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    repo.commit({ 'leak.txt': env(token) });
    repo.commit({ 'b.txt': 'b\n' });
    repo.commit({ 'leak.txt': null }, 'remove the token');
    repo.commit({ 'c.txt': 'c\n' });
    const r = history(repo.dir, [token]);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]!.holders).toEqual({ commits: 2, refs: [], inHead: false });
  });

  it('reports a token removed and added again at the same path once', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'leak.txt': env(token) } });
    const first = repo.git('rev-parse', 'HEAD').trim();
    repo.commit({ 'leak.txt': 'POSTMARK_SERVER_TOKEN=\n' });
    repo.commit({ 'leak.txt': env(token) });
    const r = history(repo.dir, [token]);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ commit: first, holders: { commits: 2, inHead: true } });
  });

  it('reports the same token at two paths as two leaks', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'a.txt': env(token) } });
    repo.commit({ 'b.txt': env(token) });
    const r = history(repo.dir, [token]);
    expect(r.findings.map((f) => f.file)).toEqual(['a.txt', 'b.txt']);
  });

  it('scans every stash entry, not only the newest', () => {
    const older = fakeToken();
    const newer = fakeToken();
    const untracked = fakeToken();
    const repo = makeRepo({ files: { 'config.txt': 'POSTMARK_SERVER_TOKEN=\n' } });
    repo.write({ 'config.txt': env(older) });
    repo.git('stash', 'push', '-q', '-m', 'older');
    repo.write({ 'config.txt': `# newer\n${env(newer)}`, 'scratch.txt': env(untracked) });
    repo.git('stash', 'push', '-q', '-u', '-m', 'newer');
    expect(repo.git('stash', 'list').trim().split('\n')).toHaveLength(2);
    const r = history(repo.dir, [older, newer, untracked]);
    expect(r.code).toBe(1);
    const byMatch = new Map(r.findings.map((f) => [f.match, f]));
    expect(byMatch.get(`${older.slice(0, 4)}…`)?.holders.refs).toEqual(['stash@{1}']);
    expect(byMatch.get(`${newer.slice(0, 4)}…`)?.holders.refs).toEqual(['refs/stash']);
    expect(byMatch.get(`${untracked.slice(0, 4)}…`)?.file).toBe('scratch.txt');
    expect(r.findings).toHaveLength(3);
  });

  it('works in a bare repository and in a mirror clone', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    repo.git('checkout', '-q', '-b', 'feature');
    repo.commit({ 'mail.txt': env(token) });
    repo.git('checkout', '-q', 'main');
    const bare = join(tempDir(), 'bare.git');
    gitIn(repo.dir, ['clone', '-q', '--bare', repo.dir, bare]);
    const b = history(bare, [token]);
    expect(b.code).toBe(1);
    expect(b.findings[0]).toMatchObject({ file: 'mail.txt', holders: { refs: ['refs/heads/feature'], inHead: false } });
    const mirror = join(tempDir(), 'mirror.git');
    gitIn(repo.dir, ['clone', '-q', '--mirror', repo.dir, mirror]);
    const m = history(mirror, [token]);
    expect(m.code).toBe(1);
    expect(m.findings[0]).toMatchObject({ file: 'mail.txt', holders: { refs: ['refs/heads/feature'] } });
  });

  it('refuses a shallow clone with the fix, and scans it with --allow-shallow', () => {
    const token = fakeToken();
    const origin = makeRepo({ files: { 'a.txt': 'a\n' } });
    origin.commit({ 'leak.txt': env(token) });
    origin.commit({ 'b.txt': 'b\n' });
    const shallow = join(tempDir(), 'shallow');
    gitIn(origin.dir, ['clone', '-q', '--depth', '1', `file://${origin.dir}`, shallow]);
    const r = history(shallow, [token]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/shallow clone/);
    expect(r.stderr).toContain('fetch-depth: 0');
    expect(r.stderr).toContain('git fetch --unshallow');
    const allowed = history(shallow, [token], '--allow-shallow');
    expect(allowed.code).toBe(1);
    expect(allowed.findings[0]).toMatchObject({ file: 'leak.txt', holders: { inHead: true } });
    expect(allowed.json.notes.join('\n')).toMatch(/shallow clone scanned with --allow-shallow/);
  });

  it('reads paths with spaces, quotes, newlines and non-ASCII characters exactly', () => {
    const token = fakeToken();
    const paths = ['dir with space/my "quoted" file.txt', 'line\nbreak.txt', 'ünïcødé/配置.txt', "it's\ttabbed.txt"];
    const repo = makeRepo({ files: Object.fromEntries(paths.map((p) => [p, env(token)])) });
    const r = history(repo.dir, [token]);
    expect(r.code).toBe(1);
    expect(r.findings.map((f) => f.file).sort()).toEqual([...paths].sort());
  });

  it('reads latin-1 files and a 2 MB single-line file', () => {
    const token = fakeToken();
    const latin1 = Buffer.concat([Buffer.from('caf\xe9 r\xe9sum\xe9 \xa9\n', 'latin1'), Buffer.from(env(token))]);
    const pad = 'var a=function(b){return b+1};'.repeat(35000);
    const minified = `${pad}var c=new postmark.ServerClient("${token}");${pad}`;
    expect(minified.length).toBeGreaterThan(2_000_000);
    const repo = makeRepo({ files: { 'legacy.txt': latin1, 'dist/app.min.js': minified } });
    const r = history(repo.dir, [token]);
    expect(r.code).toBe(1);
    const byFile = Object.fromEntries(r.findings.map((f) => [f.file, f]));
    expect(byFile['legacy.txt']).toMatchObject({ line: 2, column: 23 });
    expect(byFile['dist/app.min.js']).toMatchObject({ line: 1, column: pad.length + 'var c=new postmark.ServerClient("'.length + 1 });
  });

  it('scans commit messages', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    const c = repo.commit({ 'b.txt': 'b\n' }, `Fix mail\n\nused POSTMARK_SERVER_TOKEN=${token} to test`);
    const r = history(repo.dir, [token]);
    expect(r.code).toBe(1);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ kind: 'message', file: '<commit message>', line: 3, commit: c, holders: { commits: 1, refs: ['refs/heads/main'], inHead: true } });
  });

  it('reports a committed .env file once per path, at the commit that added it', () => {
    const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    const added = repo.commit({ 'services/api/.env': 'DEBUG=1\n', '.env.example': 'POSTMARK_SERVER_TOKEN=\n' });
    repo.commit({ 'services/api/.env': 'DEBUG=0\n' });
    repo.commit({ 'services/api/.env': null });
    const r = history(repo.dir, []);
    expect(r.code).toBe(1);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ ruleId: 'dotenv-not-ignored', kind: 'path', file: 'services/api/.env', commit: added, holders: { commits: 2, refs: [], inHead: false } });
    expect(r.json.findings[0].fix).toContain('remediate');
  });

  it('skips binary and oversized blobs and counts each blob once', () => {
    const repo = makeRepo({ files: { 'logo.png': Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 1, 2]), 'big.txt': 'x'.repeat(2000) } });
    // Renamed to paths that the rules' path keywords match: the blob is still the same blob.
    repo.git('mv', 'logo.png', 'postmark-logo.png');
    repo.git('mv', 'big.txt', 'postmark_token_dump.txt');
    repo.commit({ 'c.txt': 'c\n' });
    const r = history(repo.dir, [], '--max-file-size', '1kB');
    // The big blob holds no keyword: read by its keywords at big.txt, and not read at the
    // keyword-named path, where the rules would look at what it holds. That is exit 2.
    expect(r.code).toBe(2);
    expect(r.json.stats.skipped.binary).toBe(1);
    expect(r.json.stats.skipped.tooLarge).toBe(1);
    expect(r.stderr).toContain('secret-guard: not scanned: postmark_token_dump.txt: 2000 bytes, over --max-file-size (its path names a rule keyword)\n');
    expect(r.json.stats.blobsScanned).toBe(2);
    const text = cli(['scan', '--history', '--max-file-size', '1kB'], repo.dir);
    expect(text.stdout).toMatch(/2 skipped \(1 binary, 1 over --max-file-size\)/);
    expect(text.stderr).toContain('secret-guard: 1 file version over --max-file-size not read, so the scan does not pass (exit 2)');
    expect(history(repo.dir, [], '--max-file-size', '1kB', '--on-unread', 'accept').code).toBe(0);
  });

  it('reads a text blob once per kind of path, and judges it again where its path matters', () => {
    const token = fakeToken();
    // A file holding only a token is a finding when its name says what it is, not before.
    const repo = makeRepo({ files: { 'notes/value.txt': `${token}\n`, 'a.txt': 'a\n', 'b.txt': 'b\n' } });
    repo.commit({ 'a.txt': null, 'b.txt': null, 'docs/a.txt': 'a\n', 'docs/b.txt': 'b\n' }, 'move plain files');
    const named = repo.commit({ 'notes/value.txt': null, 'secrets/postmark_server_token.txt': `${token}\n` }, 'name the secret file');
    expect(repo.git('show', '--name-status', '--format=', '-M', 'HEAD')).toMatch(/^R100/);
    const r = history(repo.dir, [token]);
    expect(r.code).toBe(1);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ file: 'secrets/postmark_server_token.txt', commit: named, line: 1, holders: { commits: 1, inHead: true } });
    expect(r.json.stats.blobsScanned).toBe(3);
  });

  it('judges a renamed blob again when only its new path carries a custom rule\'s keyword', () => {
    const rule = {
      id: 'relay-key',
      pattern: 'key = (?<secret>[A-Z0-9]{20})',
      keywords: ['relay'],
      severity: 'error',
      description: 'An internal relay key.',
      examples: ['relay key = QWERTYUIOP0987654321'],
      negativeExamples: ['relay key = short'],
    };
    const repo = makeRepo({ files: { 'notes/value.txt': 'key = ASDFGHJKLZ1234567890\n' } });
    repo.write({ '.secret-guard.json': JSON.stringify({ rules: [rule] }) });
    expect(history(repo.dir, []).code).toBe(0);
    const moved = repo.commit({ 'notes/value.txt': null, 'relay/value.txt': 'key = ASDFGHJKLZ1234567890\n' }, 'move');
    const r = history(repo.dir, []);
    expect(r.code).toBe(1);
    expect(r.findings).toMatchObject([{ ruleId: 'relay-key', file: 'relay/value.txt', commit: moved }]);
  });

  it('runs a rule whose keyword is in the messages\' name (<commit message>) on every message, the others where their keyword is', () => {
    const rule = {
      id: 'commit-key',
      pattern: 'key = (?<secret>[A-Z0-9]{20})',
      keywords: ['commit'],
      severity: 'error',
      description: 'A key named in commits.',
      examples: ['commit key = QWERTYUIOP0987654321'],
      negativeExamples: ['commit key = short'],
    };
    const token = fakeToken();
    const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    repo.write({ '.secret-guard.json': JSON.stringify({ rules: [rule] }) });
    // The first message names no keyword: its key is found by the messages' name alone. The
    // second names Postmark; the third holds a token and no keyword, so nothing is found in it.
    const keyed = repo.commit({ 'b.txt': 'b\n' }, 'deploy\n\nkey = ASDFGHJKLZ1234567890\n');
    const quoted = repo.commit({ 'c.txt': 'c\n' }, `mail\n\nPOSTMARK_SERVER_TOKEN="${token}"\n`);
    repo.commit({ 'd.txt': 'd\n' }, `plain\n\nserver token ${token}\n`);
    const r = history(repo.dir, [token]);
    expect(r.code).toBe(1);
    expect(r.findings.map((f) => [f.ruleId, f.commit]).sort()).toEqual(
      [
        ['commit-key', keyed],
        ['postmark-server-token', quoted],
      ].sort(),
    );
  });

  it('finds a token in a copy of a lockfile, which the rules pass over only as a lockfile', () => {
    const token = fakeToken();
    const lock = `{\n  "name": "app",\n  "POSTMARK_SERVER_TOKEN": "${token}"\n}\n`;
    const repo = makeRepo({ files: { 'package-lock.json': lock } });
    expect(history(repo.dir, [token]).code).toBe(0);
    const copied = repo.commit({ 'config/settings.json': lock }, 'copy it');
    const r = history(repo.dir, [token]);
    expect(r.code).toBe(1);
    expect(r.findings).toMatchObject([{ file: 'config/settings.json', commit: copied, line: 3 }]);
    expect(r.json.stats.blobsScanned).toBe(1);
  });

  it('finds a token reachable only from a remote-tracking branch', () => {
    const token = fakeToken();
    const origin = makeRepo({ files: { 'a.txt': 'a\n' } });
    origin.git('checkout', '-q', '-b', 'leaky');
    const leak = origin.commit({ 'mail.txt': env(token) }, 'leak on the remote');
    origin.git('checkout', '-q', 'main');
    const clone = join(tempDir(), 'clone');
    gitIn(origin.dir, ['clone', '-q', origin.dir, clone]);
    expect(gitIn(clone, ['branch', '--list']).trim()).toBe('* main');
    const r = history(clone, [token]);
    expect(r.code).toBe(1);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ file: 'mail.txt', commit: leak, holders: { commits: 1, refs: ['refs/remotes/origin/leaky'], inHead: false } });
  });

  it('finds a token on a lightweight tag of a commit no branch holds, and counts every holder', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    repo.git('checkout', '-q', '--detach');
    const leak = repo.commit({ 'build/env.txt': env(token) }, 'build');
    repo.commit({ 'build/notes.txt': 'n\n' }, 'more build');
    repo.git('tag', 'nightly');
    repo.git('tag', '-a', '-m', 'rc', 'rc1', leak);
    repo.git('checkout', '-q', 'main');
    expect(repo.git('branch', '--contains', leak).trim()).toBe('');
    const r = history(repo.dir, [token]);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ commit: leak, holders: { commits: 2, refs: ['refs/tags/nightly', 'refs/tags/rc1'], inHead: false } });
  });

  it('peels a tag of a tag to the commit or blob it finally names, and names it as a holder', () => {
    const onCommit = fakeToken();
    const onBlob = fakeToken();
    const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    repo.git('checkout', '-q', '--detach');
    const leak = repo.commit({ 'mail.txt': env(onCommit) }, 'leak');
    repo.git('tag', '-a', '-m', 'rc', 'rc1', leak);
    repo.git('-c', 'advice.nestedTag=false', 'tag', '-a', '-m', 'signed off', 'rc1-ok', 'rc1');
    const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: repo.dir, input: env(onBlob), encoding: 'utf8' }).trim();
    repo.git('tag', '-a', '-m', 'key', 'keys/blob', blob);
    repo.git('-c', 'advice.nestedTag=false', 'tag', '-a', '-m', 'key, again', 'keys/blob-again', 'keys/blob');
    repo.git('checkout', '-q', 'main');
    const r = history(repo.dir, [onCommit, onBlob]);
    expect(r.code).toBe(1);
    const byFile = Object.fromEntries(r.findings.map((f) => [f.file, f]));
    expect(byFile['mail.txt']).toMatchObject({ commit: leak, holders: { commits: 1, refs: ['refs/tags/rc1', 'refs/tags/rc1-ok'], inHead: false } });
    expect(Object.keys(byFile).sort()).toEqual(['mail.txt', 'refs/tags/keys/blob', 'refs/tags/keys/blob-again']);
  });

  it('reads blobs and trees that refs name without a commit', () => {
    const onlyTagged = fakeToken();
    const committed = fakeToken();
    const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    const leak = repo.commit({ 'mail.txt': env(committed) }, 'leak');
    const hash = (text: string) => execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: repo.dir, input: text, encoding: 'utf8' }).trim();
    // Like git.git's junio-gpg-pub: an annotated tag of a blob.
    repo.git('tag', '-a', '-m', 'key', 'keys/blob', hash(env(onlyTagged)));
    // A tag of a tree holding the committed file again, and a .env.
    const tree = execFileSync('git', ['mktree', '-z'], {
      cwd: repo.dir,
      input: `100644 blob ${hash(env(committed))}\tmail.txt\x00100644 blob ${hash('A=1\n')}\t.env\x00`,
      encoding: 'utf8',
    }).trim();
    repo.git('tag', 'snapshot', tree);
    const r = history(repo.dir, [onlyTagged, committed]);
    expect(r.code).toBe(1);
    const byFile = Object.fromEntries(r.findings.map((f) => [f.file, f]));
    expect(Object.keys(byFile).sort()).toEqual(['.env', 'mail.txt', 'refs/tags/keys/blob']);
    expect(byFile['refs/tags/keys/blob']).toMatchObject({ line: 1, holders: { commits: 0, refs: ['refs/tags/keys/blob'], inHead: false } });
    expect(byFile['refs/tags/keys/blob']!.commit).toBeUndefined();
    expect(byFile['mail.txt']).toMatchObject({ commit: leak, holders: { commits: 1, refs: ['refs/heads/main', 'refs/tags/snapshot'], inHead: true } });
    expect(byFile['.env']).toMatchObject({ ruleId: 'dotenv-not-ignored', holders: { commits: 0, refs: ['refs/tags/snapshot'] } });
    expect(cli(['scan', '--history'], repo.dir).stdout).toContain('held by no commit; at the tip of refs/tags/keys/blob;');
  });

  it('finds a token in a detached HEAD that no ref holds', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    repo.git('checkout', '-q', '--detach');
    const leak = repo.commit({ 'wip.txt': env(token) }, 'detached work');
    const r = history(repo.dir, [token]);
    expect(r.code).toBe(1);
    expect(r.findings).toMatchObject([{ file: 'wip.txt', commit: leak, holders: { commits: 1, refs: [], inHead: true } }]);
  });


  it("names another worktree's detached HEAD as the holder of what only it reaches, from either side", () => {
    const inLinked = fakeToken();
    const inMain = fakeToken();
    const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    const linked = join(tempDir(), 'linked wt');
    repo.git('worktree', 'add', '-q', '--detach', linked);
    writeFileSync(join(linked, 'wip.txt'), env(inLinked));
    gitIn(linked, ['add', 'wip.txt']);
    gitIn(linked, ['commit', '-q', '-m', 'work in the linked worktree']);
    // A worktree on a branch is named by its branch, not again by its HEAD.
    gitIn(linked, ['worktree', 'add', '-q', '-b', 'topic', join(tempDir(), 'on-a-branch')]);
    gitIn(linked, ['commit', '-q', '--allow-empty', '-m', 'the linked HEAD moves on; topic stays']);
    const id = readdirSync(join(repo.dir, '.git', 'worktrees')).find((d) => d.startsWith('linked'))!;
    const fromMain = history(repo.dir, [inLinked]);
    expect(fromMain.findings).toMatchObject([{ file: 'wip.txt', holders: { commits: 2, refs: ['refs/heads/topic', `worktrees/${id}/HEAD`], inHead: false } }]);
    // git resolves the name as reported.
    expect(repo.git('rev-parse', `worktrees/${id}/HEAD~1`).trim()).toBe(fromMain.findings[0]!.commit);
    repo.git('checkout', '-q', '--detach');
    repo.commit({ 'main-wip.txt': env(inMain) }, 'detached work in the main worktree');
    const fromLinked = history(linked, [inLinked, inMain]);
    const byFile = new Map(fromLinked.findings.map((f) => [f.file, f.holders]));
    expect(byFile.get('main-wip.txt')).toEqual({ commits: 1, refs: ['main-worktree/HEAD'], inHead: false });
    expect(byFile.get('wip.txt')).toEqual({ commits: 2, refs: ['refs/heads/topic'], inHead: true });
  });
  it('honours ignorePaths from the config', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { '.secret-guard.json': '{"ignorePaths": ["fixtures/**"]}\n', 'fixtures/sample.txt': env(token) } });
    const r = history(repo.dir, [token]);
    expect(r.code).toBe(0);
    expect(r.json.stats.skipped.ignoredByConfig).toBe(1); // the fixture (the config file itself is scanned)
  });

  it('applies ignorePaths to a blob that a ref names, whose path is the ref name', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { '.secret-guard.json': '{"ignorePaths": ["refs/tags/fixtures/**"]}\n' } });
    const blob = execFileSync('git', ['hash-object', '-w', '--stdin'], { cwd: repo.dir, input: env(token), encoding: 'utf8' }).trim();
    repo.git('tag', '-a', '-m', 'sample', 'fixtures/sample', blob);
    repo.git('tag', '-a', '-m', 'key', 'keys/blob', blob);
    const r = history(repo.dir, [token]);
    expect(r.code).toBe(1);
    expect(r.findings.map((f) => f.file)).toEqual(['refs/tags/keys/blob']);
    expect(r.json.stats.skipped.ignoredByConfig).toBe(1); // the tagged blob (the config file itself is scanned)
  });

  it('exits 2, naming the ref, when a ref points at an object that is not in the repository', () => {
    const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    repo.commit({ 'b.txt': 'b\n' });
    // A loose ref file written by hand (a botched copy, a half-finished fetch).
    writeFileSync(join(repo.dir, '.git', 'refs', 'heads', 'broken'), `${'1234567890'.repeat(4)}\n`);
    for (const args of [['scan', '--history'], ['scan', '--range', 'HEAD~1..HEAD']]) {
      const r = cli(args, repo.dir);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/refs\/heads\/broken points at an object that is missing from the repository.*\n.*git fsck/);
    }
    rmSync(join(repo.dir, '.git', 'refs', 'heads', 'broken'));
    // A tag object that exists, of a blob that does not.
    const tag = execFileSync('git', ['hash-object', '-t', 'tag', '-w', '--stdin', '--literally'], {
      cwd: repo.dir,
      input: `object ${'1234567890'.repeat(4)}\ntype blob\ntag key\ntagger T <t@example.com> 0 +0000\n\nkey\n`,
      encoding: 'utf8',
    }).trim();
    repo.git('update-ref', 'refs/tags/key', tag);
    const r = cli(['scan', '--history'], repo.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/refs\/tags\/key points at an object that is missing/);
  });

  it('exits 0 with a note in an empty repository', () => {
    const repo = makeRepo();
    const r = cli(['scan', '--history'], repo.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no commits yet');
  });

  it('fails with exit 2, not a clean result, when git cannot read an object', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    repo.commit({ 'leak.txt': env(token) });
    const blob = repo.git('rev-parse', 'HEAD:leak.txt').trim();
    const objects = join(repo.dir, '.git', 'objects', blob.slice(0, 2));
    for (const f of readdirSync(objects)) if (f === blob.slice(2)) rmSync(join(objects, f), { force: true });
    const r = cli(['scan', '--history'], repo.dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/secret-guard: /);
  });

  it('needs a repository', () => {
    const dir = tempDir();
    const r = cli(['scan', '--history'], dir, { GIT_CEILING_DIRECTORIES: dirname(dir) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs a git repository/);
  });
});
