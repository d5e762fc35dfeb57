/**
 * The cache of records that lets history scan a file's next version for what changed. Once it is
 * full it keeps the files it holds, so a release round larger than the cache does not wash every
 * record out just before it is wanted; but a file that is no longer changed must give its place
 * up, or a history whose generated files moved (a docs layout replaced by another) scans every
 * later version whole. postmark.js did: 153 of its 1,291 MB of long texts were scanned for what
 * changed, and 905 MB once records aged by the texts asked about instead of the records kept.
 */
import { describe, expect, it } from 'vitest';
import { ChunkStore } from '../src/core/chunk-store.js';
import { compileRules } from '../src/core/engine.js';
import { detectIncremental, type ScanRecord } from '../src/core/incremental.js';
import { RecordCache } from '../src/sources/history-detect.js';
import { ruleSpecs } from './helpers/rules.mjs';

const record = (bytes: number) => ({ bytes }) as ScanRecord;

/** Versions of `files` paths, `rounds` times over, each replacing its file's previous version: how many were admitted in each round. */
function rounds(cache: RecordCache, prefix: string, files: number, rounds: number, size: number): number[] {
  const admitted: number[] = [];
  for (let r = 0; r < rounds; r++) {
    admitted.push(0);
    for (let f = 0; f < files; f++) {
      const blob = `${prefix}${f}@${r}`;
      const previous = r > 0 ? `${prefix}${f}@${r - 1}` : undefined;
      if (!cache.admits(size, previous)) continue;
      admitted[r]!++;
      cache.set(blob, record(size), previous);
    }
  }
  return admitted;
}

describe('RecordCache', () => {
  it('keeps the files it holds through release rounds larger than itself', () => {
    const cache = new RecordCache(100 * 1000);
    // 150 files, room for 100: the same 100 stay, every round, rather than none.
    expect(rounds(cache, 'docs/a', 150, 10, 1000)).toEqual(Array(10).fill(100));
  });

  it('gives the place of files no longer changed to the files that are', () => {
    const cache = new RecordCache(100 * 1000);
    rounds(cache, 'docs/old/', 100, 3, 1000);
    // The old layout is gone; the new one changes round after round. After a few rounds of the
    // cache's size, the old records are stale and the new files take their places.
    const admitted = rounds(cache, 'docs/new/', 100, 12, 1000);
    expect(admitted.slice(-4), admitted.join(' ')).toEqual([100, 100, 100, 100]);
  });

  it('never holds more than its budget', () => {
    const cache = new RecordCache(10 * 1000);
    let held = 0;
    for (let i = 0; i < 500; i++) {
      const size = 300 + ((i * 7919) % 4000);
      if (cache.admits(size)) cache.set(`b${i}`, record(size));
      held = 0;
      for (let j = 0; j <= i; j++) if (cache.get(`b${j}`)) held += 300 + ((j * 7919) % 4000);
      expect(held).toBeLessThanOrEqual(10 * 1000);
    }
  });

  it('counts the texts of its records in the store, and lets them go with the records', () => {
    const rules = compileRules(ruleSpecs());
    const store = new ChunkStore();
    const cache = new RecordCache(200 * 1000, store);
    // Pages that share nothing: each brings about 40 kB into the store.
    const page = (i: number) => Array.from({ length: 1000 }, (_, k) => `<li>page ${i} item ${k} postmark</li>`).join('\n');
    let kept = 0;
    for (let i = 0; i < 20; i++) {
      const text = page(i);
      if (!cache.admits(text.length / 8)) continue;
      const record = detectIncremental({ text, path: `docs/p${i}.html` }, rules, undefined, { units: Buffer.from(text), store }).record;
      cache.set(`p${i}`, record);
      if (cache.get(`p${i}`)) kept++;
      expect(store.bytes).toBeLessThanOrEqual(200 * 1000);
    }
    // Not vacuous: some pages were kept, and some were not.
    expect(kept).toBeGreaterThan(1);
    expect(kept).toBeLessThan(20);
    // The store holds the chunks of the records kept, and nothing else.
    const held = new Set(Array.from({ length: 20 }, (_, i) => cache.get(`p${i}`)).flatMap((r) => (r ? [...r.chunks] : [])));
    expect(store.size).toBe(held.size);
  });
});
