/**
 * A second reader for large working trees: takes chunks of a batch of files from the counter it
 * shares with the main thread, reads them exactly as the main thread does (worktree-read.ts), and
 * sends the outcomes back once the batch has no chunk left.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { compileRules, detectPath } from '../core/engine.js';
import type { Finding, RuleSpec } from '../core/types.js';
import { keywordGate } from './gate.js';
import { readEntry, type Entry, type Outcome, type ReadContext } from './worktree-read.js';

export interface WorkerInit {
  specs: RuleSpec[];
  maxFileSize: number;
}

/**
 * A batch as a few flat values rather than an object per file: cloning 20,000 objects into the
 * worker cost the main thread more than a tenth of a second (measured with `npm run bench`).
 */
export interface BatchMessage {
  batch: number;
  /** Paths, then absolute paths, each list joined with NUL (which no path holds). */
  paths: string;
  abs: string;
  /** Absolute paths that are bytes (a name that is not UTF-8), by index: `abs` has '' there. */
  rawAbs: Array<[number, Uint8Array]>;
  /** Per file: 0 no git state, 1 tracked, 2 untracked. */
  states: Uint8Array;
  /** Int32Array over a SharedArrayBuffer: [0] is the next chunk to take. */
  counter: SharedArrayBuffer;
  chunkSize: number;
}

export interface BatchResult {
  batch: number;
  /** Per file: its byte count when it was scanned and nothing was found, else NaN. */
  clean: Float64Array;
  /** Every other outcome of a file this worker read. */
  outcomes: Array<[number, Outcome]>;
  /** Path findings (detectPath) of the files this worker read, where there are any. */
  pathFindings: Array<[number, Finding[]]>;
}

const STATES = [undefined, 'tracked', 'untracked'] as const;

export function encodeBatch(entries: Entry[]): Pick<BatchMessage, 'paths' | 'abs' | 'rawAbs' | 'states'> {
  const states = new Uint8Array(entries.length);
  const rawAbs: Array<[number, Uint8Array]> = [];
  entries.forEach((e, i) => {
    states[i] = e.gitState === 'tracked' ? 1 : e.gitState === 'untracked' ? 2 : 0;
    if (typeof e.abs !== 'string') rawAbs.push([i, new Uint8Array(e.abs)]); // a copy: a pooled Buffer would clone its whole pool
  });
  const abs = entries.map((e) => (typeof e.abs === 'string' ? e.abs : '')).join('\0');
  return { paths: entries.map((e) => e.path).join('\0'), abs, rawAbs, states };
}

function decodeBatch(m: BatchMessage): Entry[] {
  const paths = m.paths.split('\0');
  const abs: Array<string | Buffer> = m.abs.split('\0');
  for (const [i, raw] of m.rawAbs) abs[i] = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  return paths.map((path, i) => {
    const gitState = STATES[m.states[i]!];
    return gitState ? { path, abs: abs[i]!, gitState } : { path, abs: abs[i]! };
  });
}

// Only when run as the worker: the main thread imports this module for encodeBatch.
if (parentPort && workerData) {
  const port = parentPort;
  const init = workerData as WorkerInit;
  const rules = compileRules(init.specs);
  const ctx: ReadContext = { rules, maxFileSize: init.maxFileSize, gate: keywordGate(rules) };

  port.on('message', (m: BatchMessage) => {
    const entries = decodeBatch(m);
    const counter = new Int32Array(m.counter);
    const chunks = Math.ceil(entries.length / m.chunkSize);
    const clean = new Float64Array(entries.length).fill(NaN);
    const outcomes: Array<[number, Outcome]> = [];
    const pathFindings: Array<[number, Finding[]]> = [];
    for (let c = Atomics.add(counter, 0, 1); c < chunks; c = Atomics.add(counter, 0, 1)) {
      const end = Math.min(entries.length, (c + 1) * m.chunkSize);
      for (let i = c * m.chunkSize; i < end; i++) {
        const e = entries[i]!;
        const pf = detectPath(e.path, e.gitState, rules);
        if (pf.length) pathFindings.push([i, pf]);
        const o = readEntry(e, ctx);
        if ('scanned' in o && o.findings.length === 0) clean[i] = o.scanned;
        else outcomes.push([i, o]);
      }
    }
    port.postMessage({ batch: m.batch, clean, outcomes, pathFindings } satisfies BatchResult);
  });
}
