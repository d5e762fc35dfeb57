/** src/paths.ts: the one test of "inside a folder" every layer uses. */
import { describe, expect, it } from 'vitest';
import { isInside } from '../src/paths.js';

describe('isInside', () => {
  it('the folder itself and what is below it are inside; its parent, siblings and other roots are not', () => {
    expect(isInside('/repo', '/repo')).toBe(true);
    expect(isInside('/repo/a/b.json', '/repo')).toBe(true);
    expect(isInside('/', '/repo')).toBe(false);
    expect(isInside('/repo-other/x', '/repo')).toBe(false);
    expect(isInside('/elsewhere/repo/x', '/repo')).toBe(false);
  });

  it('a name that only begins with two dots is inside (it was taken for the parent by `startsWith("..")`)', () => {
    expect(isInside('/repo/..cache/report.json', '/repo')).toBe(true);
    expect(isInside('/repo/...', '/repo')).toBe(true);
    expect(isInside('/repo/../x', '/repo')).toBe(false);
  });
});
