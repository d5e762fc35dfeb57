/**
 * `secret-guard remediate` through bin/: where the files go and with what modes, what happens to
 * an earlier run's files, the no-leak case, warnings for an output folder in the work tree, bare
 * repositories, suppressions, the config's organisation specifics, and no secret printed.
 */
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { secretId } from '../src/core/fingerprint.js';
import { cli } from './helpers/cli.js';
import { cleanupAll, fakeToken, gitIn, makeRepo, tempDir } from './helpers/repo.js';

afterAll(cleanupAll);

const OUT = join('.git', 'secret-guard', 'remediation');
const mode = (p: string) => statSync(p).mode & 0o777;

function leakyRepo() {
  const token = fakeToken();
  const repo = makeRepo({ files: { 'config/mail.yml': `postmark:\n  server_token: ${token}\n`, 'README.md': '# app\n' } });
  return { repo, token };
}

describe('remediate through bin/', () => {
  it('with no leak: says so, exits 0 and writes nothing', () => {
    const repo = makeRepo({ files: { 'app.js': 'const t = process.env.POSTMARK_SERVER_TOKEN;\n', '.env.example': 'POSTMARK_SERVER_TOKEN=\n' } });
    const r = cli(['remediate'], repo.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^secret-guard remediate: no leaked credential and no committed secrets file \(1 commit of every ref/);
    expect(r.stdout).toContain('nothing written');
    expect(existsSync(join(repo.dir, '.git', 'secret-guard'))).toBe(false);
  });

  it('with nothing to rotate in what it read, says how many file versions ignorePaths kept unread, and --no-config reads them', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { '.secret-guard.json': '{ "ignorePaths": ["fixtures/**"] }\n', 'fixtures/mail.yml': `postmark:\n  server_token: ${token}\n` } });
    const r = cli(['remediate'], repo.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Nothing to rotate');
    expect(r.stdout).toContain('1 file version under ignorePaths not read');
    expect(r.stdout).not.toContain(token);
    const all = cli(['remediate', '--no-config'], repo.dir);
    // A leak found: remediate exits 1, as a scan with findings does.
    expect(all.code, all.stderr).toBe(1);
    expect(all.stdout).not.toContain('Nothing to rotate');
    expect(all.stdout).not.toContain(token);
  });

  it('leaves placeholders alone and says so', () => {
    const repo = makeRepo({ files: { 'mail.js': "const postmark = require('postmark');\nconst c = new postmark.ServerClient('your-api-token-here');\n" } });
    const r = cli(['remediate'], repo.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1 placeholder value');
    expect(existsSync(join(repo.dir, '.git', 'secret-guard'))).toBe(false);
  });

  it('writes inside the git directory with mode 0700/0600, one line per unique secret, and prints no secret', () => {
    const { repo, token } = leakyRepo();
    repo.commit({ 'deploy/env.sh': `export POSTMARK_SERVER_TOKEN=${token}\n` }, 'deploy script');
    const r = cli(['remediate'], repo.dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const out = join(repo.dir, OUT);
    expect(mode(join(repo.dir, '.git', 'secret-guard'))).toBe(0o700);
    expect(mode(out)).toBe(0o700);
    expect(readdirSync(out).sort()).toEqual(['ROTATION.md', 'blob-callback.py', 'messages.txt', 'replacements.txt']);
    for (const f of readdirSync(out)) expect(mode(join(out, f))).toBe(0o600);
    expect(readFileSync(join(out, 'replacements.txt'), 'utf8')).toBe(`${token}==>***POSTMARK_SERVER_TOKEN_REMOVED***\n`);
    const rotation = readFileSync(join(out, 'ROTATION.md'), 'utf8');
    expect(rotation.match(/^## \d+\. /gm)).toHaveLength(1);
    expect(rotation).toContain('`config/mail.yml` line 2');
    expect(rotation).toContain('`deploy/env.sh` line 1');
    expect(rotation).toContain(secretId(token));
    expect(r.stdout).toContain(`Postmark Server API token ${token.slice(0, 4)}…  id ${secretId(token)}  in HEAD  2 places`);
    expect(r.stdout + r.stderr + rotation).not.toContain(token);
    expect(gitIn(repo.dir, ['status', '--porcelain'])).toBe('');
  });

  it('does not overwrite an earlier run without --force; with it, replaces the set and drops stale files', () => {
    const { repo, token } = leakyRepo();
    repo.commit({ '.env': 'DEBUG=1\n' }, 'env');
    const later = fakeToken();
    repo.commit({ 'later.env.sh': `export POSTMARK_SERVER_TOKEN=${later}\n` }, 'later');
    const out = join(repo.dir, OUT);
    expect(cli(['remediate'], repo.dir).code).toBe(1);
    expect(readdirSync(out).sort()).toEqual(['ROTATION.md', 'blob-callback.py', 'messages.txt', 'paths.txt', 'replacements.txt']);
    const before = readFileSync(join(out, 'replacements.txt'), 'utf8');

    const again = cli(['remediate'], repo.dir);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds ROTATION.md, replacements.txt, messages.txt, paths.txt, blob-callback.py from an earlier run; not overwriting them/);
    expect(again.stderr).toContain('--force');
    expect(again.stdout).toBe('');
    expect(readFileSync(join(out, 'replacements.txt'), 'utf8')).toBe(before);

    // A file loosened by hand comes back 0600; a paths.txt this run does not produce goes away.
    chmodSync(join(out, 'replacements.txt'), 0o644);
    const forced = cli(['remediate', '--force', '--range', 'HEAD~1..HEAD'], repo.dir);
    expect(forced.code).toBe(1);
    expect(readdirSync(out).sort()).toEqual(['ROTATION.md', 'blob-callback.py', 'messages.txt', 'replacements.txt']);
    expect(readFileSync(join(out, 'replacements.txt'), 'utf8')).toBe(`${later}==>***POSTMARK_SERVER_TOKEN_REMOVED***\n`);
    expect(mode(join(out, 'replacements.txt'))).toBe(0o600);
    expect(forced.stdout + forced.stderr).not.toContain(token);
  });

  it('warns when --out is inside the work tree and not ignored, and not when it is ignored or outside', () => {
    const { repo } = leakyRepo();
    const inside = cli(['remediate', '--out', 'remediation'], repo.dir);
    expect(inside.code).toBe(1);
    expect(inside.stderr).toMatch(/inside the work tree and not ignored by git/);
    expect(mode(join(repo.dir, 'remediation', 'replacements.txt'))).toBe(0o600);

    writeFileSync(join(repo.dir, '.gitignore'), 'private/\n');
    const ignored = cli(['remediate', '--out', 'private/remediation'], repo.dir);
    expect(ignored.code).toBe(1);
    expect(ignored.stderr).toBe('');

    const elsewhere = join(tempDir(), 'out');
    const outside = cli(['remediate', '--out', elsewhere], repo.dir);
    expect(outside.code).toBe(1);
    expect(outside.stderr).toBe('');
    expect(mode(elsewhere)).toBe(0o700);
    expect(outside.stdout).toContain(`Wrote to ${elsewhere}`);
  });

  it('works in a bare repository, writing inside it', () => {
    const { repo, token } = leakyRepo();
    const bare = join(tempDir(), 'shop.git');
    gitIn(repo.dir, ['clone', '-q', '--bare', repo.dir, bare]);
    const r = cli(['remediate'], bare);
    expect(r.code).toBe(1);
    expect(readFileSync(join(bare, 'secret-guard', 'remediation', 'replacements.txt'), 'utf8')).toContain(`${token}==>`);
    expect(r.stdout).toContain('git clone --mirror --no-local "$(git -C');
  });

  it('names branches holding a leak that the remote lacks; a mirror has them all', () => {
    const { repo } = leakyRepo();
    const clone = join(tempDir(), 'clone');
    gitIn(repo.dir, ['clone', '-q', repo.dir, clone]);
    gitIn(clone, ['checkout', '-q', '-b', 'local-work']);
    writeFileSync(join(clone, 'x.env.sh'), `export POSTMARK_SERVER_TOKEN=${fakeToken()}\n`);
    gitIn(clone, ['add', 'x.env.sh']);
    gitIn(clone, ['commit', '-q', '-m', 'x']);
    const r = cli(['remediate'], clone);
    expect(r.stdout).toContain('Branches here that hold a leak and are not on origin: refs/heads/local-work.');
    const mirror = join(tempDir(), 'mirror.git');
    gitIn(repo.dir, ['clone', '-q', '--mirror', repo.dir, mirror]);
    expect(cli(['remediate'], mirror).stdout).not.toContain('not on origin');
  });

  it('outside a repository: exit 2 with a message', () => {
    // No discovery above the folder: the machine's temp folder may itself sit in a repository.
    const dir = tempDir();
    const r = cli(['remediate'], dir, { GIT_CEILING_DIRECTORIES: dirname(dir) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/remediate needs a git repository/);
  });

  it('leaves out what .secret-guard-ignore suppresses, and brings that file to the check', () => {
    const { repo, token } = leakyRepo();
    const json = JSON.parse(cli(['scan', '--format', 'json'], repo.dir).stdout) as { findings: Array<{ fingerprint: string }> };
    writeFileSync(join(repo.dir, '.secret-guard-ignore'), `${json.findings[0]!.fingerprint} # revoked\n`);
    const other = fakeToken();
    repo.commit({ 'b.env.sh': `export POSTMARK_SERVER_TOKEN=${other}\n` }, 'b');
    const r = cli(['remediate'], repo.dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('1 suppressed finding');
    expect(readFileSync(join(repo.dir, OUT, 'replacements.txt'), 'utf8')).toBe(`${other}==>***POSTMARK_SERVER_TOKEN_REMOVED***\n`);
    expect(r.stdout).toContain(`cp ${join(repo.dir, '.secret-guard-ignore')} .`);
    expect(r.stdout).not.toContain(token);
  });

  it("uses the config's remediation section and never the seed organisation's names", () => {
    const { repo } = leakyRepo();
    writeFileSync(
      join(repo.dir, '.secret-guard.json'),
      JSON.stringify({ remediation: { secretManager: 'aws secretsmanager put-secret-value --secret-id mail/postmark --secret-string "$NEW_TOKEN"', consumers: ['billing-service'], deploy: ['./bin/deploy production'], servers: ['billing-prod'], auditLog: 'SEC ticket queue' } }),
    );
    const r = cli(['remediate'], repo.dir);
    expect(r.code).toBe(1);
    const rotation = readFileSync(join(repo.dir, OUT, 'ROTATION.md'), 'utf8');
    for (const text of ['aws secretsmanager put-secret-value', '- [ ] billing-service', './bin/deploy production', '`billing-prod`', 'in `SEC ticket queue`']) expect(rotation).toContain(text);
    expect(r.stdout).toContain(`bin/secret-guard.js scan --history --config ${join(repo.dir, '.secret-guard.json')}`);
    for (const name of ['Raptor', 'raxx', 'Infisical', 'infisical', 'heroku', 'Heroku', 'moosequest', 'kris@', 'dyno']) {
      expect(rotation).not.toContain(name);
      expect(r.stdout).not.toContain(name);
    }
  });
});

describe('remediate and the active config file', () => {
  it('a token pasted into the config is a leak to remediate; the custom rules\' examples beside it are not', () => {
    const token = fakeToken();
    const cfg = {
      rules: [{ id: 'relay-key', pattern: 'RELAYKEY-(?<secret>[A-Z0-9]{20})', keywords: ['RELAYKEY-'], examples: ['k = "RELAYKEY-ABCDEFGHIJ0123456789"'], negativeExamples: ['k = "RELAYKEY-short"'] }],
      remediation: { secretManager: `vault kv put secret/mail POSTMARK_SERVER_TOKEN=${token}` },
    };
    const repo = makeRepo({ files: { '.secret-guard.json': JSON.stringify(cfg, null, 2), 'README.md': '# app\n' } });
    const r = cli(['remediate'], repo.dir);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^secret-guard remediate: 1 leaked credential \(/);
    expect(readFileSync(join(repo.dir, OUT, 'replacements.txt'), 'utf8')).toContain(token);
    expect(readFileSync(join(repo.dir, OUT, 'replacements.txt'), 'utf8')).not.toContain('RELAYKEY');
    expect(r.stdout).not.toContain(token);
  });
});
