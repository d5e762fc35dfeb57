/**
 * --threads: how many threads a scan uses, the main thread one of them. `--threads 1` starts no
 * worker in any mode; more lets the working tree and history start theirs where the input is large
 * enough. Which threads ran is seen from outside: a preload counts the workers constructed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliAsync } from './helpers/cli-async.js';
import { cleanupAll, makeRepo, tempDir, type Files, type Repo } from './helpers/repo.js';

afterAll(cleanupAll);

let preload: string;
let repo: Repo;

beforeAll(() => {
  preload = join(tempDir('sg-preload-'), 'count-workers.cjs');
  writeFileSync(
    preload,
    `const wt = require('node:worker_threads');
if (wt.isMainThread) {
  const W = wt.Worker;
  wt.Worker = class extends W { constructor(...a) { process.stderr.write('[worker started]\\n'); super(...a); } };
  require('node:module').syncBuiltinESMExports();
}
`,
  );
  // 24 pages of ~0.8 MB that name Postmark on every line: over the 16 MB at which the working tree
  // starts its worker, and past the 4 MB of such text at which history starts its own.
  const files: Files = {};
  const line = (f: number, i: number) => `<tr><td>postmark.Models.Message${i}</td><td>page ${f} row ${i}</td></tr>\n`;
  for (let f = 0; f < 24; f++) files[`docs/page${f}.html`] = Array.from({ length: 11_000 }, (_, i) => line(f, i)).join('');
  repo = makeRepo({ files, message: 'docs' });
});

const workers = async (args: string[]) => {
  const r = await cliAsync(args, repo.dir, { env: { NODE_OPTIONS: `--require ${preload}` } });
  expect(r.code).toBe(0);
  return r.stderr.split('\n').filter((l) => l === '[worker started]').length;
};

describe('--threads', () => {
  it('1 starts no worker in the working tree or in history; 2 starts one in each', async () => {
    expect(await workers(['scan', '--threads', '1'])).toBe(0);
    expect(await workers(['scan', '--threads', '2'])).toBe(1);
    expect(await workers(['scan', '--history', '--threads', '1'])).toBe(0);
    expect(await workers(['scan', '--history', '--threads', '2'])).toBe(1);
    expect(await workers(['scan', '--history', '--threads', '3'])).toBe(2);
  });
});
