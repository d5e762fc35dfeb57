/**
 * Writing the remediation files, the one place secret-guard puts secrets on disk: a private
 * folder (mode 0700, ours), reached without a symbolic link, and files of mode 0600 created
 * afresh (O_EXCL and O_NOFOLLOW: never written through an existing file or link, whose mode or
 * target could be anything). Nothing is replaced without --force, and nothing but a file an
 * earlier run could have written is ever replaced.
 */
import { chmodSync, closeSync, constants, lstatSync, mkdirSync, openSync, rmSync, writeSync, type Stats } from 'node:fs';
import { dirname, join, parse, sep } from 'node:path';
import { UsageError } from '../errors.js';

/** Every file remediate may write, so an earlier run's leftovers are recognised and replaced as a set. */
export const OUTPUT_NAMES = ['ROTATION.md', 'replacements.txt', 'replacements-bfg.txt', 'messages.txt', 'paths.txt', 'blob-callback.py'] as const;
export type OutputName = (typeof OUTPUT_NAMES)[number];

const lstatOrNull = (path: string): Stats | null => {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
};

export function existingOutputs(dir: string): OutputName[] {
  return OUTPUT_NAMES.filter((n) => lstatOrNull(join(dir, n)) !== null);
}

const octal = (mode: number) => (mode & 0o777).toString(8).padStart(4, '0');
const uid = () => (typeof process.getuid === 'function' ? process.getuid() : undefined);

/**
 * Refuses an output folder that a symbolic link leads to, at any step of its path (a planted
 * `.git/secret-guard/remediation -> /tmp/shared` would send the secrets wherever it points), that
 * is not a folder, or that belongs to someone else. `dir` is absolute; the steps that do not
 * exist yet are checked once created.
 */
function refuseUnsafePath(dir: string): Stats | null {
  const { root } = parse(dir);
  let at = root;
  let st: Stats | null = null;
  for (const part of dir.slice(root.length).split(sep).filter(Boolean)) {
    at = join(at, part);
    st = lstatOrNull(at);
    if (st === null) return null;
    if (st.isSymbolicLink()) {
      throw new UsageError(`${at} is a symbolic link: remediate does not write secrets through one (the files would land wherever it points)`, `Name the real folder with --out (a new one is created with mode 0700), or remove the link if you did not make it.`);
    }
  }
  if (st && !st.isDirectory()) throw new UsageError(`${dir} exists and is not a folder`, 'Name a folder with --out.');
  const me = uid();
  if (st && me !== undefined && st.uid !== me) {
    throw new UsageError(`${dir} belongs to another user (uid ${st.uid}): remediate writes secrets only into a folder of your own`, 'Name a new folder with --out: it is created with mode 0700.');
  }
  return st;
}

/**
 * Checks, before anything is scanned or written, that the folder can hold secrets. A folder that
 * exists and others can read or write is refused when the user named it (we do not change the
 * mode of a folder we did not make: it may be shared on purpose); the default folder inside the
 * git directory is ours and is narrowed to 0700 when written.
 */
export function checkOutputDir(dir: string, own: boolean): void {
  const st = refuseUnsafePath(dir);
  if (st && !own && (st.mode & 0o077) !== 0) {
    throw new UsageError(
      `${dir} can be read or written by other users (mode ${octal(st.mode)}): the remediation files hold the secrets`,
      `Make it private first (chmod 700 ${dir}), or name a new folder with --out: it is created with mode 0700.`,
    );
  }
  for (const n of existingOutputs(dir)) {
    if (!lstatSync(join(dir, n)).isFile()) {
      throw new UsageError(`${join(dir, n)} is not a regular file (a symbolic link or another kind): remediate did not write it and will not replace it`, 'Remove it if you did not make it, then run remediate again.');
    }
  }
}

/**
 * Creates the folder (and missing parents) with mode 0700, checks again what it reached, and
 * narrows our own folder to 0700. Returns whether this run created it (the plan then says to
 * remove the folder; a folder the user had stays).
 */
export function prepareDir(dir: string, own: boolean): boolean {
  const existed = lstatOrNull(dir) !== null;
  checkOutputDir(dir, own);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // A step created just now, or swapped in since the check, is checked too.
  refuseUnsafePath(dir);
  if (!existed || own) chmodSync(dir, 0o700);
  const st = lstatSync(dir);
  if ((st.mode & 0o077) !== 0) throw new UsageError(`${dir} can be read or written by other users (mode ${octal(st.mode)}); not writing secrets into it`, `chmod 700 ${dir}, then run remediate again.`);
  return !existed;
}

export function writeSecretFile(path: string, content: string | Buffer): void {
  const st = lstatOrNull(path);
  if (st && !st.isFile()) throw new UsageError(`${path} is not a regular file (a symbolic link or another kind): not writing through it`, 'Remove it if you did not make it, then run remediate again.');
  rmSync(path, { force: true });
  let fd: number;
  try {
    // O_EXCL fails rather than follow anything that appeared at this path since; O_NOFOLLOW too.
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  } catch (err) {
    throw new UsageError(`could not create ${path} afresh (${(err as NodeJS.ErrnoException).code ?? 'error'}): something else is writing in ${dirname(path)}`, 'Make sure nobody else can write to the folder, then run remediate again.');
  }
  try {
    writeSync(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
  } finally {
    closeSync(fd);
  }
  chmodSync(path, 0o600);
}

/** With --force: an earlier run's file this run does not write would be stale (a paths.txt for files no longer found). */
export function removeStale(dir: string, written: ReadonlySet<string>): void {
  for (const n of existingOutputs(dir)) if (!written.has(n)) rmSync(join(dir, n), { force: true });
}
