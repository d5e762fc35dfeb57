/**
 * How history detects one blob's text: a long text from the record of its file's previous
 * version when that is still kept (core/incremental.ts: the findings of `detect` either way, only
 * the cost differs), anything else by `detect`. The main thread and each history worker hold one
 * of these; a worker holds the records of the paths routed to it.
 */
import { detect, type CompiledRule } from '../core/engine.js';
import { detectIncremental, type ScanRecord } from '../core/incremental.js';
import { LineTable } from '../core/line-table.js';
import type { Finding } from '../core/types.js';

/**
 * Texts at least this long are scanned incrementally: their record is kept, and a later version of
 * the file is diffed against it. Below it a diff saves too little.
 */
export const INCREMENTAL_MIN = 8 * 1024;
/** What the kept records may hold, in bytes, across every thread. */
export const RECORD_BUDGET = 32 * 1024 * 1024;

export class TextDetector {
  private readonly records: RecordCache;
  /** The lines of the records kept, each once (core/line-table.ts). */
  private readonly table = new LineTable();

  constructor(
    private readonly rules: CompiledRule[],
    budget: number,
  ) {
    this.records = new RecordCache(budget, this.table);
  }

  /** The findings of `text`, the blob `blob` at `path`, whose file's previous version was `previous`. */
  detect(blob: string, text: string, path: string, previous?: string): Finding[] {
    if (text.length < INCREMENTAL_MIN) return detect({ text, path }, this.rules);
    // About a record's size: its line ids, bounds and hashes, and its matches. Its distinct lines
    // come on top, in the table, which the cache counts as they are added.
    if (!this.records.admits(text.length / 8, previous)) return detect({ text, path }, this.rules);
    const before = previous === undefined ? undefined : this.records.get(previous);
    const r = detectIncremental({ text, path }, this.rules, before, { table: this.table });
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
  /** The records' own bytes; their lines are the table's. */
  private own = 0;
  private clock = 0;

  /** `table`: where the records' lines are held, counted in the budget and let go with them. */
  constructor(
    private readonly budget: number,
    private readonly table?: LineTable,
  ) {}

  get(blob: string): ScanRecord | undefined {
    return this.records.get(blob)?.record;
  }

  /** What the records hold, their lines included. */
  private get bytes(): number {
    return this.own + (this.table?.bytes ?? 0);
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
   * Keeps `record` for `blob`, in place of `previous`'s when given. Its lines are in the table
   * already: a record not kept lets them go.
   */
  set(blob: string, record: ScanRecord, previous?: string): void {
    const cost = record.bytes;
    const replaced = previous === undefined ? undefined : this.records.get(previous);
    if (replaced) this.drop(previous!);
    if (this.records.has(blob)) this.drop(blob);
    this.records.set(blob, { record, cost, used: this.clock });
    this.own += cost;
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
    if (this.table && entry.record.ids) this.table.release(entry.record.ids);
  }
}

/**
 * Whether `data` is all of the memory under it: a buffer of its own that a worker may take over as
 * it is, where transferring a slice would detach the larger chunk around it. Nothing else holds a
 * blob's buffer once the pipeline has it.
 */
export const ownsItsMemory = (data: Uint8Array) => data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
