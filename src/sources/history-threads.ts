/**
 * History's second and further cores: long texts that pass the keyword gate are scanned on worker
 * threads (history-worker.ts). A path is always routed to the same worker, and a worker scans its
 * blobs in the order they were read, so the incremental records of a file stay in one thread and
 * are there when its next version comes.
 *
 * The main thread keeps reading git, so something must stop it from reading faster than the
 * workers scan: it blocks (Atomics.wait) while more than LIMIT_KIB of blobs are queued for
 * them. Blocked, it reads no more of cat-file's output, and cat-file waits in turn.
 */
import { Worker } from 'node:worker_threads';
import { RuleError, type CompiledRule } from '../core/engine.js';
import { IncompleteScanError } from '../errors.js';
import type { ContentVerdict } from '../scan/content.js';
import type { BlobJob, HistoryWorkerInit, JobResult } from './history-worker.js';

const LIMIT_KIB = 4 * 1024;
/**
 * A worker's young generation, in MB. V8's default let each worker hold some 50 MB more than it
 * uses, and every thread is in the one process whose memory the scan is held to.
 */
const YOUNG_MB = 4;

export class DetectPool {
  private readonly workers: Worker[] = [];
  private readonly waiting = new Map<number, { resolve: (v: ContentVerdict) => void; reject: (e: Error) => void }>();
  private readonly pending = new Int32Array(new SharedArrayBuffer(4));
  private nextId = 0;
  private failed: Error | null = null;
  private closing = false;

  /** `budget`: each worker's share of the record budget, in bytes. */
  constructor(rules: CompiledRule[], maxFileSize: number, threads: number, budget: number) {
    const init: Omit<HistoryWorkerInit, 'budget'> = { specs: rules.map((r) => r.spec), maxFileSize, pending: this.pending.buffer as SharedArrayBuffer };
    try {
      for (let i = 0; i < threads; i++) {
        const w = new Worker(new URL('./history-worker.js', import.meta.url), { workerData: { ...init, budget } satisfies HistoryWorkerInit, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_MB } });
        w.on('message', (r: JobResult) => this.settle(r));
        w.on('error', (e) => this.fail(e));
        w.on('exit', (code) => {
          if (!this.closing) this.fail(new Error(`a history worker stopped (exit code ${code})`));
        });
        this.workers.push(w);
      }
    } catch (e) {
      // A thread that cannot start (EAGAIN under a process limit) throws here, and the caller
      // never holds this pool to close it: the workers already started would keep the process
      // alive after it reported the error.
      void this.close();
      throw new IncompleteScanError(`could not start a history worker thread (${e instanceof Error ? e.message : String(e)}), so the history was not scanned`, 'Scan on one thread with --threads 1, or raise the limit on processes and threads.');
    }
  }

  /** The verdict of the content pipeline on `data`, the blob `blob` at `path` (the keyword gate already passed), from worker `worker`. */
  async scan(worker: number, blob: string, path: string, data: Buffer, previous?: string): Promise<ContentVerdict> {
    await this.room();
    if (this.failed) throw this.failed;
    // A blob whose read finished after the scan had stopped (an error closed the pool).
    if (this.closing) throw new Error('the history workers were closed');
    const id = this.nextId++;
    // Transferred, not copied, when `data` is all of its memory (cat-file's answer over several
    // chunks, joined); a slice of a larger chunk is copied, since transferring would detach the rest.
    const bytes = ownsItsMemory(data) ? data : new Uint8Array(data);
    const kib = Math.ceil(bytes.length / 1024) || 1;
    const job: BlobJob = previous === undefined ? { id, blob, path, data: bytes, kib } : { id, blob, path, previous, data: bytes, kib };
    const verdict = new Promise<ContentVerdict>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    Atomics.add(this.pending, 0, kib);
    this.workers[worker]!.postMessage(job, [bytes.buffer as ArrayBuffer]);
    return verdict;
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  /**
   * Returns once the workers' queue is short enough. Waiting blocks this thread, which is the
   * point; if the queue does not move for a few seconds, it yields once, so a worker's error or
   * exit (events this thread can only receive when not blocked) can be seen.
   */
  private async room(): Promise<void> {
    let still = 0;
    for (;;) {
      const queued = Atomics.load(this.pending, 0);
      // Closed, the workers are gone and the queue will never move.
      if (queued <= LIMIT_KIB || this.failed || this.closing) return;
      if (Atomics.wait(this.pending, 0, queued, 250) !== 'timed-out') still = 0;
      else if (++still >= 8) {
        still = 0;
        await new Promise((r) => setImmediate(r));
      }
    }
  }

  private settle(r: JobResult): void {
    const w = this.waiting.get(r.id);
    if (!w) return;
    this.waiting.delete(r.id);
    if ('verdict' in r) return w.resolve(r.verdict);
    const f = r.failure;
    if ('ruleId' in f) w.reject(Object.assign(new RuleError(f.ruleId, f.path, undefined), { message: f.cause }));
    // The name too: the CLI reports an unexpected error by its name alone (never its message).
    else w.reject(Object.assign(new Error(f.message), { name: f.name }));
  }

  private fail(e: Error): void {
    if (this.failed) return;
    this.failed = e;
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }
}

/**
 * The lane of `n` a path goes to, always the same (FNV-1a over its UTF-16 units): lane 0 is the
 * main thread, lane k the pool's worker k - 1.
 */
export function laneOf(path: string, n: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193);
  return (h >>> 0) % n;
}

/**
 * Whether `data` is all of the memory under it: a buffer of its own that a worker may take over as
 * it is, where transferring a slice would detach the larger chunk around it. Nothing else holds a
 * blob's buffer once the pipeline has it.
 */
const ownsItsMemory = (data: Uint8Array) => data.byteOffset === 0 && data.byteLength === data.buffer.byteLength;
