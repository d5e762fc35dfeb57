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
  it.skipIf(!linux)('names the largest child and its peak, not a smaller git seen before or after it', async () => {
    // A small git, a child of 120 MB, a small git again: the largest is neither the first child
    // seen nor the last. Each lives long enough to be sampled on a loaded machine.
    const pause = "spawnSync('git', ['-c', 'alias.pause=!sleep 0.4', 'pause']);";
    const script = [
      "const { spawnSync } = require('node:child_process');",
      pause,
      "spawnSync(process.execPath, ['-e', 'const b = Buffer.alloc(120e6, 1); const t = Date.now(); while (Date.now() - t < 400);']);",
      pause,
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
      "const r = spawnSync('git', ['-C', '.', '-c', 'core.abbrev=12', '--no-replace-objects', 'hash-object', '--stdin'], { input: Buffer.alloc(60e6, 97) });",
      'if (r.status !== 0) process.exit(3);',
    ].join('\n');
    const r = (await peakRss(process.execPath, ['-e', script])) as Peak;
    expect(r.code).toBe(0);
    expect(r.childCommand).toBe('git hash-object');
    expect(r.childMaxMb).toBeGreaterThan(50);
  });
});
