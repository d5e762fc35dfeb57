import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { cleanupAll, fakeToken, gitIn, makeRepo, tempDir } from './helpers/repo.js';

afterAll(cleanupAll);

interface JsonFinding {
  file: string;
  line: number;
  commit: string;
  kind: string;
  holders: { commits: number; refs: string[]; inHead: boolean };
}

function range(dir: string, spec: string, tokens: string[], ...extra: string[]) {
  const r = cli(['scan', '--range', spec, '--format', 'json', ...extra], dir);
  for (const t of tokens) expect(r.stdout + r.stderr).not.toContain(t);
  const json = r.code === 2 ? null : JSON.parse(r.stdout);
  return { ...r, json, findings: (json?.findings ?? []) as JsonFinding[] };
}

const env = (token: string) => `POSTMARK_SERVER_TOKEN=${token}\n`;

describe('scan --range BASE..HEAD', () => {
  it('reads only the commits in the range', () => {
    const inBase = fakeToken();
    const inRange = fakeToken();
    const repo = makeRepo({ files: { 'old.txt': env(inBase) } });
    repo.git('checkout', '-q', '-b', 'feature');
    const leak = repo.commit({ 'new.txt': env(inRange) }, 'feature');
    repo.commit({ 'c.txt': 'c\n' }, 'more');
    const r = range(repo.dir, 'main..feature', [inBase, inRange]);
    expect(r.code).toBe(1);
    expect(r.json.mode).toBe('range');
    expect(r.json.stats.commitsScanned).toBe(2);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ file: 'new.txt', commit: leak, holders: { commits: 2, refs: ['refs/heads/feature'], inHead: true } });
  });

  it('does not report a token already in the base when the range edits another line of its file', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'settings.txt': `DEBUG=1\n${env(token)}` } });
    const base = repo.git('rev-parse', 'HEAD').trim();
    repo.commit({ 'settings.txt': `DEBUG=0\n${env(token)}` }, 'edit another line');
    repo.git('mv', 'settings.txt', 'renamed.txt');
    repo.commit({}, 'rename it');
    const r = range(repo.dir, `${base}..HEAD`, [token]);
    expect(r.code).toBe(0);
    expect(r.json.stats.commitsScanned).toBe(2);
    expect(r.findings).toHaveLength(0);
  });

  it('reports a second token added to a file that already had one', () => {
    const old = fakeToken();
    const added = fakeToken();
    const repo = makeRepo({ files: { 'settings.txt': env(old) } });
    const base = repo.git('rev-parse', 'HEAD').trim();
    repo.commit({ 'settings.txt': `${env(old)}POSTMARK_ACCOUNT_TOKEN=${added}\n` });
    const r = range(repo.dir, `${base}..HEAD`, [old, added]);
    expect(r.code).toBe(1);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ file: 'settings.txt', line: 2 });
  });

  it('does not blame a pull request for tokens it merged in from the base branch', () => {
    const onMain = fakeToken();
    const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    repo.git('checkout', '-q', '-b', 'feature');
    repo.commit({ 'f.txt': 'f\n' }, 'feature work');
    repo.git('checkout', '-q', 'main');
    repo.commit({ 'main.txt': env(onMain) }, 'token lands on main');
    repo.git('checkout', '-q', 'feature');
    repo.git('merge', '-q', '--no-edit', 'main');
    const r = range(repo.dir, 'main..feature', [onMain]);
    expect(r.json.stats.commitsScanned).toBe(2);
    expect(r.code).toBe(0);
  });

  // KNOWN BUG (open, issue 2): `debug: POSTMARK_SERVER_TOKEN=<uuid>` (a key after a prefix on the
  // line) is no longer matched by the engine since the detect branch's key reading. Re-enable with the fix.
  it('scans commit messages in the range', () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    repo.commit({ 'b.txt': 'b\n' }, `debug: POSTMARK_SERVER_TOKEN=${token}`);
    const r = range(repo.dir, 'HEAD~1..HEAD', [token]);
    expect(r.code).toBe(1);
    expect(r.findings[0]).toMatchObject({ kind: 'message', file: '<commit message>' });
  });

  it('exits 2 when the base or the head does not resolve, never clean', () => {
    const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    const missing = 'deadbeef'.repeat(5);
    const base = cli(['scan', '--range', `${missing}..HEAD`], repo.dir);
    expect(base.code).toBe(2);
    expect(base.stdout).toBe('');
    expect(base.stderr).toContain(`base ${missing}`);
    expect(base.stderr).toContain('fetch-depth: 0');
    const head = cli(['scan', '--range', 'HEAD..origin/nope'], repo.dir);
    expect(head.code).toBe(2);
    expect(head.stderr).toContain('head origin/nope');
    expect(cli(['scan', '--range', 'main...HEAD'], repo.dir).code).toBe(2);
    expect(cli(['scan', '--range', 'main'], repo.dir).code).toBe(2);
  });

  it('exits 0 with a note for an empty range', () => {
    const repo = makeRepo({ files: { 'a.txt': 'a\n' } });
    const r = cli(['scan', '--range', 'HEAD..HEAD'], repo.dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no commits in HEAD..HEAD');
  });

  it('in a shallow clone: scans a range that was fetched whole, refuses one that was cut', () => {
    const token = fakeToken();
    const origin = makeRepo({ files: { 'a.txt': 'a\n' } });
    for (const f of ['b', 'c', 'd']) origin.commit({ [`${f}.txt`]: `${f}\n` });
    origin.git('checkout', '-q', '-b', 'feature');
    origin.commit({ 'f1.txt': 'f\n' });
    origin.commit({ 'leak.txt': env(token) });
    const clone = join(tempDir(), 'clone');
    gitIn(origin.dir, ['clone', '-q', '--depth', '3', '--no-single-branch', `file://${origin.dir}`, clone]);
    expect(gitIn(clone, ['rev-parse', '--is-shallow-repository']).trim()).toBe('true');
    const whole = range(clone, 'origin/main..origin/feature', [token]);
    expect(whole.code).toBe(1);
    expect(whole.findings).toHaveLength(1);

    const cut = join(tempDir(), 'cut');
    gitIn(origin.dir, ['clone', '-q', '--depth', '1', '--no-single-branch', `file://${origin.dir}`, cut]);
    const r = range(cut, 'origin/main..origin/feature', [token]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/shallow clone/);
    expect(r.stderr).toContain('fetch-depth: 0');
    const allowed = range(cut, 'origin/main..origin/feature', [token], '--allow-shallow');
    expect(allowed.code).toBe(1);
    expect(allowed.json.notes.join('\n')).toMatch(/--allow-shallow/);

    const missingBase = join(tempDir(), 'single');
    gitIn(origin.dir, ['clone', '-q', '--depth', '1', '--branch', 'feature', `file://${origin.dir}`, missingBase]);
    const main = origin.git('rev-parse', 'main').trim();
    const m = range(missingBase, `${main}..HEAD`, [token]);
    expect(m.code).toBe(2);
    expect(m.stderr).toContain('does not resolve');
  });
});
