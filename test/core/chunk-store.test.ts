/**
 * The chunks history's records keep their texts in: a block of lines that several pages hold is
 * held once, and chunks are shared only where their bytes are equal, whatever their keys say.
 */
import { describe, expect, it } from 'vitest';
import { ChunkStore } from '../../src/core/chunk-store.js';
import { lineBounds, lineHashes } from '../../src/core/line-diff.js';

const bytes = (s: string) => Buffer.from(s, 'utf8');
const nav = Array.from({ length: 2000 }, (_, i) => `<li><a href="classes/client${i}.html">Client ${i}</a></li>\n`).join('');

function put(store: ChunkStore, text: string, hashes?: (h: Int32Array) => Int32Array) {
  const units = bytes(text);
  const lines = lineBounds(units);
  const h = lineHashes(units, lines);
  return store.put(units, lines, hashes ? hashes(h) : h);
}

describe('ChunkStore', () => {
  it('holds a block of lines that two pages share once, and gives each page back whole', () => {
    const store = new ChunkStore();
    const a = `<h1>Page A</h1>\n${nav}<footer>a</footer>\n`;
    const b = `<h1>Page B, longer title</h1>\n<p>intro</p>\n${nav}<footer>b</footer>\n`;
    const ia = put(store, a);
    const one = store.size;
    const ib = put(store, b);
    // The navigation's chunks past its first cut are the same in both pages.
    expect(store.size - one).toBeLessThan(4);
    expect(one).toBeGreaterThan(4);
    expect(Buffer.from(store.units(ia, 1)).toString('utf8')).toBe(a);
    expect(Buffer.from(store.units(ib, 1)).toString('utf8')).toBe(b);
    store.release(ia);
    expect(Buffer.from(store.units(ib, 1)).toString('utf8')).toBe(b);
    store.release(ib);
    expect(store.size).toBe(0);
  });

  it('never shares chunks whose keys are equal and bytes are not', () => {
    const store = new ChunkStore();
    // Every line given the same hash: every chunk of both texts gets the same key.
    const same = (h: Int32Array) => h.map(() => 64);
    const a = Array.from({ length: 300 }, (_, i) => `token_${i} = "${'a'.repeat(30)}"\n`).join('');
    const b = Array.from({ length: 300 }, (_, i) => `token_${i} = "${'b'.repeat(30)}"\n`).join('');
    const ia = put(store, a, same);
    const ib = put(store, b, same);
    expect(Buffer.from(store.units(ia, 1)).toString('utf8')).toBe(a);
    expect(Buffer.from(store.units(ib, 1)).toString('utf8')).toBe(b);
    expect(new Set([...ia]).size + new Set([...ib]).size).toBe(new Set([...ia, ...ib]).size);
  });

  it('gives UTF-16 units back as they were put', () => {
    const store = new ChunkStore();
    const text = `Postmark — é 😀 中\n${nav}`;
    const b = Buffer.from(text, 'utf16le');
    const units = new Uint16Array(b.buffer, b.byteOffset, b.length >> 1);
    const lines = lineBounds(units);
    const ids = store.put(units, lines, lineHashes(units, lines));
    expect(Buffer.from(store.units(ids, 2).buffer, 0, b.length).toString('utf16le')).toBe(text);
  });
});
