/**
 * A git the scan started that waits to open a named pipe (FIFO) waits for ever: nothing will
 * write to a pipe planted in a repository. git opens files the scan cannot check ahead without
 * walking the whole tree, or before it can look at all: every `.gitignore` of the work tree, the
 * repository's `.git/config` and any file it includes. A pipe at one of them hung `scan`, `--staged`
 * and `--history` until the CI job's own time limit, with no word of why.
 *
 * On Linux the kernel says where a process sleeps (/proc/PID/wchan): a FIFO's open waits in
 * `wait_for_partner`. Every git the scan starts is looked at four times a second; one found there twice
 * running is killed, and its call fails with the pipe's path, read from the open call's own
 * argument (/proc/PID/syscall and the process's memory, which a parent may read). Elsewhere there
 * is no such view, and the README says that a pipe there still hangs the scan.
 */
import { closeSync, lstatSync, openSync, readFileSync, readlinkSync, readSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { IncompleteScanError } from '../errors.js';

const TICK_MS = 250;
/** Ticks in a row a process must be found waiting: a FIFO whose writer exists opens at once. */
const TICKS = 2;

interface Watched {
  child: ChildProcess;
  ticks: number;
  onBlocked: (path: string | null) => void;
}

const watched = new Set<Watched>();
let timer: NodeJS.Timeout | null = null;
const SUPPORTED = process.platform === 'linux';

/**
 * Calls `onBlocked` once if `child` is found waiting to open a named pipe (with the pipe's path
 * when it can be read); returns the function that stops watching (call it when the child exits).
 */
export function watchBlockedOpen(child: ChildProcess, onBlocked: (path: string | null) => void): () => void {
  if (!SUPPORTED || child.pid === undefined) return () => {};
  const w: Watched = { child, ticks: 0, onBlocked };
  watched.add(w);
  if (!timer) {
    timer = setInterval(tick, TICK_MS);
    timer.unref();
  }
  return () => unwatch(w);
}

function unwatch(w: Watched): void {
  watched.delete(w);
  if (watched.size === 0 && timer) {
    clearInterval(timer);
    timer = null;
  }
}

function tick(): void {
  for (const w of watched) {
    const pid = w.child.pid!;
    if (!waitingOnPipe(pid)) {
      w.ticks = 0;
      continue;
    }
    if (++w.ticks < TICKS) continue;
    unwatch(w);
    w.onBlocked(pipePath(pid));
  }
}

/** Whether the process sleeps in a FIFO's open (the function's name, or the one it is inlined into). */
function waitingOnPipe(pid: number): boolean {
  try {
    const where = readFileSync(`/proc/${pid}/wchan`, 'utf8');
    return where === 'wait_for_partner' || where === 'fifo_open';
  } catch {
    return false; // gone already
  }
}

/** Which argument of which system call is the path, by the syscall numbers of each architecture. */
const PATH_ARG: Partial<Record<NodeJS.Architecture, Record<number, number>>> = {
  x64: { 2: 0, 257: 1, 437: 1 }, // open, openat, openat2
  arm64: { 56: 1, 437: 1 }, // openat, openat2
};
const AT_FDCWD = -100;

/** The path the process is opening, absolute, if it is a named pipe; null when it cannot be read. */
function pipePath(pid: number): string | null {
  try {
    const fields = readFileSync(`/proc/${pid}/syscall`, 'utf8').trim().split(' ');
    const arg = PATH_ARG[process.arch]?.[Number(fields[0])];
    if (arg === undefined) return null;
    const address = BigInt(fields[1 + arg]!);
    const path = readCString(pid, address);
    if (path === null) return null;
    let full = path;
    if (!isAbsolute(path)) {
      const dirfd = arg === 0 ? AT_FDCWD : Number(BigInt.asIntN(32, BigInt(fields[1]!)));
      full = join(readlinkSync(dirfd === AT_FDCWD ? `/proc/${pid}/cwd` : `/proc/${pid}/fd/${dirfd}`), path);
    }
    return lstatSync(full).isFIFO() ? full : null;
  } catch {
    return null;
  }
}

/** A NUL-terminated string of the process's memory, read a page at most at a time (the next page may not be mapped). */
function readCString(pid: number, address: bigint): string | null {
  const fd = openSync(`/proc/${pid}/mem`, 'r');
  try {
    const parts: Buffer[] = [];
    let at = address;
    for (let total = 0; total < 4096; ) {
      const room = 4096 - Number(at % 4096n);
      const buf = Buffer.alloc(room);
      const n = readSync(fd, buf, 0, room, at);
      if (n <= 0) return null;
      const nul = buf.subarray(0, n).indexOf(0);
      if (nul !== -1) {
        parts.push(buf.subarray(0, nul));
        return Buffer.concat(parts).toString('utf8');
      }
      parts.push(buf.subarray(0, n));
      total += n;
      at += BigInt(n);
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

/** The error of a git call killed for waiting on a named pipe. */
export function blockedOpenError(path: string | null): IncompleteScanError {
  return new IncompleteScanError(
    path === null
      ? 'git waited to open a named pipe (FIFO) in the repository or in its config, which nothing writes to: secret-guard stopped it and did not finish'
      : `git waited to open ${path}, a named pipe (FIFO) that nothing writes to: secret-guard stopped it and did not finish`,
    path === null
      ? 'Find the named pipe (`find . -type p`, and the files `git config --show-origin --list` names), remove it or replace it with a regular file, then scan again.'
      : 'Remove the named pipe or replace it with a regular file, then scan again.',
  );
}
