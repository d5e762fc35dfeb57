/** Each format against real scans of real repositories, through bin/. */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { cleanupAll, fakeToken, makeRepo, tempDir } from './helpers/repo.js';
import { needTool } from './helpers/tools.js';

afterAll(cleanupAll);

const schema = JSON.parse(readFileSync(new URL('./schemas/sarif-2.1.0-rtm.5.json', import.meta.url), 'utf8'));
const validate = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false, validateFormats: false }).compile(schema);

function leakyRepo() {
  const server = fakeToken();
  const account = fakeToken();
  const repo = makeRepo({
    files: {
      'config/a,b:c.yml': `postmark:\n  api_token: ${server}\n`,
      'docs/odd name %.md': `curl -H "X-Postmark-Account-Token: ${account}" https://api.postmarkapp.com/servers\n`,
      '.env': 'DEBUG=1\n',
      'mailer.js': "const postmark = require('postmark')('your-api-token-here');\n",
    },
  });
  repo.commit({}, `rotate token ${fakeToken()} POSTMARK_SERVER_TOKEN=${fakeToken()}`);
  return { repo, secrets: [server, account] };
}

describe('--format sarif', () => {
  it('validates against the SARIF 2.1.0 schema, for the working tree and for history', () => {
    const { repo } = leakyRepo();
    for (const mode of [[], ['--history']]) {
      const r = cli(['scan', ...mode, '--format', 'sarif'], repo.dir);
      expect(r.code).toBe(1);
      const log = JSON.parse(r.stdout);
      const ok = validate(log);
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  it('describes every rule and locates results as GitHub expects', () => {
    const { repo, secrets } = leakyRepo();
    const r = cli(['scan', '--format', 'sarif'], repo.dir);
    const run = JSON.parse(r.stdout).runs[0];
    const ids = run.tool.driver.rules.map((x: { id: string }) => x.id);
    expect(ids).toEqual(expect.arrayContaining(['postmark-server-token', 'postmark-account-token', 'postmark-smtp-token', 'postmark-hardcoded-client', 'dotenv-not-ignored']));
    for (const rule of run.tool.driver.rules) {
      expect(rule.properties['security-severity']).toMatch(/^\d+\.\d$/);
      expect(rule.help.text.length).toBeGreaterThan(10);
    }
    const server = run.results.find((x: { ruleId: string }) => x.ruleId === 'postmark-server-token');
    expect(server.locations[0].physicalLocation.artifactLocation.uri).toBe('config/a%2Cb%3Ac.yml');
    expect(server.locations[0].physicalLocation.region).toEqual({ startLine: 2, startColumn: 14, endLine: 2, endColumn: 50 });
    expect(run.tool.driver.rules[server.ruleIndex].id).toBe('postmark-server-token');
    expect(server.partialFingerprints['secretGuard/v1']).toMatch(/^[0-9a-f]{32}$/);
    const odd = run.results.find((x: { ruleId: string }) => x.ruleId === 'postmark-account-token');
    expect(odd.locations[0].physicalLocation.artifactLocation.uri).toBe('docs/odd%20name%20%25.md');
    for (const s of secrets) expect(r.stdout).not.toContain(s);
  });
});

describe('--format sarif, as GitHub code scanning ingests it', () => {
  const validator = needTool('sarif-multitool', "Microsoft's SARIF validator run on a history report");

  /** A history report holding a content, a path (.env committed), a commit-message and a tag-message finding. */
  function historyReport() {
    const { repo, secrets } = leakyRepo();
    const tagged = fakeToken();
    repo.git('tag', '-a', 'v1', '-m', `release notes\n\nPOSTMARK_SERVER_TOKEN=${tagged}`);
    secrets.push(tagged);
    const r = cli(['scan', '--history', '--format', 'sarif'], repo.dir);
    expect(r.code, r.stderr).toBe(1);
    const results = JSON.parse(r.stdout).runs[0].results as Array<{ ruleId: string; locations: Array<Record<string, any>> }>;
    return { text: r.stdout, results, secrets, repo };
  }

  it('gives every result a physical location with a region: a path finding is line 1 of the file, a message finding the commit-message/<sha> pseudo-file', () => {
    const { results, repo } = historyReport();
    const message = repo.git('log', '-1', '--format=%H').trim();
    for (const res of results) {
      const loc = res.locations[0]!.physicalLocation;
      expect(loc?.artifactLocation?.uri, res.ruleId).toMatch(/./);
      expect(loc.region.startLine).toBeGreaterThanOrEqual(1);
      expect(loc.region.startColumn).toBeGreaterThanOrEqual(1);
    }
    const env = results.find((x) => x.ruleId === 'dotenv-not-ignored')!;
    expect(env.locations[0]!.physicalLocation).toEqual({ artifactLocation: { uri: '.env', uriBaseId: '%SRCROOT%' }, region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 } });
    const inMessage = results.filter((x) => x.locations[0]!.physicalLocation.artifactLocation.uri === `commit-message/${message}`);
    expect(inMessage.length).toBe(1);
    expect(inMessage[0]!.locations[0]!.logicalLocations[0]).toMatchObject({ kind: 'commit message', name: message });
    expect(inMessage[0]!.locations[0]!.physicalLocation.region).toMatchObject({ startLine: 1, endLine: 1 });
    // A tag's message: the tag object, never a commit-message/ path (no commit holds it).
    const tag = repo.git('rev-parse', 'v1').trim();
    const inTag = results.filter((x) => x.locations[0]!.physicalLocation.artifactLocation.uri === `tag-message/${tag}`);
    expect(inTag.length).toBe(1);
    expect(inTag[0]!.locations[0]!.logicalLocations[0]).toMatchObject({ kind: 'tag message', name: tag, fullyQualifiedName: `tag:${tag}` });
    expect(inTag[0]!.locations[0]!.physicalLocation.region).toMatchObject({ startLine: 3, endLine: 3 });
  });

  it.skipIf(!validator)('passes Microsoft\'s SARIF validator with GitHub\'s rules: 0 errors, 0 warnings', () => {
    const { text, results, secrets } = historyReport();
    expect([...new Set(results.map((x) => x.locations[0]!.physicalLocation.artifactLocation.uri.split('/')[0]))]).toEqual(expect.arrayContaining(['config', 'docs', '.env', 'commit-message', 'tag-message']));
    const dir = tempDir('sg-sarif-');
    writeFileSync(join(dir, 'in.sarif'), text);
    const v = spawnSync(validator!, ['validate', '--rule-kind', 'Gh;Sarif', '--output', join(dir, 'out.sarif'), join(dir, 'in.sarif')], { encoding: 'utf8', timeout: 120_000 });
    expect(v.status, `${v.stdout}${v.stderr}`).toBe(0);
    const found = JSON.parse(readFileSync(join(dir, 'out.sarif'), 'utf8')).runs[0].results as Array<{ ruleId: string; level?: string; message: { id?: string; arguments?: string[] } }>;
    // The validator's own log lists what it flagged (level warning unless set); nothing is the goal.
    expect(found.map((f) => `${f.ruleId} ${f.level ?? 'warning'} ${(f.message.arguments ?? []).join(' | ')}`)).toEqual([]);
    expect(v.stdout).not.toMatch(/\b(error|warning) (SARIF|GH)\d+/);
    for (const s of secrets) expect(text).not.toContain(s);
  });
});

describe('report files are never written through a link in the repository', () => {
  /**
   * `--output`, `--json-output`, `--sarif-output` wrote through whatever was at the path: a cloned
   * repository (or a pull request, in CI) with `results.sarif` committed as a link to a file of
   * the user's (`~/.ssh/authorized_keys`), or a linked folder on the way, chose which file the
   * scan overwrote.
   */
  const precious = 'ssh-ed25519 AAAA precious\n';

  it('a committed link at the report path, or a linked folder on the way: exit 2, the target untouched, in every mode', () => {
    const away = tempDir('sg-home-');
    const target = join(away, 'authorized_keys');
    writeFileSync(target, precious);
    const repo = makeRepo({ files: { 'README.md': 'x\n' } });
    symlinkSync(target, join(repo.dir, 'results.sarif'));
    symlinkSync(away, join(repo.dir, 'reports'));
    repo.commit({}, 'links');
    // Every way of naming a report file, in one mode; every mode (each has its own root), one way.
    const runs = [
      ...[['--output', 'results.sarif'], ['--format', 'sarif', '--output', 'results.sarif'], ['--json-output', 'results.sarif'], ['--gitlab-output', 'results.sarif']].map((flags) => ['scan', ...flags]),
      ...[[], ['--staged'], ['--history'], ['--range', 'HEAD~1..HEAD']].map((mode) => ['scan', ...mode, '--sarif-output', 'results.sarif']),
    ];
    for (const args of runs) {
      const r = cli(args, repo.dir);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain('results.sarif is a symbolic link in the repository, so the report was not written there');
    }
    for (const mode of [[], ['--history']]) {
      const r = cli(['scan', ...mode, '--sarif-output', 'reports/authorized_keys'], repo.dir);
      expect(r.code, `${mode}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toContain('reports/authorized_keys is below reports/, a symbolic link in the repository');
    }
    expect(readFileSync(target, 'utf8')).toBe(precious);
    // From a subfolder, by a path that climbs back into the repository: refused the same way.
    mkdirSync(join(repo.dir, 'sub'));
    expect(cli(['scan', '--output', '../results.sarif'], join(repo.dir, 'sub')).code).toBe(2);
    expect(readFileSync(target, 'utf8')).toBe(precious);
  });

  it('a link outside the repository is the user\'s own, and is followed; a plain path is written as before', () => {
    const repo = makeRepo({ files: { 'README.md': 'x\n' } });
    const away = tempDir('sg-out-');
    const file = join(away, 'real.json');
    symlinkSync(file, join(away, 'link.json'));
    const r = cli(['scan', '--json-output', join(away, 'link.json'), '--output', 'report.txt'], repo.dir);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8')).findings).toEqual([]);
    expect(readFileSync(join(repo.dir, 'report.txt'), 'utf8')).toMatch(/no findings/);
  });
});

describe('--format github', () => {
  it('escapes properties and data as the actions toolkit does', () => {
    const { repo, secrets } = leakyRepo();
    const r = cli(['scan', '--format', 'github'], repo.dir);
    expect(r.code).toBe(1);
    const line = r.stdout.split('\n').find((l) => l.includes('postmark-server-token'))!;
    expect(line).toMatch(/^::error file=config\/a%2Cb%3Ac\.yml,line=2,endLine=2,col=14,endColumn=50,title=Postmark Server API token \[postmark-server-token\]::/);
    expect(line).toContain('%0AFix:');
    expect(line).not.toMatch(/\n/);
    expect(r.stdout).toMatch(/^::warning file=mailer\.js,/m);
    for (const s of secrets) expect(r.stdout).not.toContain(s);
  });
});

describe('--format gitlab', () => {
  it('writes the Secret Detection report shape with the commit of each finding', () => {
    const { repo, secrets } = leakyRepo();
    const head = repo.git('rev-parse', 'HEAD').trim();
    const r = cli(['scan', '--format', 'gitlab', '--output', 'gl-secret-detection-report.json'], repo.dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/report written to gl-secret-detection-report\.json/);
    const text = readFileSync(`${repo.dir}/gl-secret-detection-report.json`, 'utf8');
    const doc = JSON.parse(text);
    expect(doc.version).toBe('15.2.1');
    expect(doc.scan).toMatchObject({ type: 'secret_detection', status: 'success', analyzer: { id: 'secret-guard' }, scanner: { vendor: { name: 'secret-guard' } } });
    expect(doc.scan.start_time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
    const v = doc.vulnerabilities.find((x: { identifiers: Array<{ value: string }> }) => x.identifiers[0]!.value === 'postmark-server-token');
    expect(v).toMatchObject({ category: 'secret_detection', severity: 'Critical', location: { file: 'config/a,b:c.yml', start_line: 2, end_line: 2, commit: { sha: head } } });
    expect(v.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    for (const s of secrets) expect(text).not.toContain(s);
  });
});

describe('every format redacts; --show-secrets is the only way to see a secret', () => {
  it.each(['text', 'json', 'sarif', 'github', 'gitlab'])('%s', (format) => {
    const { repo, secrets } = leakyRepo();
    const hidden = cli(['scan', '--history', '--format', format], repo.dir);
    for (const s of secrets) expect(hidden.stdout + hidden.stderr).not.toContain(s);
    const shown = cli(['scan', '--history', '--format', format, '--show-secrets'], repo.dir);
    for (const s of secrets) expect(shown.stdout).toContain(s);
  });
});

describe('--json-output, --sarif-output, --gitlab-output: several reports from one scan', () => {
  /** A report with what changes from run to run (durations, timestamps) blanked. */
  const stable = (text: string) => text.replace(/"(durationMs|start_time|end_time|startTimeUtc|endTimeUtc)": ?("[^"]*"|\d+)/g, '"$1": 0');

  it('write the very report --format writes, beside the one on stdout, in every scan mode', () => {
    const { repo, secrets } = leakyRepo();
    const out = tempDir('sg-reports-');
    for (const mode of [[], ['--history'], ['--range', 'HEAD~1..HEAD']]) {
      const files = { json: join(out, 'r.json'), sarif: join(out, 'r.sarif'), gitlab: join(out, 'gl.json') };
      const r = cli(['scan', ...mode, '--format', 'github', '--json-output', files.json, '--sarif-output', files.sarif, '--gitlab-output', files.gitlab], repo.dir);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toMatch(/^::error /m);
      for (const [format, file] of Object.entries(files)) {
        const alone = cli(['scan', ...mode, '--format', format], repo.dir);
        const written = readFileSync(file, 'utf8');
        expect(stable(written), `${mode.join(' ')} ${format}`).toBe(stable(alone.stdout));
        for (const s of secrets) expect(written).not.toContain(s);
      }
    }
  });

  it('are usage errors beside --write-baseline and on a push gate, never ignored', () => {
    const { repo } = leakyRepo();
    const r = cli(['scan', '--write-baseline', 'b.json', '--sarif-output', 'x.sarif'], repo.dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--write-baseline writes a baseline and no report: drop --sarif-output');
    const gate = cli(['scan', '--commit-msg', '.git/COMMIT_EDITMSG', '--json-output', 'x.json'], repo.dir);
    expect(gate.code).toBe(2);
    expect(gate.stderr).toContain('--json-output is for the scan modes; a push gate reports to the pusher');
  });
});

describe('the JSON report names the files the scan did not read', () => {
  it('without --verbose, in the working tree and the history: unread lists each file over --max-file-size that holds a rule keyword, and only those', () => {
    const repo = makeRepo({ files: { 'dump/mail.sql': `-- postmark settings\n${'x'.repeat(200)}\n`, 'dump/other.sql': `${'y'.repeat(200)}\n`, 'README.md': '# app\n' } });
    for (const args of [['scan'], ['scan', '--history']]) {
      const r = cli([...args, '--format', 'json', '--max-file-size', '100'], repo.dir);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      const report = JSON.parse(r.stdout) as { unread: Array<{ file: string; reason: string }>; stats: { skippedPaths?: unknown } };
      expect(report.unread.map((u) => u.file), args.join(' ')).toEqual(['dump/mail.sql']);
      expect(report.unread[0]!.reason).toContain('over --max-file-size');
      expect(report.stats.skippedPaths).toBeUndefined();
    }
    const clean = JSON.parse(cli(['scan', '--format', 'json'], repo.dir).stdout) as { unread: unknown[] };
    expect(clean.unread).toEqual([]);
  });
});
