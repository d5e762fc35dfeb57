/**
 * No secret in any output: one repository holds known synthetic credentials (a server token, an
 * account token, an SMTP token pair, a hard-coded client, a .env file, a token in a commit
 * message) in its history, its index and its working tree. Every format in every mode, with
 * --verbose, --quiet and --output, and every error path that could echo what it was given, is
 * run through bin/; no secret, nor any 12-character piece of one, may appear on stdout, on
 * stderr or in a written report. --show-secrets must show them all (else this test proves
 * nothing), and `remediate` keeps them to its files.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeError } from '../src/errors.js';
import { RuleError } from '../src/core/engine.js';
import { FORMATS } from '../src/scan/reporters.js';
import { cliAsync } from './helpers/cli-async.js';
import type { CliRun } from './helpers/cli.js';
import { cleanupAll, fakeToken, makeRepo, tempDir, type Repo } from './helpers/repo.js';

afterAll(cleanupAll);

const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
const randomKey = (n: number) => Array.from({ length: n }, () => URL_SAFE[Math.floor(Math.random() * URL_SAFE.length)]).join('');
/** SMTP secret keys start with a letter and mix cases and digits, like real ones. */
const smtpSecretKey = () => `Zq${randomKey(32)}9x`;

const S = {
  smtp: smtpSecretKey(),
  client: fakeToken(),
  message: fakeToken(),
  account: fakeToken(),
  server: fakeToken(),
  staged: fakeToken(),
  worktree: fakeToken(),
};
const ALL = Object.values(S);
const accessKey = `PM-T-outbound-${randomKey(22)}`;

type Mode = 'worktree' | 'staged' | 'range' | 'history';
const MODES: Mode[] = ['worktree', 'staged', 'range', 'history'];

/** Every 12-character piece of every secret that appears in `text`. */
function leaks(text: string): string[] {
  const found: string[] = [];
  for (const s of ALL) {
    for (let i = 0; i + 12 <= s.length; i++) {
      const piece = s.slice(i, i + 12);
      if (text.includes(piece)) {
        found.push(piece);
        break;
      }
    }
  }
  return found;
}

function expectNoSecret(label: string, ...texts: string[]): void {
  expect({ label, leaks: leaks(texts.join('\n')) }).toEqual({ label, leaks: [] });
}

let repo: Repo;
let base: string;

function modeArgs(mode: Mode): string[] {
  if (mode === 'worktree') return [];
  if (mode === 'staged') return ['--staged'];
  if (mode === 'range') return ['--range', `${base}..HEAD`];
  return ['--history'];
}

/** What each mode reads: the secrets it must show with --show-secrets. */
const EXPECTED: Record<Mode, string[]> = {
  worktree: [S.smtp, S.client, S.account, S.server, S.staged, S.worktree],
  staged: [S.staged],
  range: [S.smtp, S.client, S.message, S.account, S.server],
  history: [S.smtp, S.client, S.message, S.account, S.server],
};

const scan = (args: string[], opts: { cwd?: string } = {}) => cliAsync(['scan', ...args], opts.cwd ?? repo.dir);

beforeAll(() => {
  repo = makeRepo({ files: { 'README.md': '# app\n' } });
  base = repo.git('rev-parse', 'HEAD').trim();
  repo.commit(
    {
      'config/mail.yml': `smtp:\n  address: smtp.postmarkapp.com\n  port: 587\n  user_name: ${accessKey}\n  password: ${S.smtp}\n`,
      'app.js': `const postmark = require('postmark');\nconst client = new postmark.ServerClient('${S.client}');\n`,
    },
    `configure mail\n\nPOSTMARK_SERVER_TOKEN=${S.message}\n`,
  );
  repo.commit({ '.env': `POSTMARK_ACCOUNT_TOKEN=${S.account}\nPOSTMARK_SERVER_TOKEN=${S.server}\n` }, 'env');
  repo.write({ 'deploy.sh': `#!/bin/sh\nexport POSTMARK_SERVER_TOKEN=${S.staged}\n` });
  repo.git('add', 'deploy.sh');
  repo.write({ 'send.sh': `curl -H "X-Postmark-Server-Token: ${S.worktree}" https://api.postmarkapp.com/email\n` });
});

describe('--show-secrets shows them (the corpus is found, so the checks below can fail)', () => {
  for (const mode of MODES) {
    it(`${mode}: every planted secret of the mode, in full`, async () => {
      const r = await scan([...modeArgs(mode), '--format', 'json', '--show-secrets']);
      expect(r.code, r.stderr).toBe(1);
      const shown = (JSON.parse(r.stdout) as { findings: Array<{ match: string }> }).findings.map((f) => f.match);
      for (const s of EXPECTED[mode]) expect(shown).toContain(s);
      const text = await scan([...modeArgs(mode), '--show-secrets']);
      for (const s of EXPECTED[mode]) expect(text.stdout).toContain(s);
    });
  }
});

describe('every format × mode × flag prints no secret', () => {
  const flagSets: Array<{ name: string; flags: string[] }> = [
    { name: 'plain', flags: [] },
    { name: '--quiet', flags: ['--quiet'] },
    // --verbose and --output together: the skipped list goes to the file, the summary to stdout.
    { name: '--verbose --output', flags: ['--verbose', '--output'] },
  ];
  for (const mode of MODES) {
    it(`${mode}: ${FORMATS.join(', ')} × ${flagSets.map((f) => f.name).join(', ')}`, async () => {
      const outDir = tempDir('sg-out-');
      const runs = FORMATS.flatMap((format) =>
        flagSets.map(async ({ name, flags }) => {
          const file = join(outDir, `${mode}-${format}-${name.replace(/\W/g, '')}.out`);
          const args = [...modeArgs(mode), '--format', format, ...flags.flatMap((f) => (f === '--output' ? ['--output', file] : [f]))];
          const r = await scan(args);
          const written = flags.includes('--output') ? readFileSync(file, 'utf8') : '';
          return { label: `${mode} ${format} ${name}`, r, written };
        }),
      );
      for (const { label, r, written } of await Promise.all(runs)) {
        expect(r.code, `${label}: ${r.stderr}`).toBe(1);
        expectNoSecret(label, r.stdout, r.stderr, written);
        // The report is really there: something to leak from.
        expect((r.stdout + written).length, label).toBeGreaterThan(0);
      }
    });
  }

  it('a baseline written from the findings holds fingerprints, never secrets', async () => {
    const file = join(tempDir('sg-base-'), 'baseline.json');
    const r = await scan(['--history', '--write-baseline', file]);
    expect(r.code, r.stderr).toBe(0);
    expectNoSecret('baseline', r.stdout, r.stderr, readFileSync(file, 'utf8'));
  });
});

describe('error paths echo no secret', () => {
  async function expectError(label: string, run: Promise<CliRun>, message: RegExp): Promise<void> {
    const r = await run;
    expect(r.code, `${label}: ${r.stdout}${r.stderr}`).toBe(2);
    expect(r.stderr, label).toMatch(message);
    expectNoSecret(label, r.stdout, r.stderr);
  }

  function configIn(name: string, text: string): string {
    const dir = tempDir('sg-cfg-');
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  }

  const T = S.server;

  it('a config file whose invalid value, key or syntax error holds a secret', async () => {
    const cases: Array<[string, string, string, RegExp]> = [
      ['failOn', '.secret-guard.json', JSON.stringify({ failOn: T }), /failOn/],
      ['maxFileSize', '.secret-guard.json', JSON.stringify({ maxFileSize: T }), /maxFileSize/],
      ['unknown key', '.secret-guard.json', JSON.stringify({ [T]: true }), /not a known key/],
      ['severity key', '.secret-guard.json', JSON.stringify({ severity: { [T]: 'loud' } }), /severity/],
      ['remediation key', '.secret-guard.json', JSON.stringify({ remediation: { [T]: 'x' } }), /remediation/],
      ['ignorePaths', '.secret-guard.json', JSON.stringify({ ignorePaths: T }), /ignorePaths/],
      ['JSON syntax', '.secret-guard.json', `{"ignorePaths": [x${T}]}`, /not valid JSON/],
      ['JSON syntax at the end', '.secret-guard.json', `{"failOn": "error", "x": "${T}" "y"}`, /not valid JSON/],
      ['JSON syntax in a long key', '.secret-guard.json', `{"${'k'.repeat(30)}${T}": tru}`, /not valid JSON/],
      ['YAML syntax', '.secret-guard.yml', `ignorePaths: [\nfailOn: "${T}\n`, /not valid YAML/],
      ['YAML value', '.secret-guard.yml', `failOn: ${T}\n`, /failOn/],
      ['YAML key', '.secret-guard.yml', `${T}: 1\n`, /not a known key/],
    ];
    await Promise.all(cases.map(([label, name, text, message]) => expectError(label, scan(['--config', configIn(name, text)]), message)));
  });

  it('a custom rule that is invalid, unsafe or fails its own examples, with a secret in it', async () => {
    const rule = (over: Record<string, unknown>) =>
      JSON.stringify({ rules: [{ id: 'leaked-key', pattern: `(?<secret>${T})`, keywords: [T.slice(0, 8)], examples: [`key ${T}`], negativeExamples: ['key none'], ...over }] });
    const cases: Array<[string, string, RegExp]> = [
      ['invalid pattern', rule({ pattern: `(?<secret>${T}` }), /pattern/],
      ['pattern the linear engine refuses', rule({ pattern: `(?<secret>(${T})\\2)` }), /leaked-key/],
      ['example not found', rule({ examples: [`nothing here ${T.slice(0, 10)}`] }), /example 1/],
      ['negative example found', rule({ negativeExamples: [`key ${T}`] }), /negative example 1/],
      ['wrong type', rule({ keywords: T }), /keywords/],
      ['unknown rule key', JSON.stringify({ rules: [{ id: 'x', [T]: 1 }] }), /rule key/],
    ];
    await Promise.all(cases.map(([label, text, message]) => expectError(label, scan(['--config', configIn('.secret-guard.json', text)]), message)));
  });

  it('flags, paths and ranges that hold a secret', async () => {
    const cases: Array<[string, string[], RegExp]> = [
      ['unknown flag with a value', ['scan', '--foo', T], /Unknown argument/],
      ['unknown flag with =value', ['scan', `--foo=${T}`], /Unknown argument/],
      ['unknown flag named like a secret', ['scan', `--${T}`], /Unknown argument/],
      ['bad choice', ['scan', '--format', T], /format/],
      ['bad --fail-on', ['scan', '--fail-on', T], /fail-on/],
      ['bad size', ['scan', '--max-file-size', T], /max-file-size/],
      ['range without dots', ['scan', '--range', T], /--range/],
      ['range base', ['scan', '--range', `${T}..HEAD`], /does not resolve/],
      ['range head', ['scan', '--range', `HEAD..${T}`], /does not resolve/],
      ['path that does not exist', ['scan', T], /no such file or folder/],
      ['path under a folder', ['scan', `config/${T}.yml`], /no such file or folder/],
      ['missing config file', ['scan', '--config', T], /does not exist/],
      ['missing baseline', ['scan', '--baseline', `${T}.json`], /baseline/],
      ['two modes', ['scan', '--staged', '--range', `${T}..HEAD`], /choose one/],
      ['ignore with a secret for a fingerprint', ['ignore', T], /fingerprint/],
      ['unknown command', [T], /Unknown argument|command/],
      ['rules with a bad config', ['rules', '--config', configIn('.secret-guard.json', JSON.stringify({ failOn: T, [T]: 1 }))], /not a known key|failOn/],
    ];
    await Promise.all(cases.map(([label, args, message]) => expectError(label, cliAsync(args, repo.dir), message)));
  });

  it('outside a repository, with a secret in the range', async () => {
    const dir = tempDir('sg-norepo-');
    await expectError('range outside a repository', cliAsync(['scan', '--range', `${T}..HEAD`], dir), /needs a git repository/);
  });
});

describe('error messages cut every credential shape', () => {
  it('an SMTP secret key with only two character classes, and a token in base64', () => {
    const twoClass = `qz${'abcdefghijklmnopqrstuvwxyz0123456789'.split('').sort(() => Math.random() - 0.5).join('').slice(0, 32)}-_`;
    const base64 = Buffer.from(`${S.server}\n`).toString('base64');
    const text = describeError(new Error(`unknown key ${twoClass} and value ${base64}`));
    for (const secret of [twoClass, base64]) {
      for (let i = 0; i + 12 <= secret.length; i++) expect(text).not.toContain(secret.slice(i, i + 12));
    }
    expect(text).toContain(`${twoClass.slice(0, 4)}…`);
    expect(text).toContain(`${base64.slice(0, 4)}…`);
  });
});

describe('a rule that throws', () => {
  // No input makes a built-in rule throw, and a test hook in the CLI is not wanted, so the
  // error the engine raises is described directly: the rule, the path, the cause's name.
  it('is described by rule, path and the name of the cause, never the line it was scanning', () => {
    const line = `POSTMARK_SERVER_TOKEN=${S.server}`;
    const cause = new SyntaxError(`Unexpected token in "${line}"`);
    const text = describeError(new RuleError('postmark-server-token', 'config/app.env', cause));
    expect(text).toMatch(/^secret-guard: internal error \(Error\): rule postmark-server-token failed on config\/app\.env: SyntaxError\nThis is a bug/);
    expectNoSecret('RuleError', text);
    // Any other error that quotes a secret in its message has it cut.
    expectNoSecret('plain error', describeError(cause), describeError(line));
  });
});

describe('remediate keeps the secrets to its files', () => {
  it('prints none on stdout or stderr, writes them only to replacements.txt and messages.txt', async () => {
    const out = join(tempDir('sg-rem-'), 'remediation');
    // Private: a folder others can read is refused (test/remediate-output-safety.test.ts).
    mkdirSync(out, { mode: 0o700 });
    const r = await cliAsync(['remediate', '--out', out, '--force'], repo.dir);
    expect(r.code, r.stderr).toBe(1);
    expectNoSecret('remediate output', r.stdout, r.stderr);
    const files = Object.fromEntries(readdirSync(out).map((f) => [f, readFileSync(join(out, f), 'utf8')]));
    expectNoSecret('ROTATION.md', files['ROTATION.md']!);
    const held = `${files['replacements.txt']}${files['messages.txt'] ?? ''}`;
    for (const s of EXPECTED.history) expect(held).toContain(s);
  });
});
