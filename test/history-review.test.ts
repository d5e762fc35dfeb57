/**
 * Review of `scan --history` for completeness: fixed cases of what a seeded differential against
 * scans of every commit's tree found.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { cleanupAll, fakeToken, makeRepo } from './helpers/repo.js';
import type { HistoryFinding, JsonReport } from './helpers/report.js';

afterAll(cleanupAll);

describe('scan --history: fixed cases the differential found', () => {
  it('reports no new leak at a merge that brings in a file its other parent renamed: the leak it carries', () => {
    // b renames config/mail.yml (its token came in on b) to config/mailer.yml; main merges b.
    // main's first-parent diff adds config/mailer.yml, whose token the first parent never held:
    // it was taken for a leak the merge introduced, reported a second time at the merge, and the
    // holders split: b under the first finding, main under the merge's.
    const t = fakeToken();
    const repo = makeRepo({ files: { 'a.txt': 'one\n' } });
    repo.git('checkout', '-q', '-b', 'b');
    const added = repo.commit({ 'config/mail.yml': `postmark:\n  server_token: ${t}\n` }, 'mail settings');
    repo.git('mv', 'config/mail.yml', 'config/mailer.yml');
    repo.git('commit', '-q', '-m', 'rename');
    repo.git('checkout', '-q', 'main');
    repo.commit({ 'b.txt': 'two\n' }, 'elsewhere');
    repo.git('merge', '-q', '--no-ff', '-m', 'merge b', 'b');
    const r = cli(['scan', '--history', '--format', 'json', '--show-secrets'], repo.dir);
    expect(r.code, r.stderr).toBe(1);
    const findings = (JSON.parse(r.stdout) as JsonReport<HistoryFinding>).findings;
    expect(findings.map((f) => [f.file, f.match, f.commit, f.holders.refs, f.holders.commits, f.holders.inHead])).toEqual([
      ['config/mail.yml', t, added, ['refs/heads/b', 'refs/heads/main'], 3, true],
    ]);
  });

  it('names an older stash entry among the holders of a token in its message, as it does for one in its files', () => {
    // A stash entry's message is its commit's: `git stash push -m` with a token in it. Once
    // another entry is pushed it is stash@{1}, reached only through the stash's reflog, so no
    // ref contains it; the content leaks it holds list stash@{1}, and so must its message.
    const t = fakeToken();
    const repo = makeRepo({ files: { 'a.txt': 'one\n' } });
    repo.write({ 'a.txt': 'two\n' });
    repo.git('stash', 'push', '-q', '-m', `debug POSTMARK_SERVER_TOKEN=${t}`);
    repo.write({ 'a.txt': 'three\n' });
    repo.git('stash', 'push', '-q', '-m', 'later');
    const r = cli(['scan', '--history', '--format', 'json', '--show-secrets'], repo.dir);
    expect(r.code, r.stderr).toBe(1);
    const findings = (JSON.parse(r.stdout) as JsonReport<HistoryFinding>).findings;
    expect(findings.map((f) => [f.kind, f.match, f.holders.refs])).toEqual([['message', t, ['stash@{1}']]]);
  });
});
