/**
 * Review of history's worker threads (issue #12): what a blob's verdict may depend on when its
 * reads finish in another order. A binary blob is read as its printable text where a rule's
 * keyword is in its bytes or in its path (sources/binary-text.ts), so "binary" is a verdict of a
 * blob at a class of path, not of the blob: the same bytes renamed or copied to a token-named path
 * hold a finding. And which read of a blob counts in the stats must not depend on which thread
 * finished first.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliAsync } from './helpers/cli-async.js';
import { cleanupAll, fakeToken, makeRepo, tempDir, type Files } from './helpers/repo.js';
import { historyOnEveryThreadCount } from './helpers/report.js';

afterAll(cleanupAll);

/** Bytes git and decode() call binary (NULs in the first 8 KiB), no rule's keyword in them, and a token on a line of its own. */
const binaryWith = (token: string) =>
  Buffer.concat([Buffer.from('\x00\x01\x02\x03abc'.repeat(1500), 'latin1'), Buffer.from(`\n${token}\n`), Buffer.alloc(16)]);

// ~90 KB pages with 'postmark' on every line: 60 of them (5.4 MB) start the history workers.
const page = (f: number) => {
  const lines = [`<!-- postmark API reference, page ${f} -->`];
  for (let i = 0; i < 900; i++) lines.push(`<tr><td>postmark.Models.Message${i}</td><td>MessageID ${String(f).padStart(8, '0')}-0000-4000-8000-${String(i).padStart(12, '0')}</td></tr>`);
  return `${lines.join('\n')}\n`;
};

describe('scan --history: binary blobs at token-named paths, on any number of threads', () => {
  it('finds a token in a binary blob once it is renamed to a path that names it (as the working-tree scan does)', async () => {
    const token = fakeToken();
    const repo = makeRepo({ files: { 'notes/value.bin': binaryWith(token) } });
    repo.commit({ 'notes/value.bin': null, 'secrets/postmark_server_token.bin': binaryWith(token) }, 'name the secret file');
    expect(repo.git('show', '--name-status', '--format=', '-M', 'HEAD')).toMatch(/^R100/);
    const tree = await cliAsync(['scan', '--format', 'json'], repo.dir);
    expect(tree.code).toBe(1);
    const r = await cliAsync(['scan', '--history', '--format', 'json'], repo.dir);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings.map((f: { file: string }) => f.file)).toEqual(['secrets/postmark_server_token.bin']);
  });

  it('reports the same findings and counts on 1, 2 and 3 threads for one binary blob at two paths of a commit', async () => {
    const token = fakeToken();
    const files: Files = {};
    for (let f = 0; f < 60; f++) files[`docs/page${f}.html`] = page(f);
    const repo = makeRepo({ files, message: 'docs' });
    // On 2 threads a/value.bin goes to the worker and the token-named path stays on the main
    // thread: the later path's read finishes first.
    repo.commit({ 'a/value.bin': binaryWith(token), 'config/postmark_server_token.bin': binaryWith(token) }, 'two copies');
    const one = await historyOnEveryThreadCount(repo.dir);
    expect(one.findings.map((f: { file: string }) => f.file)).toEqual(['config/postmark_server_token.bin']);
  });
});

describe('scan --history when a worker thread cannot start', () => {
  it('exits 2 with what to do, and does not hang on the workers that did start', async () => {
    const files: Files = {};
    for (let f = 0; f < 60; f++) files[`docs/page${f}.html`] = page(f);
    const repo = makeRepo({ files, message: 'docs' });
    // The second worker's start throws, as a thread start does under a process limit (EAGAIN):
    // seen with `prlimit --nproc=16` and --threads 8, where the scan printed its error and hung.
    const preload = join(tempDir('sg-preload-'), 'no-second-worker.cjs');
    writeFileSync(
      preload,
      `const wt = require('node:worker_threads');
if (wt.isMainThread) {
  const W = wt.Worker; let n = 0;
  wt.Worker = class extends W { constructor(...a) { if (++n === 2) throw new Error('EAGAIN'); super(...a); } };
  require('node:module').syncBuiltinESMExports();
}
`,
    );
    const r = await cliAsync(['scan', '--history', '--threads', '3'], repo.dir, { env: { NODE_OPTIONS: `--require ${preload}` }, timeoutMs: 30_000 });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('could not start a history worker thread (EAGAIN)');
    expect(r.stderr).toContain('--threads 1');
  });
});
