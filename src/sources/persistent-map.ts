/**
 * An immutable string-keyed map whose `set` and `delete` return a new map sharing all but a few
 * small nodes with the old one (a hash array mapped trie, 32 ways per level). The history walk
 * keeps one per commit (the leak-holding paths of its tree): a child's map is its parent's plus
 * its diff, so a commit that touches one of 3000 token files costs a few 32-slot copies, not a
 * copy of 3000 entries.
 */
const BITS = 5;
const MASK = (1 << BITS) - 1;

/** Every entry whose key has this full hash (almost always one). */
class Bucket<V> {
  constructor(
    readonly hash: number,
    readonly entries: ReadonlyArray<readonly [string, V]>,
  ) {}
}

type Slot<V> = Bucket<V> | Branch<V> | undefined;
type Branch<V> = ReadonlyArray<Slot<V>>;

/** FNV-1a over UTF-16 code units. */
function hashOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class PersistentMap<V> {
  static empty<V>(): PersistentMap<V> {
    return new PersistentMap<V>([], 0);
  }

  private constructor(
    private readonly root: Branch<V>,
    readonly size: number,
  ) {}

  get(key: string): V | undefined {
    const h = hashOf(key);
    let node: Branch<V> = this.root;
    for (let shift = 0; ; shift += BITS) {
      const s = node[(h >>> shift) & MASK];
      if (s === undefined) return undefined;
      if (s instanceof Bucket) {
        if (s.hash !== h) return undefined;
        for (const [k, v] of s.entries) if (k === key) return v;
        return undefined;
      }
      node = s;
    }
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  set(key: string, value: V): PersistentMap<V> {
    const h = hashOf(key);
    let added = false;
    const put = (node: Branch<V>, shift: number): Branch<V> => {
      const i = (h >>> shift) & MASK;
      const s = node[i];
      const copy = node.slice();
      if (s === undefined) {
        added = true;
        copy[i] = new Bucket(h, [[key, value]]);
      } else if (s instanceof Bucket) {
        if (s.hash === h) {
          const at = s.entries.findIndex(([k]) => k === key);
          if (at < 0) added = true;
          copy[i] = new Bucket(h, at < 0 ? [...s.entries, [key, value]] : s.entries.map((e, j) => (j === at ? [key, value] : e)));
        } else {
          // Two hashes that differ part at some level below: push the bucket down one level.
          const down: Slot<V>[] = [];
          down[(s.hash >>> (shift + BITS)) & MASK] = s;
          copy[i] = put(down, shift + BITS);
        }
      } else {
        copy[i] = put(s, shift + BITS);
      }
      return copy;
    };
    const root = put(this.root, 0);
    return new PersistentMap(root, added ? this.size + 1 : this.size);
  }

  delete(key: string): PersistentMap<V> {
    const h = hashOf(key);
    const cut = (node: Branch<V>, shift: number): Branch<V> | null => {
      const i = (h >>> shift) & MASK;
      const s = node[i];
      let next: Slot<V>;
      if (s === undefined) return null;
      if (s instanceof Bucket) {
        if (s.hash !== h || !s.entries.some(([k]) => k === key)) return null;
        const rest = s.entries.filter(([k]) => k !== key);
        next = rest.length ? new Bucket(h, rest) : undefined;
      } else {
        const below = cut(s, shift + BITS);
        if (below === null) return null;
        next = below.some((x) => x !== undefined) ? below : undefined;
      }
      const copy = node.slice();
      copy[i] = next;
      return copy;
    };
    const root = cut(this.root, 0);
    return root === null ? this : new PersistentMap(root, this.size - 1);
  }

  *entries(): IterableIterator<[string, V]> {
    const stack: Branch<V>[] = [this.root];
    while (stack.length) {
      for (const s of stack.pop()!) {
        if (s === undefined) continue;
        if (s instanceof Bucket) for (const [k, v] of s.entries) yield [k, v];
        else stack.push(s);
      }
    }
  }

  *values(): IterableIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }
}
