/**
 * --history on more than one thread (sources/history-threads.ts): long texts that pass the keyword
 * gate are scanned on workers, a path always on the same one, with the incremental records of
 * its versions. The report must not depend on which thread read what: every --threads gives the
 * same findings, introducing commits, holders and counts, and the planted tokens are all found.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cliAsync, cliAsyncBin } from './helpers/cli-async.js';
import { cleanupAll, fakeToken, makeRepo, type Files } from './helpers/repo.js';
import { historyOnEveryThreadCount } from './helpers/report.js';

afterAll(cleanupAll);

// Generated API pages: 'postmark' on every line, so each passes the keyword gate, and long
// enough (12 files x ~100 KB x 6 versions) that the workers start (after 4 MB of such text).
const FILES = 12;
const page = (f: number, version: number, extra = '') => {
  const lines: string[] = [`<!-- postmark API reference, page ${f}, release ${version} -->`];
  for (let i = 0; i < 900; i++) {
    const id = `${(f * 100000 + i).toString(16).padStart(8, '0')}-0000-4000-8000-${(version * 7 + i).toString(16).padStart(12, '0')}`;
    lines.push(`<tr><td>postmark.Models.Message${i}</td><td>MessageID ${id}</td><td>v${i % 17 === 0 ? version : 1}</td></tr>`);
    if (i === 600) lines.push(extra);
  }
  return `${lines.join('\n')}\n`;
};

describe('scan --history with worker threads', () => {
  it('reports the same findings, commits, holders and counts on 1, 2 and 3 threads', async () => {
    const tokens = Array.from({ length: 8 }, fakeToken);
    const files: Files = {};
    for (let f = 0; f < FILES; f++) files[`docs/page${f}.html`] = page(f, 0);
    const repo = makeRepo({ files, message: 'release 0' });
    const shas: string[] = [];
    for (let v = 1; v <= 5; v++) {
      const change: Files = {};
      for (let f = 0; f < FILES; f++) {
        // Tokens come in at different versions of different pages, some only for one release;
        // one page is renamed (its next version read from another path); one token moves pages.
        let extra = '';
        if (f === 1 && v >= 2) extra = `<code>postmark_api_key: "${tokens[0]}"</code>`;
        if (f === 2 && v === 3) extra = `<code>new postmark.ServerClient("${tokens[1]}")</code>`;
        if (f === 5 && v >= 4) extra = `<pre>X-Postmark-Server-Token: ${tokens[2]}</pre>`;
        if (f === 7 && v <= 3) extra = `<pre>POSTMARK_SERVER_TOKEN=${tokens[3]}</pre>`;
        if (f === 8 && v >= 4) extra = `<pre>POSTMARK_SERVER_TOKEN=${tokens[3]}</pre>`;
        const path = f === 9 && v >= 3 ? 'docs/renamed9.html' : `docs/page${f}.html`;
        if (f === 9 && v === 3) change['docs/page9.html'] = null;
        change[path] = page(f, v, extra);
      }
      shas.push(repo.commit(change, `release ${v}`));
    }
    repo.git('branch', 'old', shas[2]!);
    const branch = repo.git('rev-parse', '--abbrev-ref', 'HEAD').trim();

    const one = await historyOnEveryThreadCount(repo.dir);
    // bin/ runs the CLI's bundle (dist/bundle/), whose worker is its own file: the same report.
    const bundled = await cliAsyncBin(['scan', '--history', '--format', 'json', '--threads', '2'], repo.dir);
    expect(bundled.code, bundled.stderr).toBe(1);
    expect(JSON.parse(bundled.stdout).findings).toEqual(one.findings);
    const at = (sha: string) => shas.indexOf(sha) + 1;
    const found = one.findings.map((f: { file: string; commit: string; holders: { refs: string[] } }) => `${f.file} v${at(f.commit)} ${f.holders.refs.join(',')}`).sort();
    expect(found).toEqual([
      `docs/page1.html v2 refs/heads/${branch},refs/heads/old`,
      'docs/page2.html v3 refs/heads/old',
      `docs/page5.html v4 refs/heads/${branch}`,
      'docs/page7.html v1 refs/heads/old',
      `docs/page8.html v4 refs/heads/${branch}`,
    ]);
  });

  it('refuses a --threads that is not a count', async () => {
    const repo = makeRepo({ files: { 'a.txt': 'x\n' } });
    for (const bad of ['0', 'two', '-1', '1.5']) {
      const r = await cliAsync(['scan', '--history', '--threads', bad], repo.dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`--threads ${bad} is not a number of threads`);
    }
    // The push gates scan history too, and take the flag as the scan does.
    const gate = await cliAsync(['scan', '--pre-receive', '--threads', '0'], repo.dir);
    expect(gate.code).toBe(2);
    expect(gate.stderr).toContain('--threads 0 is not a number of threads');
  });
});
