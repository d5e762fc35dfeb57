/**
 * Remediation's writers from Finding objects built here, as the history source reports them: one
 * credential per secret however often it was found, the most specific kind winning; ROTATION.md
 * with one section per credential, its own steps per kind, organisation specifics from the config
 * or placeholders, and never a secret; the plan's commands in order, with --sensitive-data-removal
 * only where the installed filter-repo has it.
 */
import { describe, expect, it } from 'vitest';
import { fingerprint, secretId } from '../src/core/fingerprint.js';
import type { CredentialKind, Finding } from '../src/core/types.js';
import { parseFilterRepoHelp } from '../src/remediate/filter-repo.js';
import { collectLeaks, type Leaks } from '../src/remediate/leaks.js';
import { messagesFile } from '../src/remediate/messages.js';
import { code } from '../src/remediate/markdown.js';
import { mapRef } from '../src/remediate/repo.js';
import { mirrorPath, planSteps, renderPlan, sh, type PlanInput } from '../src/remediate/plan.js';
import { rotationMarkdown, type RotationInput } from '../src/remediate/rotation.js';

const SERVER = '6f1c2d3e-8a9b-4c7d-9e1f-2a3b4c5d6e7f';
const ACCOUNT = '9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d';
const SMTP = 'Zx9_Yw8-Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0Fe9D';

let n = 0;
function finding(over: Partial<Finding> & { secret: string }): Finding {
  n++;
  const ruleId = over.ruleId ?? 'postmark-server-token';
  const path = over.path ?? `config/file${n}.yml`;
  return {
    ruleId,
    title: 't',
    severity: 'error',
    message: 'm',
    fix: 'f',
    credential: 'postmark-server',
    path,
    line: 3,
    column: 1,
    endLine: 3,
    endColumn: 37,
    fingerprint: fingerprint(ruleId, over.secret, path),
    kind: 'content',
    commit: { sha: `${String(n).padStart(4, '0')}${'a'.repeat(36)}`, author: 'Dev One', email: 'dev@example.com', date: `2024-01-${String(n).padStart(2, '0')}T10:00:00+00:00` },
    holders: { commits: 2, refs: ['refs/heads/main'], inHead: false },
    ...over,
  };
}

function leaksOf(findings: Finding[]): Leaks {
  return collectLeaks(findings);
}

describe('collectLeaks', () => {
  it('makes one credential of a secret found at many paths and in a message, kind by the most specific rule', () => {
    const leaks = leaksOf([
      finding({ secret: SERVER, path: 'a.yml', holders: { commits: 1, refs: [], inHead: false } }),
      finding({ secret: SERVER, path: 'b.yml', holders: { commits: 4, refs: ['refs/heads/main'], inHead: true } }),
      finding({ secret: SERVER, path: '<commit message>', kind: 'message' }),
      finding({ secret: ACCOUNT, path: 'x.js', ruleId: 'postmark-hardcoded-client' }),
      finding({ secret: ACCOUNT, path: 'y.sh', ruleId: 'postmark-account-token', credential: 'postmark-account' }),
    ]);
    expect(leaks.credentials.map((c) => [c.kind, c.findings.length, c.inHead, c.inMessages, c.ruleIds])).toEqual([
      ['postmark-account', 2, false, false, ['postmark-account-token', 'postmark-hardcoded-client']],
      ['postmark-server', 3, true, true, ['postmark-server-token']],
    ]);
    expect(leaks.credentials[1]!.id).toBe(secretId(SERVER));
  });

  it('leaves out placeholders and suppressed findings, counting them; splits secrets files by severity', () => {
    const leaks = leaksOf([
      finding({ secret: 'your-api-token-here', ruleId: 'postmark-hardcoded-client', severity: 'warning', credential: undefined, placeholder: true }),
      finding({ secret: SERVER, suppressedBy: 'inline' }),
      finding({ secret: '', kind: 'path', path: '.env', ruleId: 'dotenv-not-ignored' }),
      finding({ secret: '', kind: 'path', path: 'config/database.yml', ruleId: 'dotenv-not-ignored', severity: 'warning' }),
    ]);
    expect(leaks.credentials).toEqual([]);
    expect(leaks.placeholders).toBe(1);
    expect(leaks.suppressed).toBe(1);
    expect(leaks.files.map((f) => f.path)).toEqual(['.env']);
    expect(leaks.reviewFiles.map((f) => f.path)).toEqual(['config/database.yml']);
  });
});

const ORG_NAMES_FROM_THE_SEED = ['Raptor', 'raxx', 'Infisical', 'infisical', 'heroku', 'Heroku', 'moosequest', 'kris@', 'dyno', 'INFISICAL_PROJECT_ID'];

function rotation(leaks: Leaks, over: Partial<RotationInput> = {}): string {
  return rotationMarkdown({ leaks, config: {}, scope: 'every ref', repoName: 'shop', toolVersion: '0.1.0', now: '2025-02-03T04:05:06Z', ...over });
}

describe('ROTATION.md', () => {
  const leaks = leaksOf([
    finding({ secret: SERVER, path: 'config/mail.yml', holders: { commits: 3, refs: ['refs/heads/main', 'refs/tags/v1'], inHead: true } }),
    finding({ secret: SERVER, path: 'old/mail.js' }),
    finding({ secret: ACCOUNT, path: 'ops/admin.sh', ruleId: 'postmark-account-token', credential: 'postmark-account' }),
    finding({ secret: SMTP, path: 'mail/.env.smtp', ruleId: 'postmark-smtp-token', credential: 'postmark-smtp' }),
    finding({ secret: SERVER, path: '<commit message>', kind: 'message', holders: { commits: 1, refs: ['refs/heads/feature'], inHead: false } }),
    finding({ secret: '', kind: 'path', path: '.env', ruleId: 'dotenv-not-ignored' }),
  ]);

  it('has one section per credential, named by kind, redacted form and id, never in full', () => {
    const md = rotation(leaks);
    const sections = md.split('\n').filter((l) => l.startsWith('## '));
    expect(sections).toEqual([
      `## 1. Postmark Account API token \`9b8a…\` (id \`${secretId(ACCOUNT)}\`)`,
      `## 2. Postmark Server API token \`6f1c…\` (id \`${secretId(SERVER)}\`)`,
      `## 3. Postmark SMTP token (secret key) \`Zx9_…\` (id \`${secretId(SMTP)}\`)`,
      '## Committed secrets files',
    ]);
    for (const s of [SERVER, ACCOUNT, SMTP]) expect(md).not.toContain(s);
  });

  it('says where each was found: path, introducing commit, date, author, refs, HEAD', () => {
    const md = rotation(leaks);
    const server = md.slice(md.indexOf('## 2.'), md.indexOf('## 3.'));
    expect(server).toContain('- `config/mail.yml` line 3 — introduced in commit `0001aaaaaaaa` on 2024-01-01T10:00:00+00:00 by Dev One <dev@example.com>; in 3 commits; the current tree of `refs/heads/main`, `refs/tags/v1` still holds it; in HEAD');
    expect(server).toMatch(/- `old\/mail.js` line 3 — introduced in commit `0002a+` on 2024-01-02.*not in HEAD/);
    expect(server).toMatch(/- commit message of `0005a+` — 2024-01-05T10:00:00\+00:00 by Dev One <dev@example.com>; reachable from `refs\/heads\/feature`; not in HEAD's history/);
    expect(server).toContain('**In HEAD:** yes');
    expect(server).toContain('**Refs holding it:** `refs/heads/feature`, `refs/heads/main`, `refs/tags/v1`');
  });

  it('gives server, account and SMTP credentials their own steps', () => {
    const md = rotation(leaks);
    const [account, server, smtp] = [md.slice(md.indexOf('## 1.'), md.indexOf('## 2.')), md.slice(md.indexOf('## 2.'), md.indexOf('## 3.')), md.slice(md.indexOf('## 3.'), md.indexOf('## Committed'))];
    const has = (section: string, texts: string[]) => {
      for (const t of texts) expect(section).toContain(t);
    };
    has(server, [
      'X-Postmark-Server-Token: $OLD_TOKEN" https://api.postmarkapp.com/server',
      'Generate the new token in the dashboard** (Postmark has no API for this)',
      'at most 3 tokens',
      'Expect the same Name and ID as in step 1',
      'no `InvalidAPIToken` (ErrorCode 10)',
      'Expect `401`',
      'action: secret.rotate.completed',
      '"secret_name": "POSTMARK_SERVER_TOKEN"',
      '**Rollback**',
      'SMTP tokens are separate',
      "Test emails count toward the server's send quota",
    ]);
    has(account, [
      'X-Postmark-Account-Token: $OLD_TOKEN" "https://api.postmarkapp.com/servers?count=1&offset=0"',
      'rotated by the account owner — `<ACCOUNT OWNER>`',
      "treat this account's server tokens as exposed too",
    ]);
    has(smtp, ['that stream → Settings → SMTP', 'They cannot be checked over the API', '`POSTMARK_SMTP_USERNAME` (access key) and `POSTMARK_SMTP_PASSWORD` (secret key)']);
    for (const other of [account, smtp]) expect(other).not.toContain('X-Postmark-Server-Token');
  });

  it('fills in the organisation from the config and marks what is missing with placeholders', () => {
    const bare = rotation(leaks);
    for (const p of ['<SECRET-MANAGER COMMAND>', '<EACH SERVICE, JOB, ENVIRONMENT AND CI SECRET THAT READS IT>', '<DEPLOY OR RESTART COMMANDS>', '<SERVER NAME>', '<ACCOUNT OWNER>', '<AUDIT LOG>']) {
      expect(bare).toContain(p);
    }
    const md = rotation(leaks, {
      config: {
        secretManager: 'vault kv put secret/mail POSTMARK_SERVER_TOKEN="$NEW_TOKEN"',
        consumers: [{ name: 'checkout-api', update: 'kubectl -n shop set env deploy/checkout POSTMARK_SERVER_TOKEN="$NEW_TOKEN"' }, { name: 'mailer-worker' }],
        deploy: ['kubectl -n shop rollout restart deploy/checkout'],
        servers: ['shop-production'],
        accountOwner: 'ops-lead@example.org',
        auditLog: 'the #security-changes channel',
      },
    });
    for (const t of [
      'vault kv put secret/mail POSTMARK_SERVER_TOKEN="$NEW_TOKEN"',
      '  - [ ] checkout-api: `kubectl -n shop set env deploy/checkout POSTMARK_SERVER_TOKEN="$NEW_TOKEN"`',
      '  - [ ] mailer-worker',
      'kubectl -n shop rollout restart deploy/checkout',
      '→ Servers → `shop-production` → API Tokens',
      '"server_name": "shop-production"',
      '`ops-lead@example.org`',
      'in `the #security-changes channel`',
    ]) {
      expect(md).toContain(t);
    }
    for (const p of ['<SECRET-MANAGER COMMAND>', '<DEPLOY OR RESTART COMMANDS>', '<SERVER NAME>', '<ACCOUNT OWNER>', '<AUDIT LOG>']) expect(md).not.toContain(p);
  });

  it('never carries the example organisation of the rotation procedure it generalises', () => {
    for (const md of [rotation(leaks), rotation(leaks, { config: { servers: ['a', 'b'] } })]) {
      for (const name of ORG_NAMES_FROM_THE_SEED) expect(md).not.toContain(name);
    }
  });

  it('lists committed secrets files with how to review what they held', () => {
    const md = rotation(leaks);
    const files = md.slice(md.indexOf('## Committed secrets files'));
    expect(files).toContain("`git log --all -p -- '.env'`");
    expect(files).toMatch(/- `\.env` — introduced in commit/);
  });

  it('quotes paths with backticks and line breaks safely', () => {
    expect(code('a`b')).toBe('`` a`b ``');
    expect(code('a\nb')).toBe('`a\\nb`');
  });
});

function plan(over: Partial<PlanInput> = {}): PlanInput {
  return {
    root: '/work/shop',
    files: { dir: '/work/shop/.git/secret-guard/remediation', rotation: '/r/ROTATION.md', replacements: '/r/replacements.txt', messages: '/r/messages.txt', paths: '/r/paths.txt' },
    remote: 'origin',
    localOnlyRefs: [],
    hasStash: false,
    filterRepo: { installed: true, sensitiveDataRemoval: false },
    removedPaths: ['.env'],
    headFiles: [],
    secretsInHead: false,
    introducing: ['0001aaaaaaaa'],
    ...over,
  };
}

describe('the next commands', () => {
  it('come in order: rotate, clone, rewrite, check, push, re-clone, host, clean up', () => {
    expect(planSteps(plan()).map((s) => s.id)).toEqual(['rotate', 'clone', 'rewrite', 'check', 'push', 'reclone', 'host', 'cleanup']);
    expect(planSteps(plan({ secretsInHead: true })).map((s) => s.id)[1]).toBe('code');
  });

  it('use --sensitive-data-removal only where the installed filter-repo lists it', () => {
    const without = planSteps(plan()).find((s) => s.id === 'rewrite')!;
    expect(without.commands).toEqual(['git filter-repo --replace-text /r/replacements.txt --replace-message /r/messages.txt --invert-paths --paths-from-file /r/paths.txt --replace-refs delete-no-add']);
    expect(without.notes.join(' ')).toContain('has no --sensitive-data-removal');
    const withIt = planSteps(plan({ filterRepo: { installed: true, sensitiveDataRemoval: true } })).find((s) => s.id === 'rewrite')!;
    expect(withIt.commands[0]).toMatch(/^git filter-repo --sensitive-data-removal --replace-text/);
    expect(parseFilterRepoHelp('usage ... --replace-text EXPRESSIONS_FILE ... --sensitive-data-removal')).toEqual({ installed: true, sensitiveDataRemoval: true });
    expect(parseFilterRepoHelp('usage ... --replace-text EXPRESSIONS_FILE')).toEqual({ installed: true, sensitiveDataRemoval: false });
    expect(parseFilterRepoHelp("git: 'filter-repo' is not a git command")).toEqual({ installed: false, sensitiveDataRemoval: false });
  });

  it('clone from the remote read at run time, force-push the mirror, and never hold a secret', () => {
    const steps = planSteps(plan());
    const text = renderPlan(steps);
    expect(steps.find((s) => s.id === 'clone')!.commands).toEqual(['git clone --mirror --no-local "$(git -C /work/shop remote get-url origin)" /work/shop-rewrite.git', 'cd /work/shop-rewrite.git']);
    expect(steps.find((s) => s.id === 'push')!.commands).toContain('git push --force --mirror origin');
    expect(steps.find((s) => s.id === 'check')!.commands[0]).toBe('secret-guard scan --history');
    expect(text).toMatch(/git log --all --oneline -S"\$s"/);
    expect(text).toContain('refs/pull/*');
    expect(text.indexOf('Rotate every leaked credential first')).toBeLessThan(text.indexOf('git clone --mirror'));
  });

  it('without a remote, clone this repository and drop its stash from the mirror', () => {
    const steps = planSteps(plan({ remote: null, hasStash: true, configFile: '/work/shop/.secret-guard.json' }));
    expect(steps.find((s) => s.id === 'clone')!.commands).toEqual(['git clone --mirror --no-local /work/shop /work/shop-rewrite.git', 'cd /work/shop-rewrite.git', 'git update-ref -d refs/stash']);
    expect(steps.find((s) => s.id === 'push')!.commands).toEqual(['git clone /work/shop-rewrite.git /work/shop-clean']);
    expect(steps.find((s) => s.id === 'check')!.commands[0]).toBe('secret-guard scan --history --config /work/shop/.secret-guard.json');
  });

  it('quote paths for the shell', () => {
    expect(sh('/a/b-c.txt')).toBe('/a/b-c.txt');
    expect(sh("/my repo/it's")).toBe(`'/my repo/it'\\''s'`);
    expect(mirrorPath('/srv/git/shop.git')).toBe('/srv/git/shop-rewrite.git');
  });

  it('map a branch through a fetch refspec to find its remote-tracking ref', () => {
    expect(mapRef('refs/heads/a/b', 'refs/heads/*', 'refs/remotes/origin/*')).toBe('refs/remotes/origin/a/b');
    expect(mapRef('refs/heads/main', 'refs/*', 'refs/*')).toBe('refs/heads/main');
    expect(mapRef('refs/heads/main', 'refs/heads/main', 'refs/remotes/origin/main')).toBe('refs/remotes/origin/main');
    expect(mapRef('refs/tags/v1', 'refs/heads/*', 'refs/remotes/origin/*')).toBeNull();
  });
});

describe('secrets in annotated tag messages (a finding at <tag message>, the tag object as its commit)', () => {
  const tagFinding = () =>
    finding({
      secret: SERVER,
      path: '<tag message>',
      kind: 'message',
      line: 2,
      commit: { sha: 'b'.repeat(40), author: 'Release Bot', email: 'rel@example.com', date: '2024-02-01T10:00:00+00:00' },
      holders: { commits: 0, refs: ['refs/tags/v1.2.0', 'refs/tags/v1.2.0-lts'], inHead: false },
    });

  it('are one credential with its tags, cleaned through messages.txt', () => {
    const [c] = leaksOf([tagFinding()]).credentials;
    expect(c).toMatchObject({ inMessages: true, inFiles: false, tags: ['refs/tags/v1.2.0', 'refs/tags/v1.2.0-lts'] });
    expect(messagesFile([c!])).toContain(SERVER);
  });

  it('ROTATION.md names the tags and says how to delete and re-create each, here and on the remote', () => {
    const md = rotation(leaksOf([tagFinding()]), { remote: 'origin' });
    expect(md).not.toContain(SERVER);
    expect(md).not.toContain('commit message of');
    expect(md).toContain('message of the annotated tag `refs/tags/v1.2.0`, `refs/tags/v1.2.0-lts` (tag object `bbbbbbbbbbbb`');
    expect(md).toContain('**In tag messages:** `refs/tags/v1.2.0`, `refs/tags/v1.2.0-lts`');
    for (const t of ['v1.2.0', 'v1.2.0-lts']) {
      expect(md).toContain(`git tag -d ${t}\n`);
      expect(md).toContain(`git tag -a ${t} "$target" -F tag-message.txt`);
      expect(md).toContain(`git push origin --delete refs/tags/${t}\ngit push origin refs/tags/${t}`);
    }
    expect(md).toMatch(/release made from the tag keeps its own notes/);
    expect(md).toMatch(/git fetch never replaces an existing tag/);
    // Without a remote, nothing is pushed.
    expect(rotation(leaksOf([tagFinding()]), { remote: null })).not.toMatch(/git push/);
  });

  it('the plan says messages.txt rewrites them, checks every tag message, and names them for re-clones and the host', () => {
    const steps = planSteps(plan({ tags: ['refs/tags/v1.2.0'] }));
    expect(steps.find((s) => s.id === 'rewrite')!.notes.join('\n')).toMatch(/messages\.txt also cleans the annotated tag messages .*v1\.2\.0/);
    expect(steps.find((s) => s.id === 'check')!.commands.join('\n')).toMatch(/for-each-ref --format='%\(refname\)' refs\/tags/);
    expect(steps.find((s) => s.id === 'reclone')!.notes.join('\n')).toMatch(/old tags \(v1\.2\.0\)/);
    expect(steps.find((s) => s.id === 'host')!.notes.join('\n')).toMatch(/Releases made from v1\.2\.0/);
    expect(renderPlan(planSteps(plan()))).not.toMatch(/tag message|refs\/tags/i);
  });
});
