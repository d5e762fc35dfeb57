/**
 * The expression files against the real git filter-repo: secrets and paths chosen to trip each
 * rule of its syntax (a `==>` inside the secret, `regex:`/`glob:`/`literal:`/`#` at the start,
 * regex metacharacters, a line break, a secret inside a longer one, non-ASCII) are written by
 * remediate's writers, applied to a fresh mirror clone, and must come out exactly replaced or
 * removed. BFG is not installed here, so its lines are checked against BFG's own line grammar.
 * The cases that run filter-repo run once per version it is given (helpers/tools.ts
 * filterRepoCopies): users have 2.38 and 2.47, and each reads these files with its own code.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { secretId } from '../src/core/fingerprint.js';
import type { CredentialKind } from '../src/core/types.js';
import type { Credential } from '../src/remediate/leaks.js';
import { messagesFile } from '../src/remediate/messages.js';
import { pathLine, pathsFileBytes } from '../src/remediate/paths.js';
import { bfgLine, escapeRegex, expressionFiles, filterRepoLine, replacementFor } from '../src/remediate/replacements.js';
import { cleanupAll, gitIn, makeRepo, tempDir } from './helpers/repo.js';
import { filterRepoCopies, type FilterRepoCopy } from './helpers/tools.js';

const FILTER_REPOS = filterRepoCopies('the expression files through the real git filter-repo (the BFG and naming checks still run)');

afterAll(cleanupAll);

function cred(secret: string, kind: CredentialKind | 'other', rule = 'custom-rule', inMessages = false): Credential {
  return { secret, id: secretId(secret), kind, ruleIds: [rule], findings: [], inMessages, inFiles: !inMessages, inHead: false };
}

/** A fresh mirror clone of `dir`, rewritten by git filter-repo `fr` with `args`. */
function rewritten(fr: FilterRepoCopy, dir: string, args: string[]): string {
  const mirror = join(tempDir(), 'm.git');
  gitIn(dir, ['clone', '-q', '--mirror', '--no-local', dir, mirror]);
  execFileSync('git', ['filter-repo', '--quiet', ...args], { cwd: mirror, stdio: 'pipe', env: { ...process.env, ...fr.env } });
  return mirror;
}

const TRICKY: Array<[string, string]> = [
  ['arrow==>inside-secret-1', 'has-arrow'],
  ['regex:abc.*-secret-2', 'regex-prefix'],
  ['literal:xyz-secret-3', 'literal-prefix'],
  ['glob:*-secret-4', 'glob-prefix'],
  ['#hash-secret-5', 'hash-start'],
  ['p.a+s$s(w)o[r]d{1}\\|^-6', 'metachars'],
  ['ends-with-equals-7==', 'ends-equals'],
  ['ünïcødé-secret-8', 'non-ascii'],
  ['shared-prefix-9', 'short-one'],
  ['shared-prefix-9-and-more-10', 'long-one'],
  ['line-one-11\nline-two-11', 'two-lines'],
];

describe.skipIf(!FILTER_REPOS.length)('replacements.txt through the real git filter-repo', () => {
  for (const fr of FILTER_REPOS) describe(fr.title, () => replacements(fr));
});

function replacements(fr: FilterRepoCopy): void {
  it('replaces every secret exactly, whatever characters it holds', () => {
    const creds = TRICKY.map(([s, rule]) => cred(s, 'other', rule));
    const text = TRICKY.map(([s]) => `before ${s} after`).join('\n') + '\n';
    const repo = makeRepo({ files: { 'data.txt': text } });
    const file = join(tempDir(), 'replacements.txt');
    writeFileSync(file, expressionFiles(creds).filterRepo);
    const mirror = rewritten(fr, repo.dir, ['--replace-text', file]);
    const expected = TRICKY.map(([, rule]) => `before ${replacementFor({ kind: 'other', ruleIds: [rule] })} after`).join('\n') + '\n';
    expect(gitIn(mirror, ['show', 'HEAD:data.txt'])).toBe(expected);
  });

  it('replaces commit messages with messages.txt', () => {
    const token = '5e0c3b7a-1d9f-4c2e-8b6a-0f4d2a9c7e13';
    const repo = makeRepo({ files: { 'a.txt': 'x\n' }, message: `deploy with POSTMARK_SERVER_TOKEN=${token}` });
    const file = join(tempDir(), 'messages.txt');
    writeFileSync(file, messagesFile([cred(token, 'postmark-server', 'postmark-server-token', true), cred('not-in-messages-secret', 'other')]));
    const mirror = rewritten(fr, repo.dir, ['--replace-message', file]);
    expect(gitIn(mirror, ['log', '--format=%B', '-1']).trim()).toBe('deploy with POSTMARK_SERVER_TOKEN=***POSTMARK_SERVER_TOKEN_REMOVED***');
  });
}

describe.skipIf(!FILTER_REPOS.length)('paths.txt through the real git filter-repo', () => {
  for (const fr of FILTER_REPOS) {
    describe(fr.title, () => {
      it('removes exactly the listed files, with no rename, comment or pattern read into them', () => {
        const gone = ['.env', 'config/.env.production', '#hash.env', 'regex:odd.env', 'glob:odd.env', 'literal:odd.env', 'a==>b.env', 'space name.env', 'new\nline.env'];
        const kept = ['keep.txt', 'a', 'b.env', 'odd.env', 'hash.env'];
        const files = Object.fromEntries([...gone, ...kept].map((p) => [p, `${p}\n`]));
        const repo = makeRepo({ files });
        const file = join(tempDir(), 'paths.txt');
        writeFileSync(file, pathsFileBytes(gone));
        const mirror = rewritten(fr, repo.dir, ['--invert-paths', '--paths-from-file', file]);
        const tree = gitIn(mirror, ['ls-tree', '-r', '-z', '--name-only', 'HEAD']).split('\0').filter(Boolean).sort();
        expect(tree).toEqual([...kept].sort());
      });
    });
  }

  it('writes plain paths as they are and prefixes only what needs it', () => {
    expect(pathLine('.env')).toBe('.env');
    expect(pathLine('services/api/.env.local')).toBe('services/api/.env.local');
    expect(pathLine('#x')).toBe('literal:#x');
    expect(pathLine('glob:x')).toBe('literal:glob:x');
    expect(pathLine('a==>b')).toBe('regex:^a\\=\\=\\>b$');
    expect(pathsFileBytes(['b', 'a', 'b']).toString('utf8')).toBe('a\nb\n');
    expect(pathsFileBytes([]).toString('utf8')).toBe('');
  });
});

/** BFG's line grammar (TextReplacementConfig): `(.+?)(?:==>(.*))?` over the whole line, then an optional type prefix. */
function bfgParse(line: string): { match: RegExp; replacement: string } {
  const m = /^(.+?)(?:==>(.*))?$/s.exec(line)!;
  const expr = m[1]!;
  const typed = /^(glob|literal|regex):(.*)$/s.exec(expr);
  const type = typed?.[1] ?? 'literal';
  const body = typed ? typed[2]! : expr;
  if (type === 'glob') throw new Error('no globs are written');
  const source = type === 'regex' ? body : body.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  return { match: new RegExp(source), replacement: m[2] ?? '***REMOVED***' };
}

describe('the BFG variant', () => {
  it('is written only when a line must differ, and then matches every secret it can', () => {
    const plain = expressionFiles([cred('5e0c3b7a-1d9f-4c2e-8b6a-0f4d2a9c7e13', 'postmark-server', 'postmark-server-token'), cred('regex:abc-secret', 'other')]);
    expect(plain.bfg).toBeUndefined();
    for (const line of plain.filterRepo.trim().split('\n')) {
      const { match, replacement } = bfgParse(line);
      expect(replacement).toMatch(/^\*\*\*[A-Z_]+_REMOVED\*\*\*$/);
      expect(match.test('5e0c3b7a-1d9f-4c2e-8b6a-0f4d2a9c7e13') || match.test('regex:abc-secret')).toBe(true);
    }
    const tricky = expressionFiles(TRICKY.map(([s, rule]) => cred(s, 'other', rule)));
    expect(tricky.bfg).toBeDefined();
    expect(tricky.bfgCannot).toBe(1);
    const lines = tricky.bfg!.trim().split('\n');
    expect(lines).toHaveLength(TRICKY.length - 1);
    for (const [secret, rule] of TRICKY.filter(([s]) => !s.includes('\n'))) {
      const hit = lines.map(bfgParse).find((p) => p.match.test(secret) && p.replacement === replacementFor({ kind: 'other', ruleIds: [rule] }));
      expect(hit, secret).toBeDefined();
      expect(`x${secret}y`.replace(hit!.match, '')).toBe('xy');
    }
  });

  it('splits where each tool splits', () => {
    expect(filterRepoLine('a==>b', '***R***')).toBe('a==>b==>***R***');
    expect(bfgLine('a==>b', '***R***')).toBe('regex:a\\=\\=\\>b==>***R***');
    expect(bfgLine('two\nlines', '***R***')).toBeNull();
    expect(filterRepoLine('two\nlines', '***R***')).toBe('regex:two\\nlines==>***R***');
    expect(escapeRegex('a\tb\u0001c')).toBe('a\\tb\\x01c');
  });
});

describe('replacement names', () => {
  it('say what was there, in a form the scanner never flags again', () => {
    expect(replacementFor({ kind: 'postmark-server', ruleIds: ['postmark-hardcoded-client'] })).toBe('***POSTMARK_SERVER_TOKEN_REMOVED***');
    expect(replacementFor({ kind: 'postmark-account', ruleIds: [] })).toBe('***POSTMARK_ACCOUNT_TOKEN_REMOVED***');
    expect(replacementFor({ kind: 'postmark-smtp', ruleIds: [] })).toBe('***POSTMARK_SMTP_TOKEN_REMOVED***');
    expect(replacementFor({ kind: 'other', ruleIds: ['acme-v2-key'] })).toBe('***ACME_V_KEY_REMOVED***');
  });

  it('puts longer secrets first and nothing but expressions in the file', () => {
    const f = expressionFiles([cred('short-secret', 'other', 'a'), cred('short-secret-longer', 'other', 'b')]).filterRepo;
    expect(f).toBe('short-secret-longer==>***B_REMOVED***\nshort-secret==>***A_REMOVED***\n');
    expect(f.split('\n').some((l) => l.startsWith('#'))).toBe(false);
    expect(expressionFiles([]).filterRepo).toBe('');
  });
});
