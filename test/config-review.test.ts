/**
 * Review of settings loading: inputs a reader would take one way and a loader another. Each
 * config either loads with the meaning its reader sees or is exit 2 naming the file and what is
 * wrong, never an internal error or a silent guess (gitleaks and ggshield users expect the same of
 * a TOML or YAML config). Every case runs a real scan of a repository holding a tracked `.env`
 * (dotenv-not-ignored, severity error): the verdict shows which settings were applied.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, cliBin } from './helpers/cli.js';
import { cleanupAll, fakeToken, GIT_IDENTITY, makeRepo, tempDir } from './helpers/repo.js';

afterAll(cleanupAll);

const ALIAS_BOMB = ['a: &a [x, x, x, x, x, x, x, x, x]', ...'bcdefg'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefg'[i]}`).join(', ')}]`)].join('\n');

/** [name, file, text, expected exit, what stderr says]; exit 0 means the file disabled the .env rule. */
const CASES: Array<[string, string, string | Buffer, 0 | 1 | 2, RegExp?]> = [
  // Defects found by this review (each loaded before as something its reader does not see, or crashed).
  ['JSON: a key given twice (JSON.parse keeps the last)', '.secret-guard.json', '{"disabledRules": ["dotenv-not-ignored"], "disabledRules": []}', 2, /\.secret-guard\.json:1: `disabledRules` is given twice/],
  ['JSON: a key given twice, nested and escaped', '.secret-guard.json', '{"severity": {\n "dotenv-not-ignored": "info",\n "dotenv-not-ignor\\u0065d": "error"}}', 2, /:3: `severity\.dotenv-not-ignored` is given twice/],
  ['YAML: an unknown tag loads as a string', '.secret-guard.yml', 'disabledRules: [!custom dotenv-not-ignored]\n', 2, /not plain YAML: Unresolved tag: !custom \(line 1\)/],
  ['YAML: a js tag loads as a string', '.secret-guard.yml', 'disabledRules: [!!js/function dotenv-not-ignored]\n', 2, /not plain YAML: Unresolved tag/],
  ['YAML: an unknown directive', '.secret-guard.yml', '%FOO bar\n---\ndisabledRules: [dotenv-not-ignored]\n', 2, /not plain YAML: Unknown directive %FOO/],
  ['YAML: a list as a key (a warning on the process stderr)', '.secret-guard.yml', '? [disabledRules]\n: [dotenv-not-ignored]\n', 2, /\(line 1\): a key is a list, a map or an alias/],
  ['YAML: an alias to no anchor (was an internal error)', '.secret-guard.yml', 'disabledRules: *rules\n', 2, /not valid YAML: Unresolved alias/],
  ['YAML: an alias bomb (was an internal error)', '.secret-guard.yml', `${ALIAS_BOMB}\n`, 2, /not valid YAML: Excessive alias count/],
  ['YAML: !!omap severity (a Map, read by the schema as an empty object)', '.secret-guard.yml', 'severity: !!omap [dotenv-not-ignored: info]\n', 2, /`severity` is a YAML ordered map/],
  ['YAML: !!set disabledRules', '.secret-guard.yml', 'disabledRules: !!set {dotenv-not-ignored}\n', 2, /`disabledRules` is a YAML set/],
  ['YAML: !!binary (refused before too, as "not a list of rule ids")', '.secret-guard.yml', 'disabledRules: [!!binary ZG90ZW52LW5vdC1pZ25vcmVk]\n', 2, /`disabledRules\[0\]` is a YAML binary value/],
  ['YAML: .nan for maxFileSize', '.secret-guard.yml', 'maxFileSize: .nan\n', 2, /`maxFileSize` is a YAML NaN/],
  ['a fraction of a byte (0.5 read as 0, while "0.5" was refused)', '.secret-guard.json', '{"maxFileSize": 0.5}', 2, /`maxFileSize` must be a size/],
  ['UTF-16 (Windows PowerShell\'s >): "not an object"', '.secret-guard.yml', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('disabledRules: [dotenv-not-ignored]\n', 'utf16le')]), 2, /\.secret-guard\.yml is UTF-16 text, so it was not read\nSave it as UTF-8/],
  // A rule id that names no rule did nothing, silently (a misspelt override left its rule as it was).
  ['severity of a misspelt rule id (the rule stayed a warning)', '.secret-guard.json', '{"severity": {"dotenv-not-ignord": "info"}}', 2, /\.secret-guard\.json:1: `severity\.dotenv-not-ignord` names no rule \(dotenv-not-ignord\)\nThe rules are dotenv-not-ignored, /],
  ['disabledRules with an id that names no rule', '.secret-guard.yml', 'disabledRules:\n  - dotenv-not-ignored\n  - postmark-token\n', 2, /\.secret-guard\.yml:3: `disabledRules\[1\]` names no rule \(postmark-token\)/],
  ['severity of a custom rule, by its id', '.secret-guard.yml', `severity: { x-key: warning }\ndisabledRules: [dotenv-not-ignored]\nrules:\n  - id: x-key\n    pattern: XKEY-[0-9]{4}\n    examples: ['XKEY-1234']\n    negativeExamples: ['XKEY-12']\n`, 0],
  // Already decided well: kept as they are.
  ['YAML: a key given twice', '.secret-guard.yml', 'disabledRules: [dotenv-not-ignored]\ndisabledRules: []\n', 2, /not valid YAML: Map keys must be unique/],
  ['YAML: two documents', '.secret-guard.yml', 'disabledRules: [dotenv-not-ignored]\n---\ndisabledRules: []\n', 2, /not valid YAML: Source contains multiple documents/],
  ['YAML 1.2: << is a key, not a merge', '.secret-guard.yml', '<<: {disabledRules: [dotenv-not-ignored]}\n', 2, /`<<` is not a known key/],
  ['YAML 1.1 (declared): << merges, as its reader expects', '.secret-guard.yml', '%YAML 1.1\n---\n<<: {disabledRules: [dotenv-not-ignored]}\n', 0],
  ['YAML: an anchor and its alias', '.secret-guard.yml', 'disabledRules: &off [dotenv-not-ignored]\nignorePaths: *off\n', 0],
  ['YAML: a non-string key', '.secret-guard.yml', '1: a\n', 2, /`1` is not a known key/],
  ['YAML: a config that is a list', '.secret-guard.yml', '- disabledRules\n', 2, /`\(top level\)` must be an object/],
  ['YAML: a config that is a scalar', '.secret-guard.yml', 'disabledRules\n', 2, /`\(top level\)` must be an object/],
  ['JSON: a config that is a list', '.secret-guard.json', '[]', 2, /`\(top level\)` must be an object/],
  ['failOn: None', '.secret-guard.yml', 'failOn: None\n', 2, /`failOn` must be error, warning, info or none/],
  ['failOn: ERROR', '.secret-guard.json', '{"failOn": "ERROR"}', 2, /`failOn` must be error/],
  ['failOn left empty (null)', '.secret-guard.yml', 'failOn:\n', 2, /`failOn` must be error/],
  ['maxFileSize: .inf', '.secret-guard.yml', 'maxFileSize: .inf\n', 2, /`maxFileSize` must be a size/],
  ['maxFileSize: 1e400 (Infinity)', '.secret-guard.json', '{"maxFileSize": 1e400}', 2, /`maxFileSize` must be a size/],
  ['maxFileSize: "5e6" (a string)', '.secret-guard.json', '{"maxFileSize": "5e6"}', 2, /`maxFileSize` must be a size/],
  ['maxFileSize: 0x10 (YAML) is a number', '.secret-guard.yml', 'maxFileSize: 0x10\ndisabledRules: [dotenv-not-ignored]\n', 0],
  ['maxFileSize: 5e6 (JSON) is a number', '.secret-guard.json', '{"maxFileSize": 5e6, "disabledRules": ["dotenv-not-ignored"]}', 0],
  ['JSON with a comment', '.secret-guard.json', '{"disabledRules": ["dotenv-not-ignored"]} // off\n', 2, /not valid JSON: Unexpected non-whitespace character after JSON \(line 1, column 43\)/],
  ['CRLF', '.secret-guard.yml', 'disabledRules:\r\n  - dotenv-not-ignored\r\n', 0],
  ['a byte-order mark', '.secret-guard.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"disabledRules": ["dotenv-not-ignored"]}')]), 0],
  ['JSON nested 100,000 deep (the repeated-key check walks it without recursion)', '.secret-guard.json', `{"x": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`, 2, /`x` is not a known key/],
  ['YAML nested 100,000 deep', '.secret-guard.yml', `x: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`, 2, /not valid YAML/],
  ['over 1 MiB', '.secret-guard.json', `{"disabledRules": ["dotenv-not-ignored"]}${' '.repeat(1024 * 1024)}`, 2, /over the 1 MiB limit for settings files/],
];

describe('a config reads as its reader reads it, or is exit 2 naming the problem', () => {
  it.each(CASES)('%s', (_name, file, text, code, message) => {
    const repo = makeRepo({ files: { '.env': 'A=1\n', [file]: text } });
    // The deep ones through bin/, as a user runs them: the test suite's in-process host has a
    // stack of its own.
    const r = (/nested/.test(_name) ? cliBin : cli)(['scan'], repo.dir);
    expect(r.stderr).not.toMatch(/internal error|Warning:/);
    expect(r.code).toBe(code);
    if (message) expect(r.stderr).toMatch(message);
  });

  it('in a range, the base commit\'s config is held to the same (a key given twice)', () => {
    const repo = makeRepo({ files: { '.secret-guard.json': '{"failOn": "error", "failOn": "none"}', 'README.md': 'x\n' } });
    repo.git('checkout', '-q', '-b', 'feature');
    repo.commit({ 'deploy/prod.env': `POSTMARK_SERVER_TOKEN=${fakeToken()}\n` });
    const r = cli(['scan', '--range', 'main..feature'], repo.dir);
    expect(r.stderr).toMatch(/[0-9a-f]{12}:\.secret-guard\.json:1: `failOn` is given twice/);
    expect(r.code).toBe(2);
  });

  it('two configs side by side are refused: one was read, the other ignored in silence', () => {
    const repo = makeRepo({ files: { '.secret-guard.json': '{"failOn": "none"}', '.secret-guard.yml': 'failOn: error\n', 'deploy/prod.env': `POSTMARK_SERVER_TOKEN=${fakeToken()}\n` } });
    const r = cli(['scan'], join(repo.dir, 'deploy'));
    expect(r.stderr).toMatch(/\.secret-guard\.json and \.secret-guard\.yml are both in .*, and only one config is read\nMerge them/);
    expect(r.code).toBe(2);
    // At a range's base too (the base's settings are the range's).
    repo.git('checkout', '-q', '-b', 'feature');
    repo.commit({ 'more.env': `POSTMARK_SERVER_TOKEN=${fakeToken()}\n` });
    const range = cli(['scan', '--range', 'main..feature'], repo.dir);
    expect(range.stderr).toMatch(/are both in the base commit [0-9a-f]{12}/);
    expect(range.code).toBe(2);
    // One of them: read.
    repo.write({ '.secret-guard.json': null });
    expect(cli(['scan'], repo.dir).code).toBe(1);
  });

  it("two server configs in a bare repository's git directory refuse the push (pre-receive)", () => {
    const server = makeRepo({ bare: true }).dir;
    expect(cli(['install', '--hook', 'pre-receive'], server, { HOME: server }).code).toBe(0);
    writeFileSync(join(server, 'secret-guard.json'), '{"failOn": "none"}');
    writeFileSync(join(server, 'secret-guard.yml'), 'failOn: error\n');
    const client = makeRepo({ files: { 'deploy/prod.env': `POSTMARK_SERVER_TOKEN=${fakeToken()}\n` } });
    client.git('remote', 'add', 'origin', server);
    const push = spawnSync('git', ['push', 'origin', 'main'], { cwd: client.dir, env: { ...process.env, ...GIT_IDENTITY, HOME: client.dir }, encoding: 'utf8' });
    expect(push.stderr).toMatch(/secret-guard\.json and secret-guard\.yml are both in .*, and only one config is read/);
    expect(push.status).not.toBe(0);
  });

  it('a settings file that is not UTF-8 is refused: a Latin-1 glob that takes back a folder took back nothing', () => {
    const t = fakeToken();
    const repo = makeRepo({ files: { 'docs/café/prod.env': `POSTMARK_SERVER_TOKEN=${t}\n`, '.secret-guard.json': Buffer.from('{"ignorePaths": ["docs/**", "!docs/café/**"]}', 'latin1') } });
    const r = cli(['scan'], repo.dir);
    expect(r.stderr).toMatch(/\.secret-guard\.json is not UTF-8 text, so it was not read/);
    expect(r.code).toBe(2);
    // The same in UTF-8 reads the folder.
    repo.write({ '.secret-guard.json': '{"ignorePaths": ["docs/**", "!docs/café/**"]}' });
    expect(cli(['scan', '--format', 'json'], repo.dir).stdout).toContain('docs/café/prod.env');
  });

  it('an ignore file saved as UTF-16, in the checkout and at a range\'s base', () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('# reviewed\n', 'utf16le')]);
    const repo = makeRepo({ files: { '.secret-guard-ignore': utf16, 'README.md': 'x\n' } });
    expect(cli(['scan'], repo.dir).stderr).toMatch(/ignore file .*\.secret-guard-ignore is UTF-16 text/);
    repo.git('checkout', '-q', '-b', 'feature');
    repo.commit({ 'deploy/prod.env': `POSTMARK_SERVER_TOKEN=${fakeToken()}\n` });
    const r = cli(['scan', '--range', 'main..feature'], repo.dir);
    expect(r.stderr).toMatch(/[0-9a-f]{12}:\.secret-guard-ignore is UTF-16 text/);
    expect(r.code).toBe(2);
  });

  it('a baseline with a key given twice is refused, not read as its last', () => {
    const repo = makeRepo({ files: { 'deploy/prod.env': `POSTMARK_SERVER_TOKEN=${fakeToken()}\n` } });
    const file = join(tempDir('sg-base-'), 'baseline.json');
    expect(cli(['scan', '--write-baseline', file], repo.dir).code).toBe(0);
    expect(cli(['scan', '--baseline', file], repo.dir).code).toBe(0);
    writeFileSync(file, '{"version": 1, "findings": [], "findings": []}');
    const r = cli(['scan', '--baseline', file], repo.dir);
    expect(r.stderr).toMatch(/baseline .*baseline\.json:1: `findings` is given twice/);
    expect(r.code).toBe(2);
  });
});
