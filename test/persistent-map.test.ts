import { describe, expect, it } from 'vitest';
import { PersistentMap } from '../src/sources/persistent-map.js';

/** A small deterministic generator (tests must replay). */
function lcg(seed: number) {
  let x = seed;
  return (n: number) => {
    x = (Math.imul(x, 48271) + 11) % 2147483647;
    return Math.abs(x) % n;
  };
}

describe('PersistentMap', () => {
  it('agrees with a Map through random sets and deletes, and every older version stays as it was', () => {
    const rand = lcg(7);
    const keys = Array.from({ length: 3000 }, (_, i) => `src/dir${i % 37}/file-${i}.txt`);
    let map = PersistentMap.empty<number>();
    const model = new Map<string, number>();
    const versions: Array<{ map: PersistentMap<number>; model: Map<string, number> }> = [];
    for (let step = 0; step < 20000; step++) {
      const k = keys[rand(keys.length)]!;
      if (rand(3) === 0) {
        map = map.delete(k);
        model.delete(k);
      } else {
        map = map.set(k, step);
        model.set(k, step);
      }
      if (step % 2000 === 0) versions.push({ map, model: new Map(model) });
    }
    versions.push({ map, model });
    for (const v of versions) {
      expect(v.map.size).toBe(v.model.size);
      expect(new Map(v.map.entries())).toEqual(v.model);
      for (const k of keys) expect(v.map.get(k)).toBe(v.model.get(k));
    }
  });

  it('returns the same map for a delete of a missing key, and counts a replaced key once', () => {
    const a = PersistentMap.empty<string>().set('x', '1');
    expect(a.delete('y')).toBe(a);
    const b = a.set('x', '2');
    expect(b.size).toBe(1);
    expect(a.get('x')).toBe('1');
    expect(b.get('x')).toBe('2');
    expect(b.delete('x').size).toBe(0);
    expect([...b.delete('x').values()]).toEqual([]);
  });
});
