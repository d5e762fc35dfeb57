/**
 * A history worker: takes blobs the main thread has read and gated, runs them through the content
 * pipeline with incremental detection (history-detect.ts), and sends each verdict back. Blobs
 * arrive in the order they were read, and the paths routed here are always routed here, so a
 * file's previous version was scanned here, just before, and its record is at hand.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { compileRules, RuleError } from '../core/engine.js';
import type { RuleSpec } from '../core/types.js';
import { detectContent, type ContentVerdict } from '../scan/content.js';
import { TextDetector } from './history-detect.js';

export interface HistoryWorkerInit {
  specs: RuleSpec[];
  maxFileSize: number;
  /** This worker's share of the record budget, in bytes. */
  budget: number;
  /** Int32Array over a SharedArrayBuffer: [0] is the KiB of blobs sent and not yet scanned, all workers together. */
  pending: SharedArrayBuffer;
}

export interface BlobJob {
  id: number;
  blob: string;
  path: string;
  previous?: string;
  /** The blob's bytes, transferred. */
  data: Uint8Array;
  /** What the job counts in `pending`. */
  kib: number;
}

export type JobFailure = { ruleId: string; path: string; cause: string } | { name: string; message: string };
export type JobResult = { id: number; verdict: ContentVerdict } | { id: number; failure: JobFailure };

if (parentPort && workerData) {
  const port = parentPort;
  const init = workerData as HistoryWorkerInit;
  const rules = compileRules(init.specs);
  const detector = new TextDetector(rules, init.budget);
  const pending = new Int32Array(init.pending);

  port.on('message', (job: BlobJob) => {
    const data = Buffer.from(job.data.buffer, job.data.byteOffset, job.data.byteLength);
    let result: JobResult;
    try {
      // The main thread screened it (size, keyword gate) before sending.
      const verdict = detectContent(data, job.path, {
        rules,
        maxFileSize: init.maxFileSize,
        detectText: (text, d) => detector.detect(job.blob, text, d, job.path, job.previous),
      });
      result = { id: job.id, verdict };
    } catch (e) {
      const failure: JobFailure =
        e instanceof RuleError ? { ruleId: e.ruleId, path: e.path, cause: e.message } : e instanceof Error ? { name: e.name, message: e.message } : { name: 'Error', message: String(e) };
      result = { id: job.id, failure };
    }
    port.postMessage(result);
    Atomics.sub(pending, 0, job.kib);
    Atomics.notify(pending, 0);
  });
}
