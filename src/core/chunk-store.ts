/**
 * The texts incremental records keep (incremental.ts), in chunks of whole lines, each chunk held
 * once however many records hold it. Generated pages repeat blocks of lines across files (the
 * navigation tree on every page of an API reference): postmark.js's 140 to 300 live docs pages
 * held 42–48 MB of text in 1.4–6 MB of distinct lines. Kept whole, its records filled a thread's
 * 16 MB share and 136 of the 555 MB of long texts that thread met were scanned whole for want of
 * one; kept in chunks, 13 MB are, in a 12 MB share.
 *
 * A chunk ends after a line whose hash has its low six bits zero (or at 64 KB), so a block of
 * lines cuts into the same chunks in every text that holds it, wherever it stands. Chunks are
 * matched by a key made of their lines' hashes and compared byte for byte before one is shared:
 * two records share a chunk only where their bytes are equal, never on a hash alone that text
 * under scan could be made to collide with. Chunks are bytes outside the JavaScript heap, as the
 * records' texts were before, and a text is put back together with one copy when the next version
 * is diffed against it.
 */
import type { Units } from './line-diff.js';

/** Chunks end at content-chosen lines, but are no shorter than this (bytes) nor longer than MAX. */
const MIN = 1024;
const MAX = 64 * 1024;
/** About what a chunk's entry costs beside its bytes. */
const ENTRY = 96;

export class ChunkStore {
  private readonly byKey = new Map<number, number[]>();
  private readonly chunks: Array<Uint8Array | undefined> = [];
  private keys: Int32Array = new Int32Array(256);
  private refs: Int32Array = new Int32Array(256);
  private readonly free: number[] = [];
  private held = 0;
  private scratch = new Uint8Array(0);

  /** How many chunks it holds. */
  get size(): number {
    return this.chunks.length - this.free.length;
  }

  /** About what the chunks take in memory, with the scratch piece, in bytes. */
  get bytes(): number {
    return this.held + this.scratch.length;
  }

  /**
   * The ids of the chunks of `units`, whose line bounds (in units) are `lines` and line hashes
   * `hashes` (line-diff.ts lineHashes), each chunk held once more.
   */
  put(units: Units, lines: Int32Array, hashes: Int32Array): Int32Array {
    const data = Buffer.from(units.buffer, units.byteOffset, units.byteLength);
    const w = units.BYTES_PER_ELEMENT;
    const ids: number[] = [];
    let first = 0;
    let key = 0;
    for (let i = 0; i < hashes.length; i++) {
      const h = hashes[i]!;
      key = (Math.imul(key, 0x9e3779b1) ^ h) | 0;
      const from = lines[first]! * w;
      const to = lines[i + 1]! * w;
      if (i + 1 === hashes.length || to - from >= MAX || ((h & 63) === 0 && to - from >= MIN)) {
        ids.push(this.chunkOf(data, from, to, (key ^ (to - from)) | 0));
        first = i + 1;
        key = 0;
      }
    }
    return Int32Array.from(ids);
  }

  /** Lets go of the chunks `ids` held (as put gave them); a chunk no record holds leaves the store. */
  release(ids: Int32Array): void {
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (--this.refs[id]! > 0) continue;
      const key = this.keys[id]!;
      const same = this.byKey.get(key)!;
      if (same.length === 1) this.byKey.delete(key);
      else same.splice(same.indexOf(id), 1);
      this.held -= this.chunks[id]!.length + ENTRY;
      this.chunks[id] = undefined;
      this.free.push(id);
    }
  }

  /**
   * The units of width `width` whose chunks are `ids`, in one piece: a view of the store's scratch
   * memory, good until the next call (a diff reads them, then lets go). A new piece for each diff
   * was a text's worth of memory outside the heap each time, freed only by the collector.
   */
  units(ids: Int32Array, width: 1 | 2): Units {
    let length = 0;
    for (let i = 0; i < ids.length; i++) length += this.chunks[ids[i]!]!.length;
    if (this.scratch.length < length) this.scratch = new Uint8Array(Math.max(length, this.scratch.length + (this.scratch.length >> 2)));
    const out = this.scratch;
    let at = 0;
    for (let i = 0; i < ids.length; i++) {
      const c = this.chunks[ids[i]!]!;
      out.set(c, at);
      at += c.length;
    }
    return width === 1 ? out.subarray(0, length) : new Uint16Array(out.buffer, 0, length >> 1);
  }

  private chunkOf(data: Buffer, from: number, to: number, key: number): number {
    const same = this.byKey.get(key);
    if (same) {
      for (const id of same) {
        const c = this.chunks[id]!;
        if (c.length === to - from && data.compare(c, 0, c.length, from, to) === 0) {
          this.refs[id]!++;
          return id;
        }
      }
    }
    // A copy: a view would keep the whole text it came from.
    const own = new Uint8Array(data.subarray(from, to));
    const id = this.free.pop() ?? this.chunks.length;
    if (id === this.chunks.length) this.chunks.push(own);
    else this.chunks[id] = own;
    if (id >= this.refs.length) {
      this.refs = grown(this.refs);
      this.keys = grown(this.keys);
    }
    this.refs[id] = 1;
    this.keys[id] = key;
    if (same) same.push(id);
    else this.byKey.set(key, [id]);
    this.held += own.length + ENTRY;
    return id;
  }
}

function grown(a: Int32Array): Int32Array {
  const b = new Int32Array(2 * a.length);
  b.set(a);
  return b;
}
