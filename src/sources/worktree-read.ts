/**
 * Reading one working-tree file into an outcome (skipped, unreadable, scanned with findings).
 * Shared by the main thread and the reader worker, so both read a file exactly the same way.
 *
 * Two things make it cheaper than lstat + readFileSync + decode + detect on every file:
 * - a file is opened without following links and stat'ed through its descriptor, so the common
 *   case costs open/fstat/read/close and no separate lstat;
 * - a file that holds no keyword of any rule is never decoded (see keywordGate).
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, readlinkSync, readSync, type Stats } from 'node:fs';
import type { CompiledRule } from '../core/engine.js';
import type { Finding, Fragment } from '../core/types.js';
import { scanContent, type Content } from '../scan/content.js';
import type { ScanStats } from '../scan/result.js';
import { KeywordScan, type KeywordGate } from './gate.js';

export interface Entry {
  /** The name as reported: pathFromBytes' form when the name is not UTF-8. */
  path: string;
  /** What the file system is asked for: bytes when the name is not UTF-8 (fs takes either). */
  abs: string | Buffer;
  gitState?: Fragment['gitState'];
  /**
   * Marked skip-worktree (a sparse checkout) or assume-unchanged: git commits the index's blob,
   * never what is on disk (`git add -A` passes over the file), so the blob is what is read.
   */
  fromIndex?: boolean;
}

/** What reading one entry came to. Plain data: it crosses from the worker by structured clone. */
export type Outcome =
  | { skip: keyof ScanStats['skipped']; reason: string }
  /** Why the file could not be read; the path is added by whoever reports it. */
  | { unreadable: string }
  | { scanned: number; findings: Finding[] }
  | { failed: unknown };

export interface ReadContext {
  rules: CompiledRule[];
  maxFileSize: number;
  gate: KeywordGate | null;
}

/** What a file's bytes come to, however they were read (standard input too): the one content pipeline. */
export function contentOutcome(e: Entry, buf: Content, ctx: ReadContext): Outcome {
  try {
    return scanContent(buf, e.path, ctx);
  } catch (err) {
    // Thrown again when the outcomes are replayed in git's order, so the error that surfaces is
    // the one a file-by-file scan would have met first.
    return { failed: err };
  }
}

const errCode = (err: unknown) => (err as NodeJS.ErrnoException).code;
const reason = (err: unknown) => (errCode(err) === 'EACCES' || errCode(err) === 'EPERM' ? 'permission denied' : (errCode(err) ?? 'read error'));

function statOutcome(st: Stats): Outcome | null {
  if (st.isDirectory()) return { skip: 'submodule', reason: 'submodule (scan it on its own)' };
  // git lists no FIFO, socket or device as untracked, so this is a tracked file replaced by
  // one: nothing git could commit is there to read, and a FIFO could block the read.
  if (!st.isFile()) return { unreadable: 'not a regular file' };
  return null;
}

/**
 * A file over --max-file-size: searched a piece at a time for every rule keyword in every form
 * (never held whole), and handed on as its size and that answer (scan/content.ts overLimit).
 */
function overLimit(fd: number, e: Entry, size: number, ctx: ReadContext): Outcome {
  let keywords: boolean | undefined;
  if (ctx.gate && !ctx.gate.path.test(e.path)) {
    const scan = new KeywordScan(ctx.gate);
    // The read buffer starts at 1 MiB and only grows.
    const piece = scratch.subarray(0, 1 << 20);
    for (let n = 1; !scan.found && n > 0; ) {
      n = readSync(fd, piece, 0, piece.length, null);
      scan.push(piece.subarray(0, n));
    }
    keywords = scan.found;
  }
  return contentOutcome(e, { tooLarge: true, size, keywords }, ctx);
}

/** The plain way: lstat, then read. Also the fallback whenever the fast open fails. */
function readByPath(e: Entry, ctx: ReadContext): Outcome {
  let st;
  try {
    st = lstatSync(e.abs);
  } catch (err) {
    if (errCode(err) === 'ENOENT') return { skip: 'missing', reason: 'deleted from the working tree' };
    return { unreadable: reason(err) };
  }
  let buf: Buffer;
  if (st.isSymbolicLink()) {
    // Never followed: the link's own text is what git commits (and a web UI shows), so that is
    // what is scanned, as the content of a file.
    try {
      buf = readlinkSync(e.abs, { encoding: 'buffer' });
    } catch (err) {
      return { unreadable: reason(err) };
    }
    return contentOutcome(e, buf, ctx);
  }
  const o = statOutcome(st);
  if (o) return o;
  try {
    if (st.size > ctx.maxFileSize) {
      const fd = openSync(e.abs, 'r');
      try {
        return overLimit(fd, e, st.size, ctx);
      } finally {
        closeSync(fd);
      }
    }
    buf = readFileSync(e.abs);
  } catch (err) {
    return { unreadable: reason(err) };
  }
  return contentOutcome(e, buf, ctx);
}

// O_NOFOLLOW makes opening a link fail instead of reading its target; O_NONBLOCK keeps a FIFO
// from blocking the open. Where the platform has no O_NOFOLLOW, the plain way is used.
const FAST_OPEN = constants.O_NOFOLLOW ? constants.O_RDONLY | constants.O_NOFOLLOW | (constants.O_NONBLOCK ?? 0) : null;

/** One buffer per thread, reused: a file's bytes are not kept once its outcome is known. */
let scratch = Buffer.allocUnsafe(1 << 20);

function readFd(fd: number, size: number): Buffer {
  if (size === 0) return readFileSync(fd); // sizeless files (and empty ones): read to EOF
  if (size > scratch.length) scratch = Buffer.allocUnsafe(size);
  let off = 0;
  while (off < size) {
    const n = readSync(fd, scratch, off, size - off, null);
    if (n === 0) break;
    off += n;
  }
  return scratch.subarray(0, off);
}

export function readEntry(e: Entry, ctx: ReadContext): Outcome {
  if (FAST_OPEN === null) return readByPath(e, ctx);
  let fd: number;
  try {
    fd = openSync(e.abs, FAST_OPEN);
  } catch {
    // A link, a missing file, a socket, a permission problem: classify it the way lstat does.
    return readByPath(e, ctx);
  }
  let buf: Buffer;
  try {
    const st = fstatSync(fd);
    const o = statOutcome(st);
    if (o) return o;
    if (st.size > ctx.maxFileSize) return overLimit(fd, e, st.size, ctx);
    buf = readFd(fd, st.size);
  } catch (err) {
    return { unreadable: reason(err) };
  } finally {
    closeSync(fd);
  }
  return contentOutcome(e, buf, ctx);
}
