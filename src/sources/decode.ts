/**
 * Bytes to text, the same way for files on disk and blobs from git. Binary means a NUL in the
 * first 8 KiB, the rule git and git filter-repo use, so what we skip is what they treat as binary.
 * UTF-16 files with a byte-order mark are text (they are full of NULs).
 */
const SNIFF = 8192;

export type Decoded = { text: string } | { binary: true };

export function decode(buf: Buffer): Decoded {
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return { text: buf.subarray(2).toString('utf16le') };
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) {
    const body = Buffer.from(buf.subarray(2, buf.length - (buf.length % 2)));
    return { text: body.swap16().toString('utf16le') };
  }
  if (buf.subarray(0, SNIFF).includes(0)) return { binary: true };
  const start = buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  // Invalid UTF-8 (latin-1 files) decodes to U+FFFD one byte at a time; tokens are ASCII and survive.
  return { text: buf.toString('utf8', start) };
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
