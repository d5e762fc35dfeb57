/**
 * Annotated tag messages are text a history scan reads: `git log` never shows them, and
 * `git push --tags` publishes them. Real repositories, real `git tag -a`, through bin/.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cliAsync } from './helpers/cli-async.js';
import { cleanupAll, fakeToken, makeRepo } from './helpers/repo.js';
import type { JsonFinding, JsonReport } from './helpers/report.js';

afterAll(cleanupAll);

async function findings(cwd: string, args: string[]): Promise<{ code: number; list: JsonFinding[] }> {
  const r = await cliAsync(['scan', ...args, '--format', 'json', '--show-secrets'], cwd);
  expect(r.code, r.stderr).not.toBe(2);
  return { code: r.code, list: (JSON.parse(r.stdout) as JsonReport).findings };
}

describe('annotated tag messages', () => {
  it('are scanned by --history and by --range when the tagged commit is in the range; the finding names the tag', async () => {
    const repo = makeRepo({ files: { 'README.md': '# app\n' } });
    const base = repo.git('rev-parse', 'HEAD').trim();
    repo.git('tag', '-a', 'v0.9', '-m', 'old release, nothing secret');
    const old = fakeToken();
    repo.git('tag', '-a', 'v0.9-notes', '-m', `notes\n\nPOSTMARK_SERVER_TOKEN=${old}\n`, base);
    repo.commit({ 'src/app.js': 'export {};\n' }, 'feature');
    const t = fakeToken();
    repo.git('tag', '-a', 'v1.0', '-m', `Release 1.0\n\nDeploy with POSTMARK_SERVER_TOKEN=${t}\n`);
    // A tag of that tag: its own message, the same refs chain.
    repo.git('-c', 'advice.nestedTag=false', 'tag', '-a', 'v1.0-signed-off', '-m', 'ok', 'v1.0');
    const tagObject = repo.git('rev-parse', 'v1.0').trim();

    const history = await findings(repo.dir, ['--history']);
    expect(history.code).toBe(1);
    const byMatch = new Map(history.list.map((f) => [f.match, f]));
    expect([...byMatch.keys()].sort()).toEqual([old, t].sort());
    const f = byMatch.get(t)!;
    expect(f).toMatchObject({ file: '<tag message>', kind: 'message', commit: tagObject });
    expect(f.holders).toEqual({ commits: 0, refs: ['refs/tags/v1.0', 'refs/tags/v1.0-signed-off'], inHead: false });

    // The range holds the tagged commit, not the base's tag.
    const range = await findings(repo.dir, ['--range', `${base}..HEAD`]);
    expect(range.code).toBe(1);
    expect(range.list.map((x) => [x.file, x.match])).toEqual([['<tag message>', t]]);

    // The text report names the tag.
    const text = await cliAsync(['scan', '--history'], repo.dir);
    expect(text.stdout).toMatch(/^<tag message>$[^]*^  3:\d+ .*\n.*reachable from refs\/tags\/v1\.0, refs\/tags\/v1\.0-signed-off/m);
    expect(text.stdout).not.toContain(t);
  });

  it('in a range, reads the tags on the commits the range brings, a tag of a tag too, and no tag outside it', async () => {
    const repo = makeRepo({ files: { 'README.md': '# app\n' } });
    const base = repo.git('rev-parse', 'HEAD').trim();
    const before = fakeToken();
    repo.git('tag', '-a', 'v0.1', '-m', `old notes\nPOSTMARK_SERVER_TOKEN=${before}\n`);
    repo.commit({ 'src/a.js': 'export {};\n' }, 'one');
    repo.git('tag', '-a', 'v0.2', '-m', 'release');
    const outer = fakeToken();
    repo.git('-c', 'advice.nestedTag=false', 'tag', '-a', 'v0.2-approved', '-m', `approved\nPOSTMARK_SERVER_TOKEN=${outer}\n`, 'v0.2');
    repo.commit({ 'src/b.js': 'export {};\n' }, 'two');
    // A side branch off the base, tagged: reachable from neither end of base..HEAD's commits.
    repo.git('checkout', '-q', '-b', 'side', base);
    const side = fakeToken();
    repo.commit({ 'src/c.js': 'export {};\n' }, 'side');
    repo.git('tag', '-a', 'side-1', '-m', `POSTMARK_SERVER_TOKEN=${side}\n`);
    repo.git('checkout', '-q', 'main');

    const range = await findings(repo.dir, ['--range', `${base}..main`]);
    expect(range.code).toBe(1);
    expect(range.list.map((x) => [x.file, x.match, x.holders?.refs])).toEqual([['<tag message>', outer, ['refs/tags/v0.2-approved']]]);
    const all = await findings(repo.dir, ['--history']);
    expect(all.list.map((x) => x.match).sort()).toEqual([before, outer, side].sort());
  });

  it('a message that only looks signed keeps its text: a token inside a fake signature block is found', async () => {
    const repo = makeRepo({ files: { 'README.md': '# app\n' } });
    const t = fakeToken();
    repo.git('tag', '-a', 'v1', '-m', `notes\n-----BEGIN PGP SIGNATURE-----\nPOSTMARK_SERVER_TOKEN=${t}\n-----END PGP SIGNATURE-----\n`);
    const r = await findings(repo.dir, ['--history']);
    expect(r.code).toBe(1);
    expect(r.list.map((x) => x.match)).toEqual([t]);
  });

  it('clean tag messages and lightweight tags pass', async () => {
    const repo = makeRepo({ files: { 'README.md': '# app\n' } });
    repo.git('tag', '-a', 'v1', '-m', 'Release 1: uses process.env.POSTMARK_SERVER_TOKEN');
    repo.git('tag', 'light');
    expect((await findings(repo.dir, ['--history'])).code).toBe(0);
    expect((await findings(repo.dir, ['--range', 'HEAD..HEAD'])).code).toBe(0);
  });
});
