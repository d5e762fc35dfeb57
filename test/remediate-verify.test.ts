/**
 * `remediate --verify` against a real HTTP server on 127.0.0.1 that answers in Postmark's shapes
 * (helpers/postmark-server.ts): live, revoked, other statuses, other error codes, redirects and
 * a server that never answers. The client sends the right header for each kind, never the test
 * token, never follows a redirect, and no response body reaches stdout, stderr or ROTATION.md.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { apiBase, timeoutFrom, verifyToken } from '../src/remediate/verify.js';
import { BIN, type CliRun } from './helpers/cli.js';
import { startPostmarkServer, type PostmarkServer } from './helpers/postmark-server.js';
import { cleanupAll, fakeToken, makeRepo } from './helpers/repo.js';

afterAll(cleanupAll);

let server: PostmarkServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const opts = (s: PostmarkServer, timeoutMs = 5000) => ({ baseUrl: apiBase(s.url), timeoutMs });

describe('verifyToken', () => {
  it('server token: GET /server with X-Postmark-Server-Token and Accept; 200 is live, with Name and ID only', async () => {
    const token = fakeToken();
    server = await startPostmarkServer({ [token]: { kind: 'live', name: 'mail-production', id: 4242 } });
    const r = await verifyToken('postmark-server', token, opts(server));
    expect(r).toEqual({ status: 'live', detail: 'HTTP 200', server: { name: 'mail-production', id: 4242 } });
    expect(JSON.stringify(r)).not.toContain('ApiTokens');
    const [req] = server.requests;
    expect(req!.method).toBe('GET');
    expect(req!.url).toBe('/server');
    expect(req!.headers['x-postmark-server-token']).toBe(token);
    expect(req!.headers['x-postmark-account-token']).toBeUndefined();
    expect(req!.headers.accept).toBe('application/json');
  });

  it('account token: GET /servers?count=1&offset=0 with X-Postmark-Account-Token', async () => {
    const token = fakeToken();
    server = await startPostmarkServer({ [token]: { kind: 'live', name: 'any', id: 1 } });
    expect(await verifyToken('postmark-account', token, opts(server))).toEqual({ status: 'live', detail: 'HTTP 200' });
    const [req] = server.requests;
    expect(req!.url).toBe('/servers?count=1&offset=0');
    expect(req!.headers['x-postmark-account-token']).toBe(token);
    expect(req!.headers['x-postmark-server-token']).toBeUndefined();
  });

  it('401 with ErrorCode 10 is revoked; any other answer is unknown', async () => {
    const [revoked, other401, s500, s422] = [fakeToken(), fakeToken(), fakeToken(), fakeToken()];
    server = await startPostmarkServer({
      [revoked]: { kind: 'revoked' },
      [other401]: { kind: 'error-code', code: 11 },
      [s500]: { kind: 'status', status: 500 },
      [s422]: { kind: 'status', status: 422, body: 'not json' },
    });
    expect(await verifyToken('postmark-server', revoked, opts(server))).toEqual({ status: 'revoked', detail: 'HTTP 401, ErrorCode 10' });
    expect(await verifyToken('postmark-account', revoked, opts(server))).toEqual({ status: 'revoked', detail: 'HTTP 401, ErrorCode 10' });
    expect(await verifyToken('postmark-server', other401, opts(server))).toEqual({ status: 'unknown', detail: 'HTTP 401, ErrorCode 11' });
    expect(await verifyToken('postmark-server', s500, opts(server))).toEqual({ status: 'unknown', detail: 'HTTP 500' });
    expect(await verifyToken('postmark-server', s422, opts(server))).toEqual({ status: 'unknown', detail: 'HTTP 422' });
  });

  it('a server that never answers is unknown after the timeout', async () => {
    const token = fakeToken();
    server = await startPostmarkServer({ [token]: { kind: 'hang' } });
    expect(await verifyToken('postmark-server', token, opts(server, 200))).toEqual({ status: 'unknown', detail: 'timed out after 200 ms' });
  });

  it('no server at all is unknown, with the error code only', async () => {
    const s = await startPostmarkServer({});
    const base = apiBase(s.url);
    await s.close();
    const r = await verifyToken('postmark-server', fakeToken(), { baseUrl: base, timeoutMs: 2000 });
    expect(r.status).toBe('unknown');
    expect(r.detail).toMatch(/^no answer \(/);
  });

  it('does not follow a redirect (the token header would go with it)', async () => {
    const token = fakeToken();
    const target = await startPostmarkServer({});
    server = await startPostmarkServer({ [token]: { kind: 'redirect', location: `${target.url}/server` } });
    const r = await verifyToken('postmark-server', token, opts(server));
    await target.close();
    expect(r).toEqual({ status: 'unknown', detail: 'HTTP 302' });
    expect(target.requests).toHaveLength(0);
  });

  it('never sends an SMTP key, a custom secret or POSTMARK_API_TEST', async () => {
    server = await startPostmarkServer({});
    expect((await verifyToken('postmark-smtp', 'Zx9_Yw8-Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe9D', opts(server))).status).toBe('unsupported');
    expect((await verifyToken('other', 'whatever-secret', opts(server))).status).toBe('unsupported');
    expect((await verifyToken('postmark-server', 'POSTMARK_API_TEST', opts(server))).status).toBe('unsupported');
    expect(server.requests).toHaveLength(0);
  });
});

describe('the API base and timeout settings', () => {
  it('defaults to https://api.postmarkapp.com and takes https or local http', () => {
    expect(apiBase(undefined).href).toBe('https://api.postmarkapp.com/');
    expect(apiBase('https://proxy.example.com/postmark').href).toBe('https://proxy.example.com/postmark/');
    expect(apiBase('http://127.0.0.1:8080').href).toBe('http://127.0.0.1:8080/');
    expect(apiBase('http://localhost:1').host).toBe('localhost:1');
  });

  it('refuses plain http to another host, credentials in the URL, and non-URLs', () => {
    expect(() => apiBase('http://api.postmarkapp.com')).toThrow(/https/);
    expect(() => apiBase('https://user:pw@example.com')).toThrow(/user name or password/);
    expect(() => apiBase('not a url')).toThrow(/not a URL/);
    expect(() => apiBase('file:///etc/passwd')).toThrow(/https/);
  });

  it('reads a positive timeout in milliseconds', () => {
    expect(timeoutFrom(undefined)).toBe(10_000);
    expect(timeoutFrom('250')).toBe(250);
    expect(() => timeoutFrom('0')).toThrow();
    expect(() => timeoutFrom('fast')).toThrow();
  });
});

/** The real CLI without blocking this process, whose event loop serves the fake API. */
function cliAsync(args: string[], cwd: string, env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', GIT_CONFIG_NOSYSTEM: '1', ...env }, encoding: 'utf8' }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('remediate --verify, through bin/', () => {
  it('says live, revoked or unknown per token, puts a live server Name into ROTATION.md, and prints no body', async () => {
    const [live, revoked, broken, account] = [fakeToken(), fakeToken(), fakeToken(), fakeToken()];
    server = await startPostmarkServer({
      [live]: { kind: 'live', name: 'transactional-prod', id: 777 },
      [revoked]: { kind: 'revoked' },
      [broken]: { kind: 'status', status: 503 },
      [account]: { kind: 'revoked' },
    });
    const repo = makeRepo({
      files: {
        'deploy/prod.env.sh': `export POSTMARK_SERVER_TOKEN=${live}\n`,
        'deploy/old.env.sh': `export POSTMARK_SERVER_TOKEN=${revoked}\n`,
        'deploy/staging.env.sh': `export POSTMARK_SERVER_TOKEN=${broken}\n`,
        'ops/admin.sh': `export POSTMARK_ACCOUNT_TOKEN=${account}\n`,
        'mail/smtp.env.sh': 'export POSTMARK_SMTP_USERNAME=PM-T-outbound-Ab3dE5gH7jK9mN1pQ3sT5v\nexport POSTMARK_SMTP_PASSWORD=Zx9_Yw8-Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe9D\n',
      },
    });
    const r = await cliAsync(['remediate', '--verify'], repo.dir, { SECRET_GUARD_POSTMARK_API_URL: server.url });
    expect(r.stderr).toContain(`asking ${server.url}`);
    expect(r.code).toBe(1);
    const line = (t: string) => r.stdout.split('\n').find((l) => l.includes(t.slice(0, 4) + '…')) ?? '';
    expect(line(live)).toContain('live: live (server "transactional-prod"): HTTP 200');
    expect(line(revoked)).toContain('live: revoked: HTTP 401, ErrorCode 10');
    expect(line(broken)).toContain('live: unknown: HTTP 503');
    expect(line(account)).toContain('live: revoked');
    expect(r.stdout).toMatch(/SMTP token \(secret key\) Zx9_… .* live: unsupported: SMTP tokens cannot be checked over the API/);

    const rotation = readFileSync(join(repo.dir, '.git/secret-guard/remediation/ROTATION.md'), 'utf8');
    expect(rotation).toContain('**Server:** `transactional-prod` (ID 777), as Postmark answered --verify');
    expect(rotation).toContain('→ Servers → `transactional-prod` → API Tokens');
    expect(rotation).toContain('"server_name": "transactional-prod"');
    expect(rotation).toContain('**Live:** **live** (HTTP 200)');
    expect(rotation).toContain('**Live:** revoked (HTTP 401, ErrorCode 10)');

    // Tokens once each, in the header for their kind; the SMTP key never.
    const sent = server.requests.map((q) => q.headers['x-postmark-server-token'] ?? q.headers['x-postmark-account-token']);
    expect(sent.sort()).toEqual([live, revoked, broken, account].sort());
    expect(server.requests.find((q) => q.headers['x-postmark-account-token'] === account)!.url).toBe('/servers?count=1&offset=0');

    for (const text of [r.stdout, r.stderr, rotation]) {
      for (const t of [live, revoked, broken, account, 'Zx9_Yw8-Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe9D']) expect(text).not.toContain(t);
      // Nothing of the bodies: the echoed token list, links, other fields, error messages.
      for (const body of ['ApiTokens', '00000000-0000-4000-8000-000000000000', 'ServerLink', 'inbound.postmarkapp.com', 'DeliveryType', 'request header was invalid', 'status 503']) {
        expect(text).not.toContain(body);
      }
    }
  });

  it('gives up on a server that never answers after SECRET_GUARD_POSTMARK_TIMEOUT_MS: unknown', async () => {
    const token = fakeToken();
    server = await startPostmarkServer({ [token]: { kind: 'hang' } });
    const repo = makeRepo({ files: { 'a.env.sh': `export POSTMARK_SERVER_TOKEN=${token}\n` } });
    const r = await cliAsync(['remediate', '--verify'], repo.dir, { SECRET_GUARD_POSTMARK_API_URL: server.url, SECRET_GUARD_POSTMARK_TIMEOUT_MS: '300' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('live: unknown: timed out after 300 ms');
    expect(readFileSync(join(repo.dir, '.git/secret-guard/remediation/ROTATION.md'), 'utf8')).toContain('**Live:** unknown (timed out after 300 ms)');
    expect(r.stdout + r.stderr).not.toContain(token);
  });

  it('refuses a plain-http API on another host before reading anything', async () => {
    const repo = makeRepo({ files: { 'a.env.sh': `export POSTMARK_SERVER_TOKEN=${fakeToken()}\n` } });
    const r = await cliAsync(['remediate', '--verify'], repo.dir, { SECRET_GUARD_POSTMARK_API_URL: 'http://api.example.com' });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/must be an https URL/);
    expect(r.stdout).toBe('');
  });
});
