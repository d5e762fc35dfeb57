import { describe, expect, it } from 'vitest';
import { CountedProgress } from '../src/scan/progress.js';

describe('a progress bar fed with counts', () => {
  it('starts when the total is reported, draws the last count, and clears itself', () => {
    const screen: string[] = [];
    const bar = new CountedProgress((t) => screen.push(t), 'commits');
    bar.report(0, 3);
    expect(screen).toEqual([]);
    bar.report(1, 3);
    bar.report(3, 3);
    expect(screen.at(-1)).toMatch(/^\r\[#{24}\] 3\/3 commits · \d+\/s · ETA 0:00\x1b\[K$/);
    bar.finish();
    expect(screen.at(-1)).toBe('\r\x1b[K');
  });

  it('writes nothing when no count came (the scan failed before counting)', () => {
    const screen: string[] = [];
    new CountedProgress((t) => screen.push(t), 'commits').finish();
    expect(screen).toEqual([]);
  });
});
