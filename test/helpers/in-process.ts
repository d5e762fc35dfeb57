/**
 * The CLI without a node start per call: the built `run()` (dist/, what bin/ loads) in worker
 * threads of the test process, each call given what bin/ gives it in a fresh process: the
 * arguments, the working directory, the whole environment (set as the thread's process.env, so
 * the git processes it starts inherit it, as bin/'s do), standard input, and no terminal.
 *
 * A node start costs about 0.1 s of CPU, and the suite ran some 800 of them; the scans themselves
 * are the same code either way. What only a process shows (bin/'s crash handler, a killed or
 * timed-out run, NODE_OPTIONS, node's own reading of standard input) stays with bin/: helpers/cli.ts
 * routes those calls there, `cliBin()` forces it, and SG_TEST_BIN=1 sends every call through bin/.
 * test/cli-in-process.test.ts checks that both ways give the same code, stdout and stderr.
 */
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { CliRun } from './cli.js';

const SCRIPT = new URL('./in-process-worker.mjs', import.meta.url);

interface Job {
  args: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  input?: string;
}

type Reply = CliRun | { late: string };

interface Slot {
  worker: Worker;
  port: MessagePort;
  done: Int32Array;
  busy: boolean;
}

function open(): Slot {
  const { port1, port2 } = new MessageChannel();
  const flag = new SharedArrayBuffer(4);
  const worker = new Worker(SCRIPT, { workerData: { port: port2, flag }, transferList: [port2], stdout: false, stderr: false });
  // Nothing here may keep a test process alive once its tests are done.
  worker.unref();
  port1.unref();
  return { worker, port: port1, done: new Int32Array(flag), busy: false };
}

function answer(reply: Reply): CliRun {
  if ('late' in reply) throw new Error(`the CLI crashed after an earlier call had returned (bin/ would have exited 2):\n${reply.late}`);
  return reply;
}

let syncSlot: Slot | undefined;

/** Blocks until the call is done, as spawnSync does. */
export function runInProcessSync(job: Job, timeoutMs = 300_000): CliRun {
  syncSlot ??= open();
  const slot = syncSlot;
  Atomics.store(slot.done, 0, 0);
  slot.port.postMessage(job);
  if (Atomics.wait(slot.done, 0, 0, timeoutMs) === 'timed-out') {
    syncSlot = undefined;
    void slot.worker.terminate();
    throw new Error(`secret-guard ${job.args.join(' ')} ran in-process for over ${timeoutMs} ms`);
  }
  const got = receiveMessageOnPort(slot.port);
  if (!got) throw new Error('in-process run: the worker signalled without an answer');
  return answer(got.message as Reply);
}

const pool: Slot[] = [];
const waiting: Array<() => void> = [];
/** Calls side by side, each in a thread of its own (the environment is per thread). */
const POOL_SIZE = 2;

/** An idle thread, marked busy before anyone else can take it. */
async function take(): Promise<Slot> {
  for (;;) {
    const idle = pool.find((s) => !s.busy);
    if (idle) {
      idle.busy = true;
      return idle;
    }
    if (pool.length < POOL_SIZE) {
      pool.push(open());
      continue;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  }
}

export async function runInProcess(job: Job): Promise<CliRun> {
  const slot = await take();
  try {
    const reply = await new Promise<Reply>((resolve, reject) => {
      const onExit = (code: number) => reject(new Error(`in-process run: the worker exited (${code})`));
      slot.worker.once('exit', onExit);
      slot.port.once('message', (m: Reply) => {
        slot.worker.off('exit', onExit);
        resolve(m);
      });
      slot.port.postMessage(job);
    });
    return answer(reply);
  } finally {
    slot.busy = false;
    waiting.shift()?.();
  }
}
