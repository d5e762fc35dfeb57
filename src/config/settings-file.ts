/**
 * Reading the files that configure a scan (the config, `.secret-guard-ignore`, a baseline) from
 * disk or from a commit. They are small by nature, and each decides what the scan reports, so a
 * link (its target may be anywhere), a FIFO or a device (a read that never ends), or a file over
 * 1 MiB is refused before a byte of it is read, and no message ever quotes what it holds.
 */
import { isUtf8 } from 'node:buffer';
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { ConfigError } from '../errors.js';
import { shownPath } from '../report/shown.js';

/** 1 MiB: a config, an ignore file or a baseline of some 8,000 findings fits many times over. */
const MAX_SETTINGS_FILE = 1024 * 1024;

const LIMIT_TEXT = '1 MiB';

function kindOf(st: Stats): string | null {
  if (st.isFile()) return null;
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a folder';
  return 'not a regular file';
}

function refuse(what: string, shown: string, kind: string): never {
  const hint =
    kind === 'a symbolic link'
      ? 'Links are not followed here: replace it with the file itself, or name the real file (--config, --baseline).'
      : 'Replace it with a regular file.';
  throw new ConfigError(`${what} ${shown} is ${kind}, so it was not read`, hint);
}

function tooLarge(what: string, shown: string, size: number): never {
  throw new ConfigError(
    `${what} ${shown} is ${size} bytes, over the ${LIMIT_TEXT} limit for settings files, so it was not read`,
    'A config, ignore file or baseline is never that large: check that the path names the right file.',
  );
}

/**
 * The file's text, or null when there is no file at `file`. Anything else that stops the read is
 * exit 2 (ConfigError) naming the file: a settings file that is silently skipped changes the scan.
 */
export function readSettingsFile(file: string, what: string): string | null {
  const shown = shownPath(file);
  let fd: number;
  try {
    // One check, on what was opened: O_NOFOLLOW refuses a link (no window between a check of the
    // path and the open), O_NONBLOCK keeps a FIFO from holding the open waiting for a writer,
    // O_NOCTTY keeps a terminal from becoming ours; fstat then says what the descriptor is.
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    if (code === 'ELOOP') refuse(what, shown, 'a symbolic link');
    // Opening a socket for reading fails with ENXIO.
    if (code === 'ENXIO') refuse(what, shown, 'a socket');
    throw new ConfigError(`cannot read ${what} ${shown}: ${code ?? 'error'}`);
  }
  try {
    const st = fstatSync(fd);
    const kind = kindOf(st);
    if (kind) refuse(what, shown, kind);
    if (st.size > MAX_SETTINGS_FILE) tooLarge(what, shown, st.size);
    // One byte past the limit tells a file that grew since fstat.
    const buf = Buffer.alloc(MAX_SETTINGS_FILE + 1);
    let n = 0;
    while (n < buf.length) {
      const r = readSync(fd, buf, n, buf.length - n, null);
      if (r === 0) break;
      n += r;
    }
    if (n > MAX_SETTINGS_FILE) tooLarge(what, shown, n);
    return settingsText(buf.subarray(0, n), what, shown);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`cannot read ${what} ${shown}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  } finally {
    closeSync(fd);
  }
}

/**
 * A UTF-8 byte-order mark (Windows editors write one) is not part of the text: the ignore file
 * read past it, while JSON.parse refused a config or baseline that starts with one, quoting the
 * invisible character. Every settings file, from disk or from a commit, now reads alike.
 */
export const withoutBom = (text: string) => (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);

/**
 * A settings file's bytes as text, or exit 2 when they are not UTF-8. Decoding anyway replaced
 * what it could not read with U+FFFD: a file saved as UTF-16 (Windows PowerShell's `>`) was
 * "not an object" or "not a fingerprint", and a Latin-1 glob such as `!docs/café/**` took back
 * nothing, leaving the folder ignored.
 */
export function settingsText(buf: Buffer, what: string, shown: string): string {
  if (buf.length >= 2 && ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff))) {
    throw new ConfigError(`${what} ${shown} is UTF-16 text, so it was not read`, 'Save it as UTF-8 (in PowerShell: Out-File -Encoding utf8, or Set-Content).');
  }
  if (!isUtf8(buf)) throw new ConfigError(`${what} ${shown} is not UTF-8 text, so it was not read`, 'Save it as UTF-8.');
  return withoutBom(buf.toString('utf8'));
}

/** One entry of a commit's tree, as `git ls-tree -l` gives it. */
export interface TreeEntry {
  mode: string;
  type: string;
  sha: string;
  size: number;
  path: string;
}

/** The same refusals for a file read from a commit: a link, a submodule, a folder, an oversize blob. */
export function checkTreeEntry(entry: TreeEntry, what: string, shown: string): void {
  if (entry.mode === '120000') refuse(what, shown, 'a symbolic link');
  if (entry.type !== 'blob' || (entry.mode !== '100644' && entry.mode !== '100755')) refuse(what, shown, entry.type === 'tree' ? 'a folder' : entry.type === 'commit' ? 'a submodule' : 'not a regular file');
  if (entry.size > MAX_SETTINGS_FILE) tooLarge(what, shown, entry.size);
}
