import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { cli, cliBin } from './helpers/cli.js';
import { cleanupAll, fakeToken, makeRepo, type Files } from './helpers/repo.js';

afterAll(cleanupAll);

// Above the size at which the working-tree source reads with a worker thread as well
// (WORKER_MIN_FILES in src/sources/worktree.ts): the report must not depend on who read what.
const FILES = 2400;
// Half the files give the engine work (keyword, UUIDs that are not secrets), so the main thread
// is still busy when the worker starts and both read part of the tree.
const MAILER = (i: number) =>
  `// mailer ${i}\nconst client = new postmark.ServerClient(process.env.POSTMARK_SERVER_TOKEN);\n` +
  Array.from({ length: 12 }, (_, k) => `client.track({ messageId: '${(i * 1000 + k).toString(16).padStart(8, '0')}-0000-4000-8000-000000000000', n: ${k} });\n`).join('');

describe('scan of a large working tree (main thread and worker)', () => {
  it('reports every token, skip and count exactly as git lists the files', () => {
    const files: Files = { '.secret-guard.json': '{"ignorePaths": ["vendor/**"]}', '.env': 'DEBUG=1\n', 'vendor/x.env.txt': `POSTMARK_API_KEY=${fakeToken()}\n` };
    for (let i = 0; i < FILES; i++) {
      const dir = `pkg${Math.floor(i / 100)}`;
      files[`${dir}/f${i}.js`] = i % 2 === 0 ? MAILER(i) : `export const n${i} = ${i};\n`;
    }
    const planted = Array.from({ length: 24 }, (_, k) => `pkg${k}/f${k * 100 + 37}.js`);
    for (const p of planted) files[p] = `const postmark = require('postmark');\n\nconst client = new postmark.ServerClient('${fakeToken()}');\n`;
    files['pkg5/logo.png'] = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]);
    const repo = makeRepo({ files });
    symlinkSync('f1.js', join(repo.dir, 'pkg0/link.js'));
    repo.write({ 'untracked/new.env.txt': `POSTMARK_SERVER_TOKEN=${fakeToken()}\n` });

    const scannedBytes = Object.entries(files)
      .filter(([p]) => !p.startsWith('vendor/') && !p.endsWith('.png'))
      .reduce((n, [, c]) => n + Buffer.byteLength(c as string), 0);
    const r = cli(['scan', '--format', 'json', '--verbose'], repo.dir);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    const content = json.findings.filter((f: { ruleId: string }) => f.ruleId !== 'dotenv-not-ignored');
    expect(content.map((f: { file: string; line: number }) => `${f.file}:${f.line}`).sort()).toEqual([...planted.map((p) => `${p}:3`), 'untracked/new.env.txt:1'].sort());
    expect(json.findings.filter((f: { ruleId: string }) => f.ruleId === 'dotenv-not-ignored').map((f: { file: string }) => f.file)).toEqual(['.env']);
    // Every text file is read (the untracked one too, and the link's target text); the binary and vendor/ are skipped.
    expect(json.stats.filesScanned).toBe(FILES + 4); // .secret-guard.json is scanned like any file
    expect(json.stats.bytesScanned).toBe(scannedBytes + Buffer.byteLength(`POSTMARK_SERVER_TOKEN=${fakeToken()}\n`) + 'f1.js'.length);
    expect(json.stats.skipped).toMatchObject({ binary: 1, symlink: 0, ignoredByConfig: 1 });
    // Untracked first, then tracked in index order: the order `git ls-files --cached --others` gives.
    expect(json.stats.skippedPaths.map((s: { path: string }) => s.path)).toEqual(['pkg5/logo.png', 'vendor/x.env.txt']);
    // bin/ runs the CLI's bundle (dist/bundle/), whose worker is its own file: the same report.
    const bundled = cliBin(['scan', '--format', 'json', '--verbose', '--threads', '2'], repo.dir);
    expect(bundled.code, bundled.stderr).toBe(1);
    const again = JSON.parse(bundled.stdout);
    delete again.stats.durationMs;
    delete json.stats.durationMs;
    expect(again).toEqual(json);
  });

  // A worker that fails to start costs time, not files (the main thread reads what it did not),
  // so the report above cannot tell whether the bundle's worker ran: asked directly, it must.
  it("the bundle's worker (dist/bundle/worktree-worker.js, what bin/ starts) reads a batch", async () => {
    const bundle = new URL('../dist/bundle/worktree-worker.js', import.meta.url);
    const { encodeBatch } = (await import(bundle.href)) as typeof import('../src/sources/worktree-worker.js');
    const specs = JSON.parse(readFileSync(new URL('../dist/rules.json', import.meta.url), 'utf8'));
    const repo = makeRepo({ files: { 'mail.js': `const client = new postmark.ServerClient('${fakeToken()}');\n`, 'plain.txt': 'nothing here\n' } });
    const entries = ['mail.js', 'plain.txt'].map((path) => ({ path, abs: join(repo.dir, path), gitState: 'tracked' as const }));
    const w = new Worker(bundle, { workerData: { specs, maxFileSize: 1 << 20 } });
    try {
      const result = await new Promise<{ clean: Float64Array; outcomes: Array<[number, { findings: Array<{ ruleId: string }> }]> }>((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
        w.once('exit', (code) => reject(new Error(`the worker exited (${code}) without answering`)));
        w.postMessage({ batch: 0, ...encodeBatch(entries), counter: new SharedArrayBuffer(4), chunkSize: 1 });
      });
      expect(Array.from(result.clean)).toEqual([NaN, 'nothing here\n'.length]);
      expect(result.outcomes.map(([i, o]) => [i, o.findings.map((f) => f.ruleId)])).toEqual([[0, ['postmark-hardcoded-client']]]);
    } finally {
      await w.terminate();
    }
  });
});
