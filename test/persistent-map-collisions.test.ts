/**
 * PersistentMap where hashes collide: keys with the same full FNV-1a hash share a bucket, and keys
 * whose hashes share their low bits are pushed down level by level. Checked against a Map through
 * random sets and deletes, every older version unchanged.
 */
import { describe, expect, it } from 'vitest';
import { PersistentMap } from '../src/sources/persistent-map.js';
import { seeded } from './helpers/random.js';

/** Pairs of keys with one 32-bit FNV-1a hash (found by search: 'p/41918' and 'p/796436' are one). */
const SAME_HASH = [
  ['p/41918', 'p/796436'],
  ['p/41919', 'p/796437'],
  ['p/41916', 'p/796438'],
];

describe('PersistentMap with colliding hashes', () => {
  it('keeps keys of one hash apart, through sets, replacements and deletes', () => {
    const keys = [...SAME_HASH.flat(), ...Array.from({ length: 200 }, (_, i) => `p/${i}`)];
    const r = seeded(31);
    let map = PersistentMap.empty<number>();
    const model = new Map<string, number>();
    const versions: Array<{ map: PersistentMap<number>; model: Map<string, number> }> = [];
    for (let step = 0; step < 5000; step++) {
      const k = r.chance(0.5) ? r.pick(SAME_HASH.flat()) : r.pick(keys);
      if (r.chance(0.4)) {
        map = map.delete(k);
        model.delete(k);
      } else {
        map = map.set(k, step);
        model.set(k, step);
      }
      if (step % 250 === 0) versions.push({ map, model: new Map(model) });
    }
    versions.push({ map, model });
    for (const v of versions) {
      expect(v.map.size).toBe(v.model.size);
      expect(new Map(v.map.entries())).toEqual(v.model);
      for (const k of keys) expect(v.map.get(k)).toBe(v.model.get(k));
    }
  });

  it('holds a falsy value as held', () => {
    const m = PersistentMap.empty<number>().set('p/41918', 0).set('p/796436', 1);
    expect(m.get('p/41918')).toBe(0);
    expect(m.has('p/41918')).toBe(true);
    expect(m.delete('p/796436').get('p/41918')).toBe(0);
    expect(m.delete('p/41918').get('p/796436')).toBe(1);
    expect(m.delete('p/41918').delete('p/796436').size).toBe(0);
  });
});
