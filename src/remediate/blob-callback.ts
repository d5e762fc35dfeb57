/**
 * The secrets git filter-repo's --replace-text cannot reach. filter-repo applies --replace-text
 * only to blobs without a NUL in their first 8 KiB (checked with 2.38: `_tweak_blob`), the rule
 * git uses for "binary". The scanner reads more than that: the strings of binaries (ASCII and
 * UTF-16, sources/binary-text.ts) and text in UTF-16 or UTF-32 (sources/decode.ts). A token found
 * there was listed in replacements.txt and silently left in the rewritten history.
 *
 * For those, blob-callback.py, given to `git filter-repo --blob-callback FILE` (filter-repo reads
 * the body from the file when the argument names one), replaces each secret in such blobs as it
 * is stored: as its bytes, and as UTF-16 or UTF-32, matched as the secret's characters one or
 * three NULs apart, which is the same in either byte order and at either alignment, so the NULs
 * around the match (and the file's encoding) stay as they were; a secret that is not ASCII (a
 * custom rule's) is encoded in UTF-16 and UTF-32, each byte order. It holds the secrets, like the
 * expression files.
 *
 * It is written for every secret found in a file, not only for those whose finding's blob is
 * binary: a finding names the blob where a secret came in, and a later version of the same file
 * (saved again as UTF-16 by a Windows tool, a rebuilt binary) holds it too without a finding of
 * its own. For a blob without a NUL the callback returns at once.
 */
import type { Credential } from './leaks.js';
import { replacementFor } from './replacements.js';

/** `bytes` as a Python bytes literal: printable ASCII as it is but `"` and `\`, every other byte as \xHH. */
export function pythonBytes(bytes: Buffer): string {
  let out = 'b"';
  for (const b of bytes) out += b >= 0x20 && b <= 0x7e && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  return `${out}"`;
}

/** The callback's body (filter-repo wraps it in `def callback(blob, ...)`), or '' when no credential needs it. */
export function blobCallbackFile(credentials: Credential[]): string {
  if (!credentials.length) return '';
  // Longer secrets first, as in replacements.txt: one that holds a shorter one is replaced whole.
  const sorted = [...credentials].sort((a, b) => b.secret.length - a.secret.length || (a.secret < b.secret ? -1 : 1));
  return [
    '# Written by secret-guard remediate for git filter-repo --blob-callback. It holds the secrets: keep it private, delete it when done.',
    '# --replace-text leaves alone a blob with a NUL in its first 8 KiB (a binary, UTF-16 or UTF-32 text); this replaces each',
    '# secret there as it is stored: its bytes, or its characters one or three NULs apart (UTF-16, UTF-32, either byte order),',
    '# by the replacement in the same form; a secret that is not ASCII is encoded in each of them. A binary changes length',
    '# where a secret is replaced: rebuild it rather than use it.',
    'if b"\\0" not in blob.data[:8192]:',
    '  return',
    'data = blob.data',
    'for secret, replacement in [',
    ...sorted.map((c) => `  (${pythonBytes(Buffer.from(c.secret, 'utf8'))}, ${pythonBytes(Buffer.from(replacementFor(c), 'utf8'))}),`),
    ']:',
    '  data = data.replace(secret, replacement)',
    '  if secret.isascii():',
    '    for gap in (b"\\0", b"\\0\\0\\0"):',
    '      data = data.replace(gap.join(secret[i:i + 1] for i in range(len(secret))), gap.join(replacement[i:i + 1] for i in range(len(replacement))))',
    '  else:',
    '    for encoding in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):',
    '      data = data.replace(secret.decode("utf-8").encode(encoding), replacement.decode("utf-8").encode(encoding))',
    'blob.data = data',
    '',
  ].join('\n');
}
