import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { cleanupAll, fakeToken, makeRepo } from './helpers/repo.js';

afterAll(cleanupAll);

const COMMITS = 600;
const FILE_BYTES = 30_000;
const MESSAGE_BYTES = 30_000;
/**
 * V8's old generation, where decoded file texts and parsed commits live, capped below what the
 * history holds: the scan runs in 8 MB here; holding every decoded text, or every commit
 * message, runs out of memory at this cap.
 */
const HEAP_MB = 16;

/** Distinct text for every commit, so no blob repeats (blob contents ~18 MB, log ~18 MB). */
function text(seed: number, bytes: number): string {
  const lines: string[] = [];
  let n = 0;
  for (let x = seed * 7919 + 1; n < bytes; x = (x * 48271) % 2147483647) {
    const line = `const v${x.toString(36)} = compute(${x % 1000}, "${(x * 31).toString(16)}");`;
    lines.push(line);
    n += line.length + 1;
  }
  return `${lines.join('\n')}\n`;
}

/** A long history written through `git fast-import` (thousands of `git commit` calls would take minutes). */
function longHistory(dir: string, tokenAt: number, token: string): void {
  const parts: string[] = [];
  for (let i = 0; i < COMMITS; i++) {
    const body = i === tokenAt ? `${text(i, FILE_BYTES)}POSTMARK_SERVER_TOKEN=${token}\n` : text(i, FILE_BYTES);
    const message = `change ${i}\n\n${text(i + COMMITS, MESSAGE_BYTES)}`;
    parts.push(
      'commit refs/heads/main',
      `committer Test Author <author@example.com> ${1_700_000_000 + i} +0000`,
      `data ${Buffer.byteLength(message)}`,
      message,
      `M 100644 inline data/file-${i % 40}.txt`,
      `data ${Buffer.byteLength(body)}`,
      body,
    );
  }
  execFileSync('git', ['fast-import', '--quiet'], { cwd: dir, input: parts.join('\n'), maxBuffer: 1 << 26 });
  execFileSync('git', ['reset', '-q', '--hard', 'main'], { cwd: dir });
}

describe('history scan memory', () => {
  it('streams a history whose files and messages outgrow its heap', () => {
    const token = fakeToken();
    const repo = makeRepo();
    longHistory(repo.dir, 300, token);
    const r = cli(['scan', '--history', '--format', 'json'], repo.dir, { NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}` });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.stats.commitsScanned).toBe(COMMITS);
    expect(json.stats.blobsScanned).toBe(COMMITS);
    expect(json.stats.bytesScanned).toBeGreaterThan(HEAP_MB * 1_000_000);
    expect(COMMITS * MESSAGE_BYTES).toBeGreaterThan(HEAP_MB * 1_000_000);
    expect(json.findings).toHaveLength(1);
    expect(json.findings[0]).toMatchObject({ file: 'data/file-20.txt', holders: { commits: 40, inHead: false } });
  });
});
