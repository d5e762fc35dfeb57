/**
 * Writing a file the tool makes (a report, a baseline) at the path the user named. Never through a
 * symbolic link the scanned repository can hold: a cloned repository with `results.sarif` committed
 * as a link to `~/.ssh/authorized_keys`, or a committed linked folder on the way to the file, would
 * otherwise have the README's own commands overwrite that file (in CI, a pull request would choose
 * where the runner writes). A link outside the repository is the user's own (`/dev/stdout`, a
 * linked temp folder) and is followed.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, realpathSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { isInside } from '../paths.js';

/** A write refused before anything was written; `why` completes "<file> …". */
export class RefusedWrite extends Error {
  constructor(readonly why: string) {
    super(why);
    this.name = 'RefusedWrite';
  }
}

const real = (p: string) => {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
};

/** The first symbolic link on the way from `top` down to `rel` (a path below it), `rel` itself included, relative to `top`. */
function firstLink(top: string, rel: string): string | null {
  let at = top;
  for (const part of rel.split(sep)) {
    at = join(at, part);
    try {
      if (lstatSync(at).isSymbolicLink()) return relative(top, at);
    } catch {
      return null; // nothing further exists yet
    }
  }
  return null;
}

/**
 * Writes `text` to `name` (relative to `cwd`). Refused (RefusedWrite) when a symbolic link at or
 * below `root`, the scanned repository's top, lies on the way; with `regularOnly`, also when the
 * file is a FIFO, a socket or a device. Other failures are thrown as node's errors.
 */
export function writeOutputFile(cwd: string, name: string, text: string, root: string, opts: { regularOnly?: boolean } = {}): void {
  // The working directory is the user's choice: its own links are resolved; what the name adds is not.
  const top = real(root);
  const file = resolve(real(cwd), name);
  const rel = relative(top, file);
  const within = rel !== '' && isInside(file, top);
  const link = within ? firstLink(top, rel) : null;
  if (link !== null) throw new RefusedWrite(link === rel ? 'is a symbolic link in the repository' : `is below ${link}/, a symbolic link in the repository`);
  let flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC;
  // O_NOFOLLOW: a link made since the check above is refused too, not followed.
  if (within) flags |= constants.O_NOFOLLOW;
  // O_NONBLOCK: a FIFO with no reader fails the open (ENXIO) instead of blocking it.
  if (opts.regularOnly) flags |= constants.O_NONBLOCK;
  let fd: number;
  try {
    fd = openSync(file, flags, 0o644);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new RefusedWrite('is a symbolic link in the repository');
    if (code === 'ENXIO') throw new RefusedWrite('is a FIFO or a socket');
    throw err;
  }
  try {
    if (opts.regularOnly && !fstatSync(fd).isFile()) throw new RefusedWrite('is not a regular file');
    writeFileSync(fd, text);
  } finally {
    closeSync(fd);
  }
}
