/**
 * How history detects one blob's text: a long text from the record of its file's previous
 * version when that is still kept (core/incremental.ts: the findings of `detect` either way, only
 * the cost differs), anything else by `detect`. The main thread and each history worker hold one
 * of these; a worker holds the records of the paths routed to it.
 */
import { detect, type CompiledRule } from '../core/engine.js';
import { ChunkStore } from '../core/chunk-store.js';
import { detectIncremental, type ScanRecord } from '../core/incremental.js';
import { isPlainUtf8 } from './decode.js';
import type { Finding } from '../core/types.js';

/**
 * Texts at least this long are scanned incrementally: their record is kept, and a later version of
 * the file is diffed against it. Below it a diff saves too little.
 */
export const INCREMENTAL_MIN = 8 * 1024;
/** What the kept records may hold, in bytes, across every thread. */
export const RECORD_BUDGET = 24 * 1024 * 1024;

export class TextDetector {
  private readonly records: RecordCache;
  /** The records' texts, in chunks each held once (core/chunk-store.ts). */
  private readonly store = new ChunkStore();

  constructor(
    private readonly rules: CompiledRule[],
    budget: number,
  ) {
    this.records = new RecordCache(budget, this.store);
  }

  /** The findings of `text` (the decoded `data`), the blob `blob` at `path`, whose file's previous version was `previous`. */
  detect(blob: string, text: string, data: Buffer, path: string, previous?: string): Finding[] {
    if (text.length < INCREMENTAL_MIN) return detect({ text, path }, this.rules);
    // About a record's own size: its line bounds and hashes, and its matches. Its text comes on
    // top, in chunks that other pages may already hold: the cache counts them once they are in.
    if (!this.records.admits(text.length / 8, previous)) return detect({ text, path }, this.rules);
    const before = previous === undefined ? undefined : this.records.get(previous);
    // Bytes that decode as they are are the units the diff reads: half the memory of UTF-16 for a
    // page that is not ASCII. Otherwise detectIncremental takes the text's UTF-16 units.
    const r = detectIncremental({ text, path }, this.rules, before, isPlainUtf8(data) ? { units: data, store: this.store } : { store: this.store });
    this.records.set(blob, r.record, before ? previous : undefined);
    return r.findings;
  }
}

/**
 * The records of recently scanned versions. A record is wanted once, by the next version of its
 * file, whose record then takes its place. A release commit changes hundreds of generated files
 * and the next release changes them again in the same order: a least-recently-used cache smaller
 * than that round would drop every record just before it is wanted. So once the budget is
 * spent, a new file's record is kept only in place of one unused for several rounds of the
 * cache (a file no longer changed); the files already kept keep their place.
 *
 * A round is counted in long texts asked about, kept or not: counted in records kept, the clock
 * stopped once the cache held files no longer changed (a docs layout replaced by another), and
 * those records kept their place for the rest of the history while every new file was refused.
 */
export class RecordCache {
  private readonly records = new Map<string, { record: ScanRecord; cost: number; used: number }>();
  /** The records' own bytes; their texts are the store's. */
  private own = 0;
  private clock = 0;

  /** `store`: where the records' texts are held, counted in the budget and let go with them. */
  constructor(
    private readonly budget: number,
    private readonly store?: ChunkStore,
  ) {}

  get(blob: string): ScanRecord | undefined {
    return this.records.get(blob)?.record;
  }

  /** What the records hold, their texts included. */
  private get bytes(): number {
    return this.own + (this.store?.bytes ?? 0);
  }

  /**
   * Whether a record of about `cost` bytes would be kept, `previous`'s taking its place if kept:
   * a record that would not be kept is not worth making (recording costs a scan about 10%).
   * Asked once for every long text: the clock by which records age.
   */
  admits(cost: number, previous?: string): boolean {
    this.clock++;
    if (cost > this.budget) return false;
    if (previous !== undefined && this.records.has(previous)) return true;
    if (this.bytes + cost <= this.budget) return true;
    return this.stale(this.records.values().next().value);
  }

  /**
   * Keeps `record` for `blob`, in place of `previous`'s when given. Its text is in the store
   * already: a record not kept lets it go.
   */
  set(blob: string, record: ScanRecord, previous?: string): void {
    const replaced = previous === undefined ? undefined : this.records.get(previous);
    if (replaced) this.drop(previous!);
    if (this.records.has(blob)) this.drop(blob);
    this.records.set(blob, { record, cost: record.bytes, used: this.clock });
    this.own += record.bytes;
    // Oldest first (a Map iterates in insertion order, and each set re-inserts), the new one last.
    for (const [k, v] of this.records) {
      if (this.bytes <= this.budget) break;
      if (k === blob || (!replaced && !this.stale(v))) return void this.drop(blob);
      this.drop(k);
    }
  }

  /** Unused for four rounds of the cache. */
  private stale(entry: { used: number } | undefined): boolean {
    return entry !== undefined && this.clock - entry.used >= 4 * this.records.size;
  }

  private drop(blob: string): void {
    const entry = this.records.get(blob)!;
    this.own -= entry.cost;
    this.records.delete(blob);
    this.store?.release(entry.record.chunks);
  }
}
