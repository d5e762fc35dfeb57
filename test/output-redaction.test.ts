/**
 * Every string that reaches an output passes the redaction secrets pass: a token pasted into an
 * author name, a branch name, a tag name, or returned as a server's Name by Postmark (--verify)
 * is cut to four characters in every report format and in remediate's stdout and ROTATION.md.
 * Real repository, real refs, real HTTP server on 127.0.0.1 (helpers/postmark-server.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliAsync } from './helpers/cli-async.js';
import { startPostmarkServer } from './helpers/postmark-server.js';
import { cleanupAll, fakeToken, gitIn, makeRepo, tempDir } from './helpers/repo.js';

afterAll(cleanupAll);

/** A random 36-character key of the SMTP secret alphabet (all three classes). */
function smtpKey(): string {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return `Aa0${Array.from({ length: 33 }, () => abc[Math.floor(Math.random() * abc.length)]).join('')}`;
}

describe('names and answers are redacted like secrets', () => {
  const leaked = fakeToken();
  const inAuthor = fakeToken();
  const inBranch = fakeToken();
  const inTag = smtpKey();
  const inServerName = fakeToken();
  const hidden = [leaked, inAuthor, inBranch, inTag, inServerName];

  function setUp() {
    const repo = makeRepo({ files: { 'README.md': 'hello\n' } });
    repo.write({ 'src/mail.js': `const client = new postmark.ServerClient('${leaked}');\n` });
    repo.git('add', '-A');
    gitIn(repo.dir, ['commit', '-q', '-m', 'mail'], { GIT_AUTHOR_NAME: `Dev ${inAuthor}`, GIT_AUTHOR_EMAIL: `${inAuthor}@example.com` });
    repo.git('branch', `leak-${inBranch}`);
    repo.git('tag', `v-${inTag}`);
    return repo;
  }

  const expectHidden = (label: string, text: string) => {
    for (const t of hidden) expect(text, `${label} holds ${t.slice(0, 4)}…`).not.toContain(t);
  };

  it('scan --history in every format', async () => {
    const repo = setUp();
    for (const format of ['text', 'json', 'sarif', 'github', 'gitlab']) {
      const run = await cliAsync(['scan', '--history', '--verbose', '--format', format], repo.dir);
      expect(run.code, `${format}: ${run.stderr}`).toBe(1);
      expectHidden(format, run.stdout + run.stderr);
    }
    const text = await cliAsync(['scan', '--history'], repo.dir);
    // The fields are shown, cut: the author, the branch and the tag.
    expect(text.stdout).toContain(`Dev ${inAuthor.slice(0, 4)}…`);
    expect(text.stdout).toContain(`leak-${inBranch.slice(0, 4)}…`);
    expect(text.stdout).toMatch(/refs\/tags\/v-\w*…/);
    const json = JSON.parse((await cliAsync(['scan', '--history', '--format', 'json'], repo.dir)).stdout);
    expect(json.findings[0].author).toBe(`Dev ${inAuthor.slice(0, 4)}… <${inAuthor.slice(0, 4)}…@example.com>`);
  });

  it('remediate --verify: stdout, stderr and ROTATION.md', async () => {
    const repo = setUp();
    const server = await startPostmarkServer({ [leaked]: { kind: 'live', name: `prod ${inServerName}`, id: 7 } });
    try {
      const out = join(tempDir(), 'out');
      const run = await cliAsync(['remediate', '--verify', '--out', out], repo.dir, { env: { SECRET_GUARD_POSTMARK_API_URL: server.url } });
      expect(run.code, run.stderr).toBe(1);
      expectHidden('remediate output', run.stdout + run.stderr);
      expect(run.stdout).toContain(`prod ${inServerName.slice(0, 4)}…`);
      const rotation = readFileSync(join(out, 'ROTATION.md'), 'utf8');
      expectHidden('ROTATION.md', rotation);
      expect(rotation).toContain(`prod ${inServerName.slice(0, 4)}…`);
      expect(rotation).toContain(`Dev ${inAuthor.slice(0, 4)}…`);
    } finally {
      await server.close();
    }
  });
});

describe("the config's remediation section", () => {
  it('a secret-shaped value in it is cut in ROTATION.md, and ROTATION.md says so', async () => {
    const repo = makeRepo({ files: { 'config/mail.yml': `postmark:\n  server_token: ${fakeToken()}\n` } });
    const inDeploy = fakeToken();
    const inManager = fakeToken();
    const inConsumer = smtpKey();
    const dir = tempDir();
    const config = join(dir, 'secret-guard.json');
    writeFileSync(
      config,
      JSON.stringify({
        remediation: {
          secretManager: `vault kv put secret/mail POSTMARK_SERVER_TOKEN=${inManager}`,
          consumers: [{ name: 'api', update: `kubectl set env deploy/api SMTP_PASSWORD=${inConsumer}` }],
          deploy: [`curl -H "X-Postmark-Server-Token: ${inDeploy}" https://deploy.example.com/hook`],
          servers: ['mail-production'],
        },
      }),
    );
    const out = join(dir, 'out');
    const run = await cliAsync(['remediate', '--config', config, '--out', out], repo.dir);
    expect(run.code, run.stderr).toBe(1);
    const rotation = readFileSync(join(out, 'ROTATION.md'), 'utf8');
    for (const t of [inDeploy, inManager, inConsumer]) {
      expect(rotation).not.toContain(t);
      expect(run.stdout + run.stderr).not.toContain(t);
    }
    expect(rotation).toContain(`${inDeploy.slice(0, 4)}…`);
    expect(rotation).toMatch(/remediation\.secretManager.*remediation\.consumers.*remediation\.deploy.*shaped like a credential/s);
    expect(rotation).toContain('mail-production');
  });
});
