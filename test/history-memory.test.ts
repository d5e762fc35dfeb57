/**
 * `scan --history` streams: what it holds at once does not grow with the history. Two bounds,
 * each able to fail:
 * - V8's old generation, where decoded file texts and parsed commits live, is capped below what
 *   the history's messages hold: a scan that keeps every commit message (or every decoded text)
 *   runs out of heap and fails (V8's report on stderr, exit 2).
 * - File contents arrive as Buffers, outside that heap, where the cap cannot see them. So the
 *   child's live memory (heap and Buffers, after a full collection) is sampled, and its peak may
 *   rise above the same CLI's on a one-commit repository by half the history's file bytes at
 *   most. The scan reads ahead a window of commits (256, a fifth of this history), so a streaming
 *   scan stays well inside; one that keeps the blobs it read, or reads git's whole output into
 *   one Buffer, exceeds it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, type CliRun } from './helpers/cli.js';
import { cleanupAll, fakeToken, makeRepo, tempDir } from './helpers/repo.js';

afterAll(cleanupAll);

const COMMITS = 1200;
/** Each commit's file and message: a distinct line, then a shared bulk (distinct blobs, cheap to build and pack). */
const FILE_BYTES = 75_000;
const MESSAGE_BYTES = 15_000;
/** The heap cap, in MB: the scan runs in about 8 here; the messages alone hold 18. */
const HEAP_MB = 16;
/** How far the history scan's peak live memory may rise above the one-commit scan's: half the file bytes. */
const MEMORY_MARGIN = (COMMITS * FILE_BYTES) / 2;

/** The preload that reports the child's peak live memory (see helpers/peak-memory.mjs). */
const PEAK_MEMORY = new URL('./helpers/peak-memory.mjs', import.meta.url).href;

/** Lines of code-like text. */
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
  const bulk = text(1, FILE_BYTES);
  const notes = text(2, MESSAGE_BYTES);
  const parts: string[] = [];
  for (let i = 0; i < COMMITS; i++) {
    const file = `// revision ${i}\n${bulk}`;
    const body = i === tokenAt ? `${file}POSTMARK_SERVER_TOKEN=${token}\n` : file;
    const message = `change ${i}\n\n${notes}`;
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
  // Stored without zlib: what the scan holds does not depend on how git packs it, and deflating
  // 90 MB took a third of the import.
  execFileSync('git', ['-c', 'core.compression=0', 'fast-import', '--quiet'], { cwd: dir, input: parts.join('\n'), maxBuffer: 1 << 26 });
  execFileSync('git', ['reset', '-q', '--hard', 'main'], { cwd: dir });
}

/** `scan --history --format json` under the heap cap, with the child's peak live memory in bytes (NaN when it crashed). */
function scanMeasured(dir: string): CliRun & { peak: number } {
  const out = join(tempDir(), 'peak-memory');
  const r = cli(['scan', '--history', '--format', 'json'], dir, {
    NODE_OPTIONS: `--max-old-space-size=${HEAP_MB} --expose-gc --import=${PEAK_MEMORY}`,
    SG_PEAK_MEMORY_FILE: out,
  });
  return { ...r, peak: existsSync(out) ? Number(readFileSync(out, 'utf8')) : NaN };
}

describe('history scan memory', () => {
  it('streams a history whose messages outgrow its heap and whose files outgrow its memory margin', () => {
    const token = fakeToken();
    const small = makeRepo({ files: { 'config/.env.example': `POSTMARK_SERVER_TOKEN=${token}\n` } });
    const base = scanMeasured(small.dir);
    expect(base.stderr).toBe('');
    expect(base.code).toBe(1);

    const repo = makeRepo();
    longHistory(repo.dir, 600, token);
    const r = scanMeasured(repo.dir);
    expect(r.stderr).toBe(''); // an exhausted heap prints V8's report here and exits 2
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout);
    expect(json.stats.commitsScanned).toBe(COMMITS);
    expect(json.stats.blobsScanned).toBe(COMMITS);
    expect(json.stats.bytesScanned).toBeGreaterThan(2 * MEMORY_MARGIN);
    expect(json.findings).toHaveLength(1);
    expect(json.findings[0]).toMatchObject({ file: 'data/file-0.txt', holders: { commits: 40, inHead: false } });
    expect(base.peak).toBeGreaterThan(1_000_000); // measured: the CLI's own modules are more
    expect(r.peak - base.peak).toBeLessThan(MEMORY_MARGIN);
  });
});
