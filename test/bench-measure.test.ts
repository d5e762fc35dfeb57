/**
 * The bench's memory figures: the goal is under 300 MB for every process of a scan, so the bench
 * must find the largest of node's children and say which it is. No timing here.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain ESM JavaScript without type declarations
import { peakRss } from '../bench/lib/measure.mjs';

interface Peak {
  code: number;
  selfMaxMb: number;
  childMaxMb: number;
  childCommand: string;
}

// The figures are read from /proc.
const linux = process.platform === 'linux';

describe('bench peak memory', () => {
  it.skipIf(!linux)('names the largest child and its peak, not a smaller git that ran after it', async () => {
    // A child of 120 MB, then a small git: the git is the child seen last, not the largest.
    const script = [
      "const { spawnSync } = require('node:child_process');",
      "spawnSync(process.execPath, ['-e', 'let b = Buffer.alloc(120e6, 1); b = null; const t = Date.now(); while (Date.now() - t < 150);']);",
      // A git alias that runs a shell command: git stays alive (small) while it sleeps.
      "spawnSync('git', ['-c', 'alias.pause=!sleep 0.2', 'pause']);",
    ].join('\n');
    const r = (await peakRss(process.execPath, ['-e', script])) as Peak;
    expect(r.code).toBe(0);
    expect(r.childMaxMb).toBeGreaterThan(100);
    expect(r.childCommand.split(' ')[0]).toMatch(/^node/);
    // The command's own peak is its own, not the child's the kernel would report for it.
    expect(r.selfMaxMb).toBeGreaterThan(10);
    expect(r.selfMaxMb).toBeLessThan(r.childMaxMb - 50);
  });

  it.skipIf(!linux)("names a git child by its subcommand, past git's own options", async () => {
    // hash-object --stdin holds its whole input: 60 MB of it makes this git the largest child.
    const script = [
      "const { spawnSync } = require('node:child_process');",
      "const r = spawnSync('git', ['-c', 'core.abbrev=12', '--no-replace-objects', 'hash-object', '--stdin'], { input: Buffer.alloc(60e6, 97) });",
      'if (r.status !== 0) process.exit(3);',
      'const t = Date.now(); while (Date.now() - t < 50);',
    ].join('\n');
    const r = (await peakRss(process.execPath, ['-e', script])) as Peak;
    expect(r.code).toBe(0);
    expect(r.childCommand).toBe('git hash-object');
    expect(r.childMaxMb).toBeGreaterThan(50);
  });
});
