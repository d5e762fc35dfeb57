/**
 * A second reader for large working trees: takes chunks of a batch of files from the counter it
 * shares with the main thread, reads them exactly as the main thread does (worktree-read.ts), and
 * sends the outcomes back once the batch has no chunk left.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { compileRules } from '../core/engine.js';
import type { RuleSpec } from '../core/types.js';
import { keywordGate, readEntry, type Entry, type Outcome, type ReadContext } from './worktree-read.js';

export interface WorkerInit {
  specs: RuleSpec[];
  maxFileSize: number;
}

export interface BatchMessage {
  batch: number;
  entries: Entry[];
  /** Int32Array over a SharedArrayBuffer: [0] is the next chunk to take. */
  counter: SharedArrayBuffer;
  chunkSize: number;
}

export interface BatchResult {
  batch: number;
  outcomes: Array<[number, Outcome]>;
}

const init = workerData as WorkerInit;
const rules = compileRules(init.specs);
const ctx: ReadContext = { rules, maxFileSize: init.maxFileSize, gate: keywordGate(rules) };

parentPort!.on('message', (m: BatchMessage) => {
  const counter = new Int32Array(m.counter);
  const chunks = Math.ceil(m.entries.length / m.chunkSize);
  const outcomes: Array<[number, Outcome]> = [];
  for (let c = Atomics.add(counter, 0, 1); c < chunks; c = Atomics.add(counter, 0, 1)) {
    const end = Math.min(m.entries.length, (c + 1) * m.chunkSize);
    for (let i = c * m.chunkSize; i < end; i++) outcomes.push([i, readEntry(m.entries[i]!, ctx)]);
  }
  parentPort!.postMessage({ batch: m.batch, outcomes } satisfies BatchResult);
});
