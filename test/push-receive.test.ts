/**
 * `secret-guard scan --pre-receive` as a server runs it: a real bare repository with the hook that
 * `secret-guard install --hook pre-receive` writes, and real `git push`es from a clone. Every
 * refused push leaves the server's refs as they were (checked with for-each-ref), and the pushed
 * objects never leave git's quarantine.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, cli } from './helpers/cli.js';
import { cleanupAll, copyRepo, fakeToken, gitIn, GIT_IDENTITY, makeRepo, tempDir, type Repo } from './helpers/repo.js';

afterAll(cleanupAll);

const IDENTITY = { ...GIT_IDENTITY, NO_COLOR: '1' };

interface World {
  server: string;
  client: Repo;
  refs: () => string;
  push: (...args: string[]) => { code: number; out: string };
}

/**
 * The server and clone every world starts from, made once per file: a bare server with the
 * installed hook, and a clone that has pushed one clean commit through it. A world is a copy of
 * both (a hook names no path of its server), so each test starts from the same state as if it had
 * made it, without a hook run of its own for the set-up push.
 */
let base: { server: string; client: string } | undefined;
function baseWorld(): { server: string; client: string } {
  if (base) return base;
  const server = makeRepo({ bare: true }).dir;
  const r = cli(['install', '--hook', 'pre-receive'], server, { HOME: server });
  expect(r.code, r.stderr).toBe(0);
  const client = makeRepo({ files: { 'README.md': 'hello\n', 'src/app.js': 'console.log(1)\n' } });
  client.git('remote', 'add', 'origin', server);
  const first = pushFrom(client.dir, ['main']);
  expect(first.code, first.out).toBe(0);
  base = { server, client: client.dir };
  return base;
}

function pushFrom(dir: string, args: string[]): { code: number; out: string } {
  const r = spawnSync('git', ['push', 'origin', ...args], { cwd: dir, env: { ...process.env, ...IDENTITY, HOME: dir }, encoding: 'utf8' });
  return { code: r.status ?? -1, out: r.stdout + r.stderr };
}

/** A bare server with the installed hook (or none) and a clone that has pushed one clean commit. */
function world(opts: { hook?: boolean; hookArgs?: string } = {}): World {
  const from = baseWorld();
  const server = copyRepo(from.server).dir;
  const client = copyRepo(from.client);
  client.git('remote', 'set-url', 'origin', server);
  const hook = join(server, 'hooks', 'pre-receive');
  // The same state as a server that never had the hook: installing it writes only this file.
  if (opts.hook === false) rmSync(hook);
  if (opts.hookArgs) writeFileSync(hook, readFileSync(hook, 'utf8').replace('scan --pre-receive', `scan --pre-receive ${opts.hookArgs}`));
  return { server, client, refs: () => gitIn(server, ['for-each-ref']), push: (...args: string[]) => pushFrom(client.dir, args) };
}

const envLine = (token = fakeToken()) => ({ token, text: `POSTMARK_SERVER_TOKEN=${token}\n` });

function expectRefused(r: { code: number; out: string }, token: string) {
  expect(r.code).not.toBe(0);
  expect(r.out).toContain('pre-receive hook declined');
  expect(r.out).toContain('remote: secret-guard: push refused');
  expect(r.out).toContain(`${token.slice(0, 4)}…`);
  expect(r.out).not.toContain(token);
}

describe('scan --pre-receive behind a real push', () => {
  it('accepts a clean push and says nothing', () => {
    const w = world();
    w.client.commit({ 'src/app.js': 'console.log(2)\n' }, 'clean');
    const r = w.push('main');
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('secret-guard');
    expect(w.refs()).toContain(w.client.git('rev-parse', 'HEAD').trim());
  });

  it('refuses a token on an existing branch: refs unchanged, objects left in quarantine, the pusher told ref, commit, file and what to do', () => {
    const w = world();
    const before = w.refs();
    const { token, text } = envLine();
    const sha = w.client.commit({ 'config/mail.env': text }, 'mail settings');
    const r = w.push('main');
    expectRefused(r, token);
    expect(r.out).toContain(`refs/heads/main  ${sha.slice(0, 12)}  config/mail.env:1`);
    expect(r.out).toContain('git commit --amend');
    expect(r.out).toContain('git rebase -i');
    expect(r.out).toContain('secret-guard:allow');
    expect(w.refs()).toBe(before);
    // Read through the quarantine: the refused objects never reached the server's object store.
    expect(spawnSync('git', ['cat-file', '-e', sha], { cwd: w.server }).status).not.toBe(0);
  });

  it('--show-secrets in the hook shows the pusher the secret, as scan does', () => {
    const w = world({ hookArgs: '--show-secrets' });
    const { token, text } = envLine();
    w.client.commit({ 'config/mail.env': text }, 'mail settings');
    const r = w.push('main');
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('remote: secret-guard: push refused');
    expect(r.out).toMatch(new RegExp(`config/mail\\.env:1 .*${token}`));
  });

  it('refuses a token on a new branch, and a new branch of commits the server already holds passes unread', () => {
    const w = world({ hook: false });
    // Pushed before the hook was installed: already on the server, so not this push's doing.
    const old = envLine();
    w.client.commit({ 'legacy.env.txt': old.text }, 'old leak');
    expect(w.push('main').code).toBe(0);
    expect(cli(['install', '--hook', 'pre-receive'], w.server, { HOME: w.server }).code).toBe(0);
    expect(w.push('main:refs/heads/copy').code).toBe(0);

    w.client.git('checkout', '-q', '-b', 'feature');
    const { token, text } = envLine();
    const sha = w.client.commit({ 'deploy/prod.env.txt': text }, 'prod');
    const before = w.refs();
    const r = w.push('feature');
    expectRefused(r, token);
    expect(r.out).toContain(`refs/heads/feature  ${sha.slice(0, 12)}`);
    expect(r.out).not.toContain(`${old.token.slice(0, 4)}…`);
    expect(w.refs()).toBe(before);

    // A token in a ref name is cut like any other secret in the output.
    const named = fakeToken();
    const n = w.push(`feature:refs/heads/rotate-${named}`);
    expectRefused(n, token);
    expect(n.out).toContain(`remote:   refs/heads/rotate-${named.slice(0, 4)}…`);
    expect(n.out.split('\n').filter((l) => l.startsWith('remote:')).join('\n')).not.toContain(named);
  });

  it('refuses a token in an annotated tag message and in a tagged new commit', () => {
    const w = world();
    const before = w.refs();
    const msg = fakeToken();
    w.client.git('tag', '-a', 'v1', '-m', `release\n\nPOSTMARK_API_TOKEN=${msg}`);
    const r = w.push('v1');
    expectRefused(r, msg);
    expect(r.out).toContain('refs/tags/v1');
    expect(r.out).toContain('tag message');

    // A BEGIN line the pusher writes above a token does not make the rest a signature.
    const hidden = fakeToken();
    w.client.git('tag', '-a', 'v1b', '-m', `notes\n-----BEGIN PGP SIGNATURE-----\nPOSTMARK_API_TOKEN=${hidden}\n-----END PGP SIGNATURE-----\n`);
    const f = w.push('v1b');
    expectRefused(f, hidden);
    expect(f.out).toContain('refs/tags/v1b');

    const { token, text } = envLine();
    w.client.git('checkout', '-q', '--detach');
    w.client.commit({ 'release.env.txt': text }, 'release');
    w.client.git('tag', 'v2');
    expectRefused(w.push('v2'), token);
    expect(w.refs()).toBe(before);
  });

  it('refuses a force-push that brings a token, judging only the new commits', () => {
    const w = world();
    w.client.commit({ 'src/app.js': 'console.log(3)\n' }, 'will be rewritten');
    expect(w.push('main').code).toBe(0);
    const before = w.refs();
    w.client.git('reset', '-q', '--hard', 'HEAD~1');
    const { token, text } = envLine();
    w.client.commit({ 'config/secrets.env.txt': text }, 'rewritten');
    const r = w.push('--force', 'main');
    expectRefused(r, token);
    expect(w.refs()).toBe(before);
  });

  it('refuses a merge that brings a token from a side branch, and an evil merge that adds one', () => {
    const w = world();
    const before = w.refs();
    w.client.git('checkout', '-q', '-b', 'side');
    const side = envLine();
    w.client.commit({ 'side.env.txt': side.text }, 'side');
    w.client.git('checkout', '-q', 'main');
    w.client.commit({ 'main.txt': 'x\n' }, 'main moves');
    w.client.git('merge', '-q', '--no-edit', 'side');
    expectRefused(w.push('main'), side.token);
    expect(w.refs()).toBe(before);

    // Reset to a clean merge, then amend the merge to add a token only the merge holds.
    const w2 = world();
    const before2 = w2.refs();
    w2.client.git('checkout', '-q', '-b', 'side');
    w2.client.commit({ 'side.txt': 'y\n' }, 'side');
    w2.client.git('checkout', '-q', 'main');
    w2.client.commit({ 'main.txt': 'x\n' }, 'main moves');
    w2.client.git('merge', '-q', '--no-edit', 'side');
    const evil = envLine();
    w2.client.write({ 'merged.env.txt': evil.text });
    w2.client.git('add', 'merged.env.txt');
    w2.client.git('commit', '-q', '--amend', '--no-edit');
    expectRefused(w2.push('main'), evil.token);
    expect(w2.refs()).toBe(before2);
  });

  it('reads objects as they are: a pushed refs/replace/ ref cannot swap a clean object for a tag or blob the push brings', () => {
    const w = world();
    const before = w.refs();
    // An evil annotated tag, and a clean one the client has the server hold as its replacement first.
    const msg = fakeToken();
    w.client.git('tag', '-a', 'clean', '-m', 'release notes');
    w.client.git('tag', '-a', 'v9', '-m', `release\n\nPOSTMARK_API_TOKEN=${msg}`);
    const evil = w.client.git('rev-parse', 'v9').trim();
    const clean = w.client.git('rev-parse', 'clean').trim();
    expect(w.push(`${clean}:refs/replace/${evil}`).code).toBe(0);
    const r = w.push('v9');
    expectRefused(r, msg);
    expect(r.out).toContain('tag message');

    // A lightweight tag of a blob with a token, the blob replaced by a clean one.
    const { token, text } = envLine();
    const dir = tempDir();
    writeFileSync(join(dir, 'bad'), text);
    writeFileSync(join(dir, 'good'), 'nothing here\n');
    const bad = w.client.git('hash-object', '-w', join(dir, 'bad')).trim();
    const good = w.client.git('hash-object', '-w', join(dir, 'good')).trim();
    expect(w.push(`${good}:refs/replace/${bad}`).code).toBe(0);
    expectRefused(w.push(`${bad}:refs/tags/blob-tag`), token);
    expect(w.refs()).not.toContain('refs/tags/v9');
    expect(w.refs()).not.toContain('refs/tags/blob-tag');
    expect(w.refs()).toContain(before.trim());
  });

  it('names every pushed file it could not read, and refuses the push unless the server runs it with --on-unread accept', () => {
    const w = world();
    const before = w.refs();
    // Over the limit with a rule keyword in them; vendor.js, over it with none, can hold no finding.
    const big = `// bundle: sends through Postmark\n${'x'.repeat(6 * 1024 * 1024)}\n`;
    const plain = `// vendor\n${'x'.repeat(6 * 1024 * 1024)}\n`;
    w.client.commit({ 'dist/bundle.js': big, 'dist/big.map': `${big}// map\n`, 'dist/vendor.js': plain, 'logo.bin': 'MAIL_TOKEN=\0abc\n' }, 'build output');
    const r = w.push('main');
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('remote: secret-guard: not scanned: dist/bundle.js:');
    expect(r.out).toContain('over --max-file-size');
    expect(r.out).toContain('remote: secret-guard: not scanned: dist/big.map:');
    // A binary with no rule keyword was searched: no reason to refuse; nor a big file with none.
    expect(r.out).not.toContain('logo.bin');
    expect(r.out).not.toContain('vendor.js');
    expect(r.out).toContain('remote: secret-guard: push refused: 2 pushed files could not be read');
    expect(r.out).toContain('--on-unread accept');
    expect(w.refs()).toBe(before);

    // A lightweight tag of a binary blob with no rule keyword passes: it was searched.
    const dir = tempDir();
    writeFileSync(join(dir, 'blob'), Buffer.from('89504e470d0a1a0a0000000d4948445200000001', 'hex'));
    const blob = w.client.git('hash-object', '-w', join(dir, 'blob')).trim();
    const t = w.push(`${blob}:refs/tags/blob`);
    expect(t.code, t.out).toBe(0);

    const a = world({ hookArgs: '--on-unread accept' });
    a.client.commit({ 'dist/bundle.js': big, 'dist/big.map': `${big}// map\n` }, 'build output');
    const ok = a.push('main');
    expect(ok.code, ok.out).toBe(0);
    expect(ok.out).toContain('remote: secret-guard: not scanned: dist/bundle.js:');
    expect(ok.out).toContain('remote: secret-guard: 2 files not read; the push was accepted with them unchecked (--on-unread accept)');
  });

  it('passes over a Git LFS pointer as every mode does, in a pushed commit and as a tagged blob', () => {
    const w = world({ hookArgs: '--verbose' });
    const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${'ab'.repeat(32)}\nsize 12345\n`;
    w.client.commit({ 'assets/mail-template.psd': pointer }, 'lfs asset');
    const dir = tempDir();
    writeFileSync(join(dir, 'pointer'), pointer.replace('12345', '54321'));
    const blob = w.client.git('hash-object', '-w', join(dir, 'pointer')).trim();
    const r = w.push('main', `${blob}:refs/tags/lfs-blob`);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('remote:   skipped assets/mail-template.psd: Git LFS pointer (content lives outside the repository)');
    expect(r.out).toContain('remote:   skipped refs/tags/lfs-blob: Git LFS pointer (content lives outside the repository)');
  });

  it('accepts a deletion', () => {
    const w = world();
    w.client.git('branch', 'old');
    expect(w.push('old').code).toBe(0);
    expect(w.refs()).toContain('refs/heads/old');
    const r = w.push(':old');
    expect(r.code).toBe(0);
    expect(w.refs()).not.toContain('refs/heads/old');
  });

  it('refuses every ref of a push when one of them is bad', () => {
    const w = world();
    const before = w.refs();
    w.client.commit({ 'a.txt': 'a\n' }, 'clean on main');
    w.client.git('branch', 'clean-one');
    w.client.git('checkout', '-q', '-b', 'bad');
    const { token, text } = envLine();
    w.client.commit({ 'b.env.txt': text }, 'bad');
    w.client.git('checkout', '-q', 'main');
    w.client.git('tag', 'v0');
    w.client.git('branch', 'bad-too', 'bad');
    const r = w.push('main', 'clean-one', 'bad', 'v0', 'bad-too');
    expectRefused(r, token);
    // The finding is placed on exactly the refs that bring its commit.
    expect(r.out).toMatch(/remote: {3}refs\/heads\/bad, refs\/heads\/bad-too {2}[0-9a-f]{12} {2}b\.env\.txt:1 /);
    for (const ref of ['main', 'clean-one', 'bad', 'v0', 'bad-too']) expect(r.out).toMatch(new RegExp(`\\[remote rejected\\] ${ref} -> ${ref}`));
    expect(w.refs()).toBe(before);
  });

  it('refuses by default when the time budget runs out, and accepts unchecked only when the server says so', () => {
    const w = world({ hookArgs: '--timeout 1ms' });
    const before = w.refs();
    w.client.commit({ 'src/app.js': 'console.log(4)\n' }, 'clean but slow to check');
    const r = w.push('main');
    expect(r.code).not.toBe(0);
    expect(r.out).toContain('remote: secret-guard: push refused: the scan did not finish within 1ms');
    expect(w.refs()).toBe(before);

    const a = world({ hookArgs: '--timeout 1ms --on-timeout accept' });
    a.client.commit({ 'src/app.js': 'console.log(5)\n' }, 'accepted unchecked');
    const ok = a.push('main');
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('accepted UNCHECKED');
  });

  it('takes no settings from the pushed commits: their config and ignore file cannot open the gate', () => {
    const w = world();
    const before = w.refs();
    const { token, text } = envLine();
    // The fingerprint a pusher can compute for the leak they add.
    const probe = makeRepo({ files: { 'config/mail.env': text } });
    const fp = JSON.parse(cli(['scan', '--format', 'json'], probe.dir).stdout).findings.find((f: { ruleId: string }) => f.ruleId === 'postmark-server-token').fingerprint;
    w.client.commit({
      '.secret-guard.json': JSON.stringify({ failOn: 'none', ignorePaths: ['**'], disabledRules: ['postmark-server-token'] }),
      'secret-guard.json': JSON.stringify({ failOn: 'none' }),
      '.secret-guard-ignore': `${fp}\n`,
      'config/mail.env': text,
    }, 'open the gate');
    const r = w.push('main');
    expectRefused(r, token);
    expect(w.refs()).toBe(before);

    // A file named like a config is no config of the server's: what it holds is scanned.
    w.client.git('reset', '-q', '--hard', 'HEAD~1');
    const hidden = envLine();
    w.client.commit({ 'deploy/.secret-guard.yml': `# deploy settings\nPOSTMARK_SERVER_TOKEN: ${hidden.token}\n` }, 'hide it in a config-named file');
    const h = w.push('main');
    expectRefused(h, hidden.token);
    expect(h.out).toContain('deploy/.secret-guard.yml:2');
    expect(w.refs()).toBe(before);
  });

  it("applies the server's own settings: $GIT_DIR/secret-guard.json, its ignore file, or --config", () => {
    const w = world();
    writeFileSync(join(w.server, 'secret-guard.json'), JSON.stringify({ ignorePaths: ['test/fixtures/**'] }));
    const fixture = envLine();
    w.client.commit({ 'test/fixtures/sample.env.txt': fixture.text }, 'fixture');
    expect(w.push('main').code).toBe(0);

    const { token, text } = envLine();
    w.client.commit({ 'config/mail.cfg': text }, 'real one');
    expectRefused(w.push('main'), token);
    const probe = makeRepo({ files: { 'config/mail.cfg': text } });
    const fp = JSON.parse(cli(['scan', '--format', 'json'], probe.dir).stdout).findings.find((f: { ruleId: string }) => f.ruleId === 'postmark-server-token').fingerprint;
    writeFileSync(join(w.server, '.secret-guard-ignore'), `${fp} # approved by the admin\n`);
    const r = w.push('main');
    expect(r.code).toBe(0);
    expect(r.out).toContain('1 finding allowed (ignore-file)');

    // --config names the file instead (a GitHub Enterprise hook script keeps it beside itself).
    const other = world({ hookArgs: `--config '${join(tempDir(), 'none.json')}'` });
    const named = join(tempDir(), 'strict.json');
    writeFileSync(named, JSON.stringify({ ignorePaths: ['docs/**'] }));
    const file = join(other.server, 'hooks', 'pre-receive');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/--config '[^']*'/, `--config '${named}'`));
    const docs = envLine();
    other.client.commit({ 'docs/example.env.txt': docs.text }, 'docs');
    expect(other.push('main').code).toBe(0);
  });

  it('runs where git put the pushed objects (GIT_QUARANTINE_PATH), and a chained hook gets the same ref lines', () => {
    const w = world({ hook: false });
    const hook = join(w.server, 'hooks', 'pre-receive');
    const log = join(tempDir(), 'chained.log');
    // Records the quarantine git set, the ref lines, and whether the pushed commit can be read
    // without the object directories git named: it cannot, so a scan that finds the token read it there.
    writeFileSync(
      hook,
      `#!/bin/sh\n{ echo "q=$GIT_QUARANTINE_PATH"; cat; } > '${log}'\nnew=$(tail -n 1 '${log}' | cut -d' ' -f2)\n` +
        `git cat-file -e "$new" && echo inside=yes >> '${log}'\n` +
        `env -u GIT_OBJECT_DIRECTORY -u GIT_ALTERNATE_OBJECT_DIRECTORIES -u GIT_QUARANTINE_PATH git cat-file -e "$new" 2>/dev/null && echo outside=yes >> '${log}' || echo outside=no >> '${log}'\n`,
    );
    chmodSync(hook, 0o755);
    const r = cli(['install', '--hook', 'pre-receive', '--chain'], w.server, { HOME: w.server });
    expect(r.code, r.stderr).toBe(0);
    const { token, text } = envLine();
    const sha = w.client.commit({ 'x.env.txt': text }, 'x');
    expectRefused(w.push('main'), token);
    const seen = readFileSync(log, 'utf8');
    expect(seen).toMatch(/^q=.*incoming-/m);
    expect(seen).toContain(`${sha} refs/heads/main`);
    expect(seen).toContain('inside=yes');
    expect(seen).toContain('outside=no');
  });

  it('is a usage error (exit 2, push refused) on input that is not ref updates', () => {
    const w = world({ hook: false });
    const r = cli(['scan', '--pre-receive'], w.server, {}, 'not a ref line\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not a pre-receive ref update');
    expect(cli(['scan', '--pre-receive', 'src'], w.server, {}, '').code).toBe(2);
    expect(cli(['scan', '--history', '--timeout', '4s'], w.client.dir).stderr).toContain('are for the push gates');
    expect(cli(['scan', '--pre-receive', '--timeout', 'soon'], w.server, {}, '').stderr).toContain('is not a duration');
  });
});

describe('behind a host that dispatches to pre-receive.d (Gitea and Forgejo)', () => {
  it("runs as a pre-receive.d script behind Gitea's dispatcher, which pipes it the ref lines", () => {
    const w = world({ hook: false });
    const hooks = join(w.server, 'hooks');
    // Gitea's generated hooks/pre-receive, as Gitea writes it.
    writeFileSync(
      join(hooks, 'pre-receive'),
      '#!/usr/bin/env bash\ndata=$(cat)\nexitcodes=""\nhookname=$(basename $0)\nGIT_DIR=${GIT_DIR:-$(dirname $0)/..}\nfor hook in ${GIT_DIR}/hooks/${hookname}.d/*; do\n  test -x "${hook}" && test -f "${hook}" || continue\n  echo "${data}" | "${hook}"\n  exitcodes="${exitcodes} $?"\ndone\nfor i in ${exitcodes}; do\n  [ ${i} -eq 0 ] || exit ${i}\ndone\n',
      { mode: 0o755 },
    );
    mkdirSync(join(hooks, 'pre-receive.d'));
    writeFileSync(join(hooks, 'pre-receive.d', 'secret-guard'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' scan --pre-receive --timeout 30s 2>&1\n`, { mode: 0o755 });
    w.client.commit({ 'ok.txt': 'ok\n' }, 'clean');
    expect(w.push('main').code).toBe(0);
    const before = w.refs();
    const { token, text } = envLine();
    w.client.commit({ 'app.env.txt': text }, 'leak');
    expectRefused(w.push('main'), token);
    expect(w.refs()).toBe(before);
  });
});
