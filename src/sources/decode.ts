/**
 * Bytes to text, the same way for files on disk and blobs from git. Binary means a NUL in the
 * first 8 KiB, the rule git and git filter-repo use, so what we skip is what they treat as binary,
 * with one exception: text in a wide encoding is full of NULs and is read, never skipped as
 * binary and never scanned as bytes (a token in it would be split by NULs and go unseen).
 * - UTF-32 and UTF-16 with a byte-order mark (UTF-32's little-endian mark begins with UTF-16's,
 *   so it is tested first).
 * - UTF-16 and UTF-32 without one (Windows tools write them), told apart from binary by where
 *   the NULs fall: ASCII in UTF-16LE leaves every odd byte NUL and almost no even one; then the
 *   whole file must decode without a NUL character before its last ones, or it is binary after all.
 * A file that says it is UTF-32 but is not is skipped with that reason, never scanned.
 */
import { isUtf8 } from 'node:buffer';

const SNIFF = 8192;

/** `wide`: read as UTF-16 or UTF-32, in which ASCII bytes that follow such text read as other characters. */
export type Decoded = { text: string; wide?: true } | { binary: true; reason?: string };

const NOT_UTF32 = 'starts with a UTF-32 byte-order mark but is not valid UTF-32';

export function decode(buf: Buffer): Decoded {
  if (buf.length >= 4 && buf[0] === 0xff && buf[1] === 0xfe && buf[2] === 0 && buf[3] === 0) {
    // A UTF-16LE file may begin with its mark and a NUL character: read it as that if it is not UTF-32.
    return { text: utf32(buf.subarray(4), true) ?? utf16(buf.subarray(2), true), wide: true };
  }
  if (buf.length >= 4 && buf[0] === 0 && buf[1] === 0 && buf[2] === 0xfe && buf[3] === 0xff) {
    const text = utf32(buf.subarray(4), false);
    return text === undefined ? { binary: true, reason: NOT_UTF32 } : { text, wide: true };
  }
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return { text: utf16(buf.subarray(2), true), wide: true };
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return { text: utf16(buf.subarray(2), false), wide: true };
  const head = buf.subarray(0, SNIFF);
  if (head.includes(0)) return wide(buf, head) ?? { binary: true };
  const start = utf8Bom(buf) ? 3 : 0;
  // Invalid UTF-8 (latin-1 files) decodes to U+FFFD one byte at a time; tokens are ASCII and survive.
  return { text: buf.toString('utf8', start) };
}

/**
 * Whether decode reads `buf` as UTF-8 just as it is, its text exactly the bytes' characters:
 * valid UTF-8, no byte-order mark (dropped), no NUL where the encoding is sniffed (a wide
 * encoding or binary).
 */
export function isPlainUtf8(buf: Buffer): boolean {
  return !utf8Bom(buf) && isUtf8(buf) && !buf.subarray(0, SNIFF).includes(0);
}

const utf8Bom = (buf: Buffer) => buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;

function utf16(body: Buffer, little: boolean): string {
  if (little) return body.toString('utf16le');
  return Buffer.from(body.subarray(0, body.length - (body.length % 2))).swap16().toString('utf16le');
}

/** UTF-32 code units to text, or undefined when one is no Unicode scalar value. */
function utf32(body: Buffer, little: boolean): string | undefined {
  const n = body.length >> 2;
  const parts: string[] = [];
  const units: number[] = [];
  for (let i = 0; i < n; i++) {
    const cp = little ? body.readUInt32LE(i * 4) : body.readUInt32BE(i * 4);
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return undefined;
    units.push(cp);
    if (units.length === 4096) {
      parts.push(String.fromCodePoint(...units));
      units.length = 0;
    }
  }
  if (units.length) parts.push(String.fromCodePoint(...units));
  return parts.join('');
}

/**
 * BOM-less UTF-16 or UTF-32, judged by the NULs in the first 8 KiB at each byte position modulo
 * 4, then confirmed on the whole file. Undefined means binary.
 */
function wide(buf: Buffer, head: Buffer): Decoded | undefined {
  const z = [0, 0, 0, 0];
  const len = head.length & ~3;
  if (len < 4) return undefined;
  for (let i = 0; i < len; i++) if (head[i] === 0) z[i & 3]!++;
  const quads = len >> 2;
  const pairs = len >> 1;
  let text: string | undefined;
  // UTF-32: the top byte is always NUL, the next one nearly always (outside the BMP it is not),
  // the low byte seldom.
  if (z[3] === quads && z[2]! * 10 >= quads * 9 && z[0]! * 4 < quads) text = utf32(buf, true);
  else if (z[0] === quads && z[1]! * 10 >= quads * 9 && z[3]! * 4 < quads) text = utf32(buf, false);
  else {
    // UTF-16: at least a quarter of the code units are ASCII (NUL high byte), and NUL low bytes
    // (U+0100, U+4E00…) are rare beside them.
    const even = z[0]! + z[2]!;
    const odd = z[1]! + z[3]!;
    if (odd * 4 >= pairs && even * 8 <= odd) text = utf16(buf, true);
    else if (even * 4 >= pairs && odd * 8 <= even) text = utf16(buf, false);
  }
  return text === undefined || nulInside(text) ? undefined : { text, wide: true };
}

/**
 * Whether a NUL character lies before the text's trailing NULs: text does not hold one, binary
 * read as UTF-16 does. NULs at the very end are a terminator (a tool that writes a C string
 * leaves one) and keep the file text; refusing them made such a file binary, and a token in it
 * went unread with exit 0.
 */
function nulInside(text: string): boolean {
  const first = text.indexOf('\0');
  if (first === -1) return false;
  let end = text.length;
  while (end > first && text.charCodeAt(end - 1) === 0) end--;
  return end > first;
}

const LFS_VERSION = 'version https://git-lfs.github.com/spec/v1';
/** The keys of the pointer format (git-lfs spec v1): version first, then oid, size, extensions. */
const LFS_LINE = /^(?:oid sha256:[0-9a-f]{64}|size \d+|ext-\d+-[a-z0-9]+ sha256:[0-9a-f]{64})$/;

/**
 * Git LFS pointer files hold an object id, not content; the content is not in the repository.
 * Only a file that is exactly a pointer counts: skipping anything that merely starts with the
 * version line would let a file hide a token under it.
 */
export function isLfsPointer(text: string): boolean {
  if (text.length >= 1024 || !text.startsWith(`${LFS_VERSION}\n`)) return false;
  const lines = text.slice(LFS_VERSION.length + 1).split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.every((l) => LFS_LINE.test(l)) && lines.some((l) => l.startsWith('oid ')) && lines.some((l) => l.startsWith('size '));
}
