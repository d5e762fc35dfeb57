/**
 * The CLI without a node start per call: the built `run()` (dist/, what bin/ loads) in a few
 * long-lived host processes (helpers/in-process-host.mjs), each call given what bin/ gives it in
 * a fresh process: the arguments, the working directory, the whole environment (set as the
 * host's process.env, so the git processes it starts inherit it, as bin/'s do), standard input,
 * and no terminal.
 *
 * A node start costs about 0.1 s of CPU, and the suite ran some 800 of them; the scans themselves
 * are the same code either way. The hosts are processes rather than threads of the test worker
 * because every git process a scan starts is a fork of the process that starts it, and a fork
 * costs in proportion to its memory: a test worker grows to hundreds of MB, a host stays small.
 * What only a process of its own shows (bin/'s crash handler, a run killed by a signal,
 * NODE_OPTIONS, node's own reading of standard input) stays with bin/: helpers/cli.ts routes
 * those calls there, `cliBin()` forces it, and SG_TEST_BIN=1 sends every call through bin/.
 * test/cli-in-process.test.ts checks that both ways give the same code, stdout and stderr.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliRun } from './cli.js';

const HOST = fileURLToPath(new URL('./in-process-host.mjs', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Job {
  args: string[];
  cwd: string;
  env: Record<string, string | undefined>;
  input?: string;
}

type Reply = (CliRun | { late: string }) & { rss?: number };

/** A host that has grown past this is replaced after its call, so none grows without bound. */
const MAX_HOST_RSS = 300 * 1024 * 1024;

function answer(reply: Reply): CliRun {
  if ('late' in reply) throw new Error(`the CLI crashed after an earlier call had returned (bin/ would have exited 2):\n${reply.late}`);
  return { code: reply.code, stdout: reply.stdout, stderr: reply.stderr };
}

interface SyncHost {
  child: ChildProcess;
  req: number;
  res: number;
}

let syncHost: SyncHost | undefined;

/** A host reached through two FIFOs, so that a call can block on reading its answer. */
function openSyncHost(): SyncHost {
  const dir = mkdtempSync(join(tmpdir(), 'sg-host-'));
  const reqPath = join(dir, 'req');
  const resPath = join(dir, 'res');
  execFileSync('mkfifo', [reqPath, resPath]);
  const child = spawn(process.execPath, [HOST, reqPath, resPath], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
  // Nothing here may keep a test process alive once its tests are done.
  child.unref();
  // Each open blocks until the host has opened the other end, in the same order.
  const req = openSync(reqPath, 'w');
  const res = openSync(resPath, 'r');
  rmSync(dir, { recursive: true, force: true });
  return { child, req, res };
}

function readFully(fd: number, n: number): Buffer {
  const buf = Buffer.alloc(n);
  for (let off = 0; off < n; ) {
    const got = readSync(fd, buf, off, n - off, null);
    if (got === 0) throw new Error('in-process run: the host process exited without an answer');
    off += got;
  }
  return buf;
}

function dropSyncHost(): void {
  const host = syncHost;
  syncHost = undefined;
  if (!host) return;
  host.child.kill();
  for (const fd of [host.req, host.res]) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  }
}

/** Blocks until the call is done, as spawnSync does. */
export function runInProcessSync(job: Job): CliRun {
  syncHost ??= openSyncHost();
  const host = syncHost;
  const body = Buffer.from(JSON.stringify(job), 'utf8');
  const frame = Buffer.alloc(4 + body.length);
  frame.writeUInt32LE(body.length, 0);
  body.copy(frame, 4);
  let reply: Reply;
  try {
    for (let off = 0; off < frame.length; ) off += writeSync(host.req, frame, off);
    const len = readFully(host.res, 4).readUInt32LE(0);
    reply = JSON.parse(readFully(host.res, len).toString('utf8')) as Reply;
  } catch (err) {
    dropSyncHost();
    throw err;
  }
  if ((reply.rss ?? 0) > MAX_HOST_RSS) dropSyncHost();
  return answer(reply);
}

interface AsyncHost {
  child: ChildProcess;
  busy: boolean;
}

const pool: AsyncHost[] = [];
const waiting: Array<() => void> = [];
/** Calls side by side, each in a host of its own (the environment is per process). */
const POOL_SIZE = 2;

function openAsyncHost(): AsyncHost {
  // A plain node, as bin/ runs under (fork would pass on the test worker's own node options).
  const child = fork(HOST, [], { cwd: ROOT, execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child.unref();
  child.channel?.unref();
  return { child, busy: false };
}

/** An idle host, marked busy before anyone else can take it. */
async function take(): Promise<AsyncHost> {
  for (;;) {
    const idle = pool.find((s) => !s.busy);
    if (idle) {
      idle.busy = true;
      return idle;
    }
    if (pool.length < POOL_SIZE) {
      pool.push(openAsyncHost());
      continue;
    }
    await new Promise<void>((resolve) => waiting.push(resolve));
  }
}

function retire(host: AsyncHost): void {
  const i = pool.indexOf(host);
  if (i >= 0) pool.splice(i, 1);
  host.child.kill();
}

/** What bin/ under execFile's `timeout` gives when the limit kills it: no exit code, the signal. */
const TIMED_OUT: CliRun = { code: -1, stdout: '', stderr: 'in-process run: timed out; the host was killed (SIGTERM)' };

/**
 * `timeoutMs`, when given, bounds the call as execFile's `timeout` bounds bin/: past it the host
 * is killed (with whatever git it waits on left to the caller, as a killed bin/ leaves them) and
 * the call answers code -1, as a killed bin/ does.
 */
export async function runInProcess(job: Job, timeoutMs = 0): Promise<CliRun> {
  const host = await take();
  let timer: NodeJS.Timeout | undefined;
  try {
    const reply = await new Promise<Reply | 'timed out'>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`in-process run: the host process exited (${code})`));
      host.child.once('exit', onExit);
      host.child.once('message', (m: Reply) => {
        host.child.off('exit', onExit);
        resolve(m);
      });
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          host.child.off('exit', onExit);
          resolve('timed out');
        }, timeoutMs);
      }
      host.child.send(job);
    });
    if (reply === 'timed out') {
      retire(host);
      return TIMED_OUT;
    }
    if ((reply.rss ?? 0) > MAX_HOST_RSS) retire(host);
    return answer(reply);
  } catch (err) {
    retire(host);
    throw err;
  } finally {
    clearTimeout(timer);
    host.busy = false;
    waiting.shift()?.();
  }
}
